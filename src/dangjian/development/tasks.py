"""Daily: remind branches of development deadlines (each deadline once)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="8", minute="0"))
def send_deadline_reminders() -> int:
    return services.deadline_reminders_send()
