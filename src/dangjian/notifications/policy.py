"""When a delivery may go out: quiet hours and retry backoff, read from settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def _parse_quiet_hours() -> tuple[dt.time, dt.time] | None:
    spec = (settings.DANGJIAN_NOTIFY_QUIET_HOURS or "").strip()
    if not spec:
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def quiet_until(now: dt.datetime, channel: str, urgent: bool) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in, for a delivery that must wait; else None.

    Urgent messages and silent channels (the inbox) never wait. Times are local (Asia/Shanghai).
    """
    hours = _parse_quiet_hours()
    if urgent or hours is None or channel not in settings.DANGJIAN_NOTIFY_QUIET_CHANNELS:
        return None
    start, end = hours
    local = timezone.localtime(now)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += dt.timedelta(days=1)
    return end_at


def next_retry_at(now: dt.datetime, attempts: int) -> dt.datetime | None:
    """When to try again after ``attempts`` failed attempts; None once the backoff is used up."""
    backoff = settings.DANGJIAN_NOTIFY_RETRY_MINUTES
    if attempts > len(backoff):
        return None
    return now + dt.timedelta(minutes=backoff[attempts - 1])
