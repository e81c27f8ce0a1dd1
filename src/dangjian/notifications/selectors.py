"""Reads: templates, a user's effective channels, the inbox, the delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.platform.scoping import user_can

from .message_templates import DEFAULT_TEMPLATES
from .models import ChannelName, Delivery, MessageTemplate, Notification

# Channels a user can receive on; the inbox is always on so nothing is lost for a user.
USER_CHANNELS = (ChannelName.INBOX, ChannelName.EMAIL, ChannelName.SMS, ChannelName.CONSOLE)
MANDATORY_CHANNELS = (ChannelName.INBOX,)


def template_for(kind: str) -> MessageTemplate:
    """The template of ``kind``; a seeded default is re-created on first use if missing."""
    template = MessageTemplate.objects.filter(kind=kind).first()
    if template is not None:
        return template
    for default_kind, name, subject, body in DEFAULT_TEMPLATES:
        if default_kind == kind:
            template, _ = MessageTemplate.objects.get_or_create(
                kind=kind, defaults={"name": name, "subject": subject, "body": body}
            )
            return template
    raise ValueError(f"没有消息类型“{kind}”的模板")


def push_channels() -> list[str]:
    """The channels a user may switch on or off on the preferences page."""
    defaults = settings.DANGJIAN_NOTIFY_USER_CHANNELS
    return [
        c
        for c in (ChannelName.EMAIL, ChannelName.SMS, ChannelName.CONSOLE)
        if c != ChannelName.CONSOLE or c in defaults
    ]


def channel_enabled(prefs, kind: str, channel: str) -> bool:
    """A matching "off" switch wins; then a matching "on" switch or the default."""
    if channel in MANDATORY_CHANNELS:
        return True
    matching = [p for p in prefs if p.kind in ("", kind) and p.channel in ("", channel)]
    if any(not p.enabled for p in matching):
        return False
    return any(p.enabled for p in matching) or channel in settings.DANGJIAN_NOTIFY_USER_CHANNELS


def user_channels(user, kind: str) -> list[str]:
    """The channels ``user`` receives messages of ``kind`` on, preferences applied."""
    prefs = list(user.notification_preferences.all())
    return [c.value for c in USER_CHANNELS if channel_enabled(prefs, kind, c)]


def user_paused_all(user) -> bool:
    return user.notification_preferences.filter(kind="", channel="", enabled=False).exists()


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own inbox items, newest first — nobody sees another user's inbox."""
    items = Notification.objects.filter(user=user).select_related("message")
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def delivery_log(
    actor, *, query: str = "", status: str = "", channel: str = ""
) -> QuerySet[Delivery]:
    """Every delivery, for those who may view the log (office, auditor); 404 otherwise."""
    if not user_can(actor, "view", Delivery):
        raise Http404
    rows = Delivery.objects.select_related("message", "user", "target")
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    if channel in ChannelName.values:
        rows = rows.filter(channel=channel)
    if query:
        rows = rows.filter(
            Q(message__subject__contains=query)
            | Q(user__username__contains=query)
            | Q(user__display_name__contains=query)
            | Q(target__name__contains=query)
            | Q(message__kind=query)
        )
    return rows
