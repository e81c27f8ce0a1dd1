"""Daily: overdue rectification measures tell the branch's secretary, later the office."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="40", hour="7"))
def escalate_overdue_measures() -> dict:
    return services.measures_escalate_overdue()
