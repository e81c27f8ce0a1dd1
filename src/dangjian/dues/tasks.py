"""Background work for dues (thin: ids in, one service called)."""

from functools import partial

from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.platform.jobs import JobFailed, job_attach_file, job_path, job_progress, job_task
from dangjian.platform.tabular import ImportRejected, TableError, write_error_report

from . import services
from .importing import dues_base_import


@job_task()
def import_bases(job, *, file: str):
    """Run a payroll-base import for the job's starter; on bad rows attach the error report."""
    try:
        return dues_base_import(
            actor=job.started_by, path=job_path(file), progress=partial(job_progress, job.pk)
        )
    except TableError as exc:
        raise JobFailed(str(exc)) from None
    except ImportRejected as exc:
        report = job_attach_file(job, "errors.xlsx", download_name=_("党费基数导入错误报告.xlsx"))
        write_error_report(report, exc.errors)
        raise JobFailed(str(exc), result={"errors": exc.total, "rows": exc.rows}) from None


@db_periodic_task(crontab(minute="30", hour="6"))
def flag_arrears() -> dict:
    """Every morning: flag members with six consecutive months unpaid, tell the secretary."""
    return services.dues_arrears_scan()
