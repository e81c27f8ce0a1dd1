"""Writes: notify, deliver (with retries and quiet hours), manual retry, inbox, preferences."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.people.models import Person
from dangjian.platform.audit import record_event
from dangjian.platform.crypto import mask_phone

from .channels import DeliveryResult, Recipient, get_channel
from .message_templates import render_message
from .models import (
    ChannelName,
    Delivery,
    Message,
    MessageTemplate,
    Notification,
    NotificationPreference,
    NotificationTarget,
    ScheduledReminder,
)
from .policy import next_retry_at, quiet_until
from .selectors import template_for, user_channels

logger = logging.getLogger("dangjian.notifications")

# A claimed delivery is not picked again for this long (covers a hung SMTP/HTTP call).
CLAIM_LEASE = dt.timedelta(minutes=10)
DUE_STATUSES = (Delivery.Status.PENDING, Delivery.Status.DEFERRED, Delivery.Status.FAILED)


def _user_phone(user) -> str:
    person = Person.objects.filter(user=user).only("phone").first()
    return person.phone if person else ""


def _address_display(user, channel: str) -> str:
    if channel == ChannelName.EMAIL:
        return user.email
    if channel == ChannelName.SMS:
        return mask_phone(_user_phone(user))
    return ""


def notify(
    *,
    kind: str,
    recipients,
    context: dict,
    urgent: bool = False,
    actor=None,
    now: dt.datetime | None = None,
) -> Message:
    """Send a message of ``kind`` to users and/or NotificationTargets.

    Renders the kind's template once, writes the message and one delivery per recipient ×
    channel (preferences applied; non-urgent pushes inside quiet hours are deferred) in one
    transaction, and hands the deliveries to the job queue after commit. A template variable
    missing from ``context`` marks every delivery failed with the variable's name.
    """
    now = now or timezone.now()
    template = template_for(kind)
    rendered = render_message(template.subject, template.body, context)
    with transaction.atomic():
        message = Message.objects.create(
            kind=kind,
            subject=rendered.subject[:200],
            body=rendered.body,
            context=json.loads(json.dumps(context, cls=DjangoJSONEncoder)),
            urgent=urgent,
            render_error=rendered.error[:500],
            actor=actor if getattr(actor, "pk", None) else None,
        )
        deliveries = []
        seen = set()
        for recipient in recipients:
            key = (type(recipient).__name__, recipient.pk)
            if key in seen:  # the same user named twice (e.g. secretary and member) gets one
                continue
            seen.add(key)
            if isinstance(recipient, NotificationTarget):
                if recipient.receives(kind):
                    deliveries.append(
                        Delivery(
                            message=message,
                            target=recipient,
                            channel=recipient.channel,
                            address_display=recipient.name,
                        )
                    )
                continue
            for channel in user_channels(recipient, kind):
                deliveries.append(
                    Delivery(
                        message=message,
                        user=recipient,
                        channel=channel,
                        address_display=_address_display(recipient, channel),
                    )
                )
        for delivery in deliveries:
            if message.render_error:
                delivery.status = Delivery.Status.FAILED
                delivery.last_error = message.render_error
                continue
            wait_until = quiet_until(now, delivery.channel, urgent)
            if wait_until is not None:
                delivery.status = Delivery.Status.DEFERRED
            delivery.next_attempt_at = wait_until or now
        Delivery.objects.bulk_create(deliveries)
        record_event(
            actor=actor,
            verb="notification.sent",
            target=message,
            summary=message.subject,
            data={"kind": kind, "deliveries": len(deliveries), "error": message.render_error},
        )
        ready = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
        transaction.on_commit(lambda: dispatch(ready))
    return message


def dispatch(delivery_ids: list[int]) -> None:
    """Hand deliveries to the job queue (Huey when installed), or send them right here.

    DANGJIAN_NOTIFY_DISPATCH may force "huey", "inline" or "none" (left for the periodic
    retry job). Whatever happens here, the rows stay due, so the periodic job catches up.
    """
    mode = getattr(settings, "DANGJIAN_NOTIFY_DISPATCH", "") or (
        "huey" if "huey.contrib.djhuey" in settings.INSTALLED_APPS else "inline"
    )
    if mode == "none":
        return
    for pk in delivery_ids:
        try:
            if mode == "huey":
                from .tasks import deliver

                deliver(pk)
            else:
                deliver_one(delivery_id=pk)
        except Exception:
            # A queue outage must not break the page that notified; the row stays due.
            logger.exception("dispatching delivery %s failed", pk)


def _recipient(delivery: Delivery) -> Recipient:
    if delivery.target_id:
        return Recipient(target=delivery.target, address=delivery.target.address)
    user = delivery.user
    address = ""
    if delivery.channel == ChannelName.EMAIL:
        address = user.email
    elif delivery.channel == ChannelName.SMS:
        address = _user_phone(user)  # decrypted here, in memory only
    return Recipient(user=user, address=address)


def deliver_one(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Try one due delivery now; returns its new status (idempotent, safe to run twice).

    The row is claimed with a conditional UPDATE (attempts + 1, next attempt pushed out by a
    lease), so two workers never send the same delivery; the channel call happens outside
    any transaction. Failures are recorded with the next attempt from the backoff table.
    """
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("message", "user", "target").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status == Delivery.Status.SENT:
        return delivery.status if delivery else ""
    if delivery.message.render_error:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED,
            last_error=delivery.message.render_error,
            next_attempt_at=None,
        )
        return Delivery.Status.FAILED
    wait_until = quiet_until(now, delivery.channel, delivery.message.urgent)
    if wait_until is not None:
        Delivery.objects.filter(pk=delivery_id, status__in=DUE_STATUSES).update(
            status=Delivery.Status.DEFERRED, next_attempt_at=wait_until
        )
        return Delivery.Status.DEFERRED
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=DUE_STATUSES, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return delivery.status  # not due, or another worker holds it
    attempts = delivery.attempts + 1
    try:
        result = get_channel(delivery.channel).send(delivery.message, _recipient(delivery))
    except Exception as exc:  # a bug in a channel must not lose the message either
        logger.exception("channel %s crashed on delivery %s", delivery.channel, delivery_id)
        result = DeliveryResult(False, f"内部错误：{exc!r}")
    if result.ok:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.SENT, sent_at=now, last_error="", next_attempt_at=None
        )
        return Delivery.Status.SENT
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.FAILED,
        last_error=result.error[:1000],
        next_attempt_at=next_retry_at(now, attempts) if result.retry else None,
    )
    return Delivery.Status.FAILED


