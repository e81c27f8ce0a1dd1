"""Background jobs: send one delivery; every minute, send whatever is due (retries, deferred)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def deliver(delivery_id: int) -> str:
    return services.deliver_one(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_deliveries() -> dict:
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*"))
def send_due_reminders() -> int:
    return services.reminders_send_due()
