"""Background work for 比业绩 (thin: ids in, one service called)."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from dangjian.platform.jobs import JobFailed, job_attach_file, job_path, job_progress, job_task
from dangjian.platform.tabular import ImportRejected, TableError, write_error_report

from .importing import contest_scores_import
from .models import Contest


@job_task()
def import_scores(job, *, file: str, contest: int):
    """Import an event's scores for the job's starter; on bad rows attach the error report."""
    target = Contest.objects.filter(pk=contest).first()
    if target is None:
        raise JobFailed(_("活动不存在"))
    try:
        return contest_scores_import(
            actor=job.started_by,
            contest=target,
            path=job_path(file),
            progress=partial(job_progress, job.pk),
        )
    except TableError as exc:
        raise JobFailed(str(exc)) from None
    except (PermissionDenied, ValidationError) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise JobFailed(text) from None
    except ImportRejected as exc:
        report = job_attach_file(job, "errors.xlsx", download_name=_("成绩导入错误报告.xlsx"))
        write_error_report(report, exc.errors)
        raise JobFailed(str(exc), result={"errors": exc.total, "rows": exc.rows}) from None