def deliver_pending(now: dt.datetime | None = None, *, limit: int = 500) -> dict[str, int]:
    """Send every delivery that is due (new, deferred past quiet hours, or due for retry)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        status = deliver_one(delivery_id=pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts


def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """Manual 重试: make a failed (or deferred) delivery due now and dispatch it.

    A message that failed on a missing template variable is rendered again from the current
    template first; if the variable is still missing the delivery stays failed.
    """
    with transaction.atomic():
        message = delivery.message
        if message.render_error:
            template = template_for(message.kind)
            rendered = render_message(template.subject, template.body, message.context)
            message.subject, message.body = rendered.subject[:200], rendered.body
            message.render_error = rendered.error[:500]
            message.save(update_fields=["subject", "body", "render_error"])
        if message.render_error:
            delivery.last_error = message.render_error
            delivery.save(update_fields=["last_error"])
        elif delivery.status != Delivery.Status.SENT:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["status", "next_attempt_at"])
            pk = delivery.pk
            transaction.on_commit(lambda: dispatch([pk]))
        record_event(
            actor=actor,
            verb="notification.retry",
            target=delivery,
            summary=str(delivery)[:500],
        )
    return delivery


def notification_mark_read(*, user, notification: Notification) -> None:
    """Mark one of the user's own inbox items read."""
    if notification.user_id != user.pk:
        raise PermissionError("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notification_mark_all_read(*, user) -> int:
    """Mark every unread item of the user's inbox read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_save(*, user, switches: dict[tuple[str, str], bool], pause_all: bool) -> None:
    """Replace the user's preferences: one switch per (kind, channel), and the pause-all."""
    with transaction.atomic():
        NotificationPreference.objects.filter(user=user).delete()
        rows = [
            NotificationPreference(user=user, kind=kind, channel=channel, enabled=enabled)
            for (kind, channel), enabled in switches.items()
        ]
        if pause_all:
            rows.append(NotificationPreference(user=user, kind="", channel="", enabled=False))
        NotificationPreference.objects.bulk_create(rows)


def target_save(*, actor, form) -> NotificationTarget:
    """Create or update a group target from a valid TargetForm (address kept when blank)."""
    with transaction.atomic():
        created = form.instance.pk is None
        target = form.save()
        record_event(
            actor=actor,
            verb="notification.target_created" if created else "notification.target_changed",
            target=target,
            summary=f"{target.name}（{target.get_channel_display()}）",
        )
    return target


def target_send_test(*, actor, target: NotificationTarget) -> Message:
    """Send an urgent test notice to one target, to check its address works."""
    return notify(
        kind="notice",
        recipients=[target],
        context={
            "title": "测试消息",
            "content": f"这是党建+发往“{target.name}”的测试消息，收到即表示配置正确。",
        },
        urgent=True,
        actor=actor,
    )


def message_template_update(*, actor, form) -> MessageTemplate:
    """Save an edited message template (syntax already checked by the form)."""
    with transaction.atomic():
        template = form.save()
        record_event(
            actor=actor,
            verb="notification.template_changed",
            target=template,
            summary=template.name,
            data={"subject": template.subject, "body": template.body},
        )
    return template


@transaction.atomic
def reminder_schedule(
    *,
    actor,
    title: str,
    content: str,
    due_at: dt.datetime,
    unit,
    users=(),
    targets=(),
    urgent: bool = False,
) -> ScheduledReminder:
    """Schedule a reminder; the periodic task sends it once when ``due_at`` has come."""
    if not list(users) and not list(targets):
        raise ValidationError({"users": _("请至少选择一个接收人或接收群组")})
    reminder = ScheduledReminder(
        title=title, content=content, due_at=due_at, unit=unit, urgent=urgent, created_by=actor
    )
    reminder.full_clean()
    reminder.save()
    reminder.users.set(users)
    reminder.targets.set(targets)
    record_event(actor=actor, verb="reminder.schedule", target=reminder, summary=title)
    return reminder


def reminders_send_due(now: dt.datetime | None = None) -> int:
    """Send every due, unsent reminder through notify(); each one exactly once.

    The conditional UPDATE claims a reminder before sending, so two workers (or a retry)
    never send the same reminder twice.
    """
    now = now or timezone.now()
    sent = 0
    due = ScheduledReminder.objects.filter(sent_at__isnull=True, due_at__lte=now).order_by("due_at")
    for reminder_id in list(due.values_list("pk", flat=True)[:200]):
        with transaction.atomic():
            if not ScheduledReminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(
                sent_at=now
            ):
                continue
            reminder = ScheduledReminder.objects.get(pk=reminder_id)
            message = notify(
                kind="notice",
                recipients=[*reminder.users.all(), *reminder.targets.all()],
                context={"title": reminder.title, "content": reminder.content},
                urgent=reminder.urgent,
                actor=reminder.created_by,
                now=now,
            )
            ScheduledReminder.objects.filter(pk=reminder_id).update(message=message)
            sent += 1
    return sent
