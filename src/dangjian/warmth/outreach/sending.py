"""Sending the rows of a ``SendState`` model (broadcast deliveries, greetings, booking
messages) through the notification channels, in batches.

The rules are the notifications app's (``notifications.policy``): quiet hours defer pushes
that are not urgent, a failed attempt is retried after the backoff in
``DANGJIAN_NOTIFY_RETRY_MINUTES`` and left for a person once it is used up, a failure
repeating cannot fix (no phone number, channel not configured) is not retried.

What this module adds for tens of thousands of recipients:

- **claiming in bulk**: one conditional UPDATE stamps a batch of due rows with this run's
  token (``claim``), pushes their next attempt out by a lease and counts the attempt; only
  rows carrying the token are sent, so two workers (or a repeated job) never send a row
  twice, and a worker that dies leaves rows that become due again after the lease;
- **parallel HTTP**: network channels (SMS gateway, group robot, e-mail) are called from a
  small thread pool; the inbox and the console run in the calling thread;
- **a circuit breaker**: after ``BREAKER_FAILURES`` consecutive retryable failures of one
  channel in a run, its remaining rows of the run are not attempted but recorded as failed
  with the same error and retried on the backoff (a gateway that is down is not called
  50 000 times, and a hanging one does not hold the run for hours);
- **results in bulk**: one UPDATE per outcome (sent, or failed with an error and a next
  attempt), not one per row.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.notifications.channels import DeliveryResult, Recipient, get_channel
from dangjian.notifications.models import ChannelName, Message
from dangjian.notifications.policy import next_retry_at, quiet_until

from .models import SendStatus

logger = logging.getLogger("dangjian.outreach")

CLAIM_LEASE = dt.timedelta(minutes=10)
DUE = (SendStatus.PENDING, SendStatus.DEFERRED, SendStatus.FAILED)
BATCH = 1000
BREAKER_FAILURES = 5
NETWORK_CHANNELS = {ChannelName.SMS, ChannelName.WECOM, ChannelName.EMAIL}
ID_CHUNK = 900  # ids per IN (…) list: under SQLite's variable limit everywhere


@dataclass
class Outgoing:
    """One claimed row ready to go: its channel, where to, and the text."""

    pk: int
    channel: str
    recipient: Recipient | None = None
    message: Message | None = None
    # A failure known before sending (no phone number …): recorded as is.
    failure: DeliveryResult | None = None


def customer_channel() -> str:
    """How a customer without an account is reached: the SMS gateway when one is set up,
    else the console channel (development and the demo)."""
    return ChannelName.SMS if settings.DANGJIAN_SMS_GATEWAY_URL else ChannelName.CONSOLE


def _threads() -> int:
    return max(1, int(getattr(settings, "DANGJIAN_OUTREACH_SEND_THREADS", 8)))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def _claim(model, base, now: dt.datetime, limit: int, after: int) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows with a primary key above ``after`` (a run walks the
    rows once in key order instead of sorting what is left on every batch)."""
    token = secrets.token_hex(16)
    due_ids = list(
        base.filter(status__in=DUE, next_attempt_at__lte=now, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in _chunks(due_ids):
        model.objects.filter(pk__in=chunk, status__in=DUE, next_attempt_at__lte=now).update(
            claim=token, attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE
        )
    return token, due_ids


class _Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.run: dict[str, int] = defaultdict(int)
        self.tripped: dict[str, str] = {}

    def record(self, channel: str, result: DeliveryResult) -> None:
        with self.lock:
            if result.ok or not result.retry:
                self.run[channel] = 0
                return
            self.run[channel] += 1
            if self.run[channel] >= BREAKER_FAILURES:
                self.tripped.setdefault(channel, result.error)

    def open_for(self, channel: str) -> str | None:
        with self.lock:
            return self.tripped.get(channel)


def _send_one(item: Outgoing, breaker: _Breaker) -> DeliveryResult:
    if item.failure is not None:
        return item.failure
    tripped = breaker.open_for(item.channel)
    if tripped is not None:
        return _paused(tripped)
    try:
        result = get_channel(item.channel).send(item.message, item.recipient)
    except Exception as exc:  # a bug in a channel must not lose the batch
        logger.exception("channel %s crashed on row %s", item.channel, item.pk)
        result = DeliveryResult(False, f"内部错误：{exc!r}")
    breaker.record(item.channel, result)
    return result


def _record(model, results: list[tuple[Outgoing, DeliveryResult]], now, attempts) -> dict:
    sent = [item.pk for item, result in results if result.ok]
    failed: dict[tuple[str, dt.datetime | None], list[int]] = defaultdict(list)
    for item, result in results:
        if not result.ok:
            retry_at = next_retry_at(now, attempts[item.pk]) if result.retry else None
            failed[(result.error[:500], retry_at)].append(item.pk)
    for chunk in _chunks(sent):
        model.objects.filter(pk__in=chunk).update(
            status=SendStatus.SENT, sent_at=now, last_error="", next_attempt_at=None, claim=""
        )
    for (error, retry_at), ids in failed.items():
        for chunk in _chunks(ids):
            model.objects.filter(pk__in=chunk).update(
                status=SendStatus.FAILED, last_error=error, next_attempt_at=retry_at, claim=""
            )
    counts = {"sent": len(sent), "failed": sum(len(ids) for ids in failed.values())}
    return {k: v for k, v in counts.items() if v}


def send_due(
    model,
    build: Callable[[list], list[Outgoing]],
    *,
    base=None,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    urgent: bool = False,
) -> dict[str, int]:
    """Send up to ``limit`` due rows of ``model`` (within ``base``, a queryset); returns
    counts by outcome. ``build`` turns the claimed rows into ``Outgoing`` items."""
    counts, _last = _send_batch(model, build, base, now or timezone.now(), limit, urgent)
    return counts


def _send_batch(model, build, base, now, limit, urgent, breaker=None, after=0):
    base = base if base is not None else model.objects.all()
    breaker = breaker or _Breaker()
    token, ids = _claim(model, base, now, limit, after)
    if not ids:
        return {}, None
    rows = [
        row for chunk in _chunks(ids) for row in model.objects.filter(pk__in=chunk, claim=token)
    ]
    attempts = {row.pk: row.attempts for row in rows}
    counts: dict[str, int] = defaultdict(int)
    # Quiet hours: pushes that may wait are deferred to the end of them, not attempted.
    waiting: dict[dt.datetime, list[int]] = defaultdict(list)
    ready, results = [], []
    for row in rows:
        wait_until = quiet_until(now, row.channel, urgent)
        tripped = breaker.open_for(row.channel)
        if wait_until is not None:
            waiting[wait_until].append(row.pk)
        elif tripped is not None:  # the channel is down: not even built
            results.append((Outgoing(pk=row.pk, channel=row.channel), _paused(tripped)))
        else:
            ready.append(row)
    for until, pks in waiting.items():
        for chunk in _chunks(pks):
            model.objects.filter(pk__in=chunk).update(
                status=SendStatus.DEFERRED,
                next_attempt_at=until,
                attempts=F("attempts") - 1,
                claim="",
            )
        counts["deferred"] += len(pks)
    items = build(ready) if ready else []
    local, remote = [], []
    for item in items:
        is_remote = item.channel in NETWORK_CHANNELS and item.failure is None
        (remote if is_remote else local).append(item)
    results += [(item, _send_one(item, breaker)) for item in local]
    if remote:
        wave = _threads() * 4
        with ThreadPoolExecutor(max_workers=_threads()) as pool:
            for start in range(0, len(remote), wave):
                chunk = remote[start : start + wave]
                results += list(
                    zip(chunk, pool.map(lambda i: _send_one(i, breaker), chunk), strict=True)
                )
    for key, value in _record(model, results, now, attempts).items():
        counts[key] += value
    return {k: v for k, v in counts.items() if v}, max(ids)


def _paused(error: str) -> DeliveryResult:
    return DeliveryResult(False, _("本轮暂停发送（渠道连续失败）：%(e)s") % {"e": error})


def send_all_due(model, build, *, base=None, now=None, urgent=False, progress=None) -> dict:
    """Run batch after batch until nothing of ``base`` is due at ``now``, walking the rows
    once in key order; a channel that trips the breaker stays paused for the rest of the
    run (its rows are recorded failed and retried on the backoff)."""
    now = now or timezone.now()
    totals: dict[str, int] = defaultdict(int)
    breaker = _Breaker()
    after = 0
    while True:
        counts, last = _send_batch(model, build, base, now, BATCH, urgent, breaker, after)
        if last is None:
            break
        after = last
        for key, value in counts.items():
            totals[key] += value
        if progress is not None:
            progress(dict(totals))
    return dict(totals)


def retry_failed(model, base, *, now: dt.datetime | None = None) -> int:
    """Make the failed rows of ``base`` due again now (a person's 重试); returns how many.
    The attempt count restarts, so the backoff applies afresh."""
    now = now or timezone.now()
    return base.filter(Q(status=SendStatus.FAILED) | Q(status=SendStatus.DEFERRED)).update(
        status=SendStatus.PENDING, next_attempt_at=now, attempts=0, claim=""
    )
