"""Scheduled and background work of 首问负责制: the SLA check every 15 minutes (reminders
before due, escalation after, each once) and the statistics rebuild job. Thin: one service
each."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.platform.jobs import job_progress, job_task

from . import services, stats


@db_periodic_task(crontab(minute="*/15"))
def check_ticket_sla() -> dict:
    return services.tickets_sla_check()


@job_task()
def rebuild_ticket_stats(job):
    rows = stats.rebuild(progress=lambda pct, msg: job_progress(job.pk, pct, msg))
    return {"rows": rows}
