"""Every morning: remind branches of meetings falling due and escalate the late ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="8", minute="0"))
def send_compliance_reminders() -> dict:
    return services.compliance_reminders_send()
