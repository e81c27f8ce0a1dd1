"""Background work of 增值服务 (thin: ids in, one service called).

Huey's clock runs in UTC: 00:00 UTC is 08:00 in Beijing (greetings go out in the morning),
01:00 UTC is 09:00 (the day-before reminders of bookings).
"""

from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.platform.jobs import job_progress, job_task

from . import services


def _progress(job_id: int, total: int, counts: dict) -> None:
    done = sum(counts.values())
    job_progress(
        job_id,
        100 * done / total if total else 100,
        _("已处理 %(n)s / %(t)s 条") % {"n": done, "t": total},
    )


@job_task()
def send_broadcast(job, *, broadcast_id: int):
    """Send a broadcast's due deliveries; a repeated run sends nothing twice."""
    from .models import Broadcast

    total = Broadcast.objects.filter(pk=broadcast_id).values_list("recipients", flat=True).first()
    return services.broadcast_deliver(
        broadcast_id=broadcast_id, progress=partial(_progress, job.pk, total or 0)
    )


@db_task()
def send_booking_messages(booking_id: int) -> dict:
    return services.booking_messages_send_due(booking_id=booking_id)


@db_periodic_task(crontab(minute="*"))
def send_due_outreach() -> dict:
    """Each minute: greetings, booking messages and broadcast deliveries that are due
    (retries after the backoff, pushes deferred past the quiet hours)."""
    from .models import BroadcastDelivery
    from .sending import DUE

    counts = {
        "greetings": services.greetings_send_due(),
        "bookings": services.booking_messages_send_due(),
    }
    due = list(
        BroadcastDelivery.objects.filter(status__in=DUE, next_attempt_at__lte=timezone.now())
        .values_list("broadcast_id", flat=True)
        .distinct()[:20]
    )
    counts["broadcasts"] = {pk: services.broadcast_deliver(broadcast_id=pk) for pk in due}
    return counts


@db_periodic_task(crontab(hour="0", minute="0"))
def schedule_greetings() -> dict:
    """08:00 Beijing: write today's greetings (birthdays, festivals), then send them."""
    counts = services.greetings_schedule(on=timezone.localdate())
    services.greetings_send_due()
    return counts


@db_periodic_task(crontab(hour="1", minute="0"))
def schedule_booking_reminders() -> int:
    """09:00 Beijing: queue the reminders of tomorrow's bookings, then send them."""
    count = services.booking_reminders_schedule()
    services.booking_messages_send_due()
    return count
