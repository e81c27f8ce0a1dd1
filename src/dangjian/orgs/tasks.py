"""Background work for the trees (thin: ids in, one service called)."""

from functools import partial

from django.utils.translation import gettext as _

from dangjian.platform.jobs import JobFailed, job_attach_file, job_path, job_progress, job_task
from dangjian.platform.tabular import ImportRejected, TableError, write_error_report

from .importing import tree_import
from .models import PartyOrg, Unit

MODELS = {"unit": Unit, "party": PartyOrg}


@job_task()
def import_tree(job, *, file: str, tree: str):
    """Import units or party organisations for the job's starter; attach errors if any."""
    try:
        return tree_import(
            actor=job.started_by,
            model=MODELS[tree],
            path=job_path(file),
            progress=partial(job_progress, job.pk),
        )
    except TableError as exc:
        raise JobFailed(str(exc)) from None
    except ImportRejected as exc:
        report = job_attach_file(job, "errors.xlsx", download_name=_("组织导入错误报告.xlsx"))
        write_error_report(report, exc.errors)
        raise JobFailed(str(exc), result={"errors": exc.total, "rows": exc.rows}) from None
