"""Background work for retail customers (thin: ids in, one service called)."""

from functools import partial

from django.utils.translation import gettext as _

from dangjian.platform.jobs import JobFailed, job_attach_file, job_path, job_progress, job_task
from dangjian.platform.tabular import ImportRejected, TableError, write_error_report

from .importing import customer_import


@job_task()
def import_customers(job, *, file: str):
    """Run a customer import for the job's starter; on bad rows attach the error report."""
    try:
        return customer_import(
            actor=job.started_by, path=job_path(file), progress=partial(job_progress, job.pk)
        )
    except TableError as exc:
        raise JobFailed(str(exc)) from None
    except ImportRejected as exc:
        report = job_attach_file(job, "errors.xlsx", download_name=_("客户导入错误报告.xlsx"))
        write_error_report(report, exc.errors)
        raise JobFailed(str(exc), result={"errors": exc.total, "rows": exc.rows}) from None
