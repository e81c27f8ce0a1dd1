"""Daily: flag overdue transfer letters and 流动党员 away too long (the secretary is told once)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="20", hour="7"))
def flag_overdue_transfers() -> dict:
    return services.transfers_flag_overdue()
