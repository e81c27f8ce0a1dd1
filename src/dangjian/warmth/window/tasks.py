"""Daily: deemed acceptances, deadline reminders (each once) and licences expiring soon."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="40", hour="7"))
def licence_daily() -> dict:
    return services.licence_daily()
