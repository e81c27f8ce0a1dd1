"""notify(): preferences, group targets, quiet hours, missing template variables, dispatch."""

import datetime as dt
import zoneinfo

import pytest

from dangjian.notifications.models import (
    Delivery,
    Message,
    MessageTemplate,
    Notification,
    NotificationTarget,
)
from dangjian.notifications.services import (
    deliver_pending,
    delivery_retry,
    notify,
    preferences_save,
)
from dangjian.platform.models import AuditEvent

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOTICE = {"title": "学习通知", "content": "请学习二十届三中全会精神"}


def at(hour, minute=0, day=1):
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


def channels_of(user):
    return sorted(Delivery.objects.filter(user=user).values_list("channel", flat=True))


def test_default_templates_are_seeded_in_chinese():
    template = MessageTemplate.objects.get(kind="meeting_reminder")
    assert template.name == "会议提醒"
    assert "请准时参加" in template.body


def test_notify_writes_one_message_and_one_delivery_per_recipient_and_channel(cast, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "console"]
    message = notify(
        kind="notice", recipients=[cast.member, cast.secretary], context=NOTICE, actor=cast.office
    )
    assert message.subject == "学习通知"
    assert message.actor == cast.office
    assert Delivery.objects.filter(message=message).count() == 4
    assert {d.status for d in Delivery.objects.all()} == {"pending"}
    event = AuditEvent.objects.get(verb="notification.sent")
    assert event.actor == cast.office and event.data["deliveries"] == 4


def test_user_preferences_decide_the_push_channels(cast, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "email"]
    preferences_save(
        user=cast.member,
        switches={("notice", "email"): False, ("notice", "sms"): True},
        pause_all=False,
    )
    notify(kind="notice", recipients=[cast.member, cast.secretary], context=NOTICE)
    assert channels_of(cast.member) == ["inbox", "sms"]
    assert channels_of(cast.secretary) == ["email", "inbox"]  # defaults untouched

    Delivery.objects.all().delete()
    notify(
        kind="task_overdue",
        recipients=[cast.member],
        context={"name": "李四", "task": "x", "due": "昨天"},
    )
    assert channels_of(cast.member) == ["email", "inbox"]  # the switch was for "notice" only


def test_pausing_all_pushes_keeps_only_the_inbox(cast, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "email", "sms"]
    preferences_save(user=cast.member, switches={("notice", "sms"): True}, pause_all=True)
    notify(kind="notice", recipients=[cast.member], context=NOTICE)
    assert channels_of(cast.member) == ["inbox"]


def test_group_target_receives_only_the_kinds_it_subscribed(cast):
    target = NotificationTarget.objects.create(
        name="东湖片区群",
        channel="wecom",
        address="http://127.0.0.1:9/robot",
        unit=cast.city.east,
        kinds=["holiday_greeting"],
    )
    muted = NotificationTarget.objects.create(
        name="停用群", channel="wecom", address="http://x", unit=cast.city.east, is_active=False
    )
    notify(kind="notice", recipients=[target, muted], context=NOTICE)
    assert not Delivery.objects.exists()
    notify(
        kind="holiday_greeting",
        recipients=[target, muted],
        context={"name": "各位客户", "holiday": "中秋节", "unit": "东湖县局"},
    )
    assert list(Delivery.objects.values_list("target__name", flat=True)) == ["东湖片区群"]


def test_target_address_is_encrypted_at_rest(cast):
    from django.db import connection

    target = NotificationTarget.objects.create(
        name="群",
        channel="wecom",
        address="https://qyapi.weixin.qq.com/x?key=SECRET",
        unit=cast.city.east,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT address FROM notifications_notificationtarget WHERE id = %s", [target.pk]
        )
        assert "SECRET" not in cursor.fetchone()[0]


def test_quiet_hours_defer_pushes_until_morning_but_not_the_inbox(cast, settings, smtp_server):
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = "22:00-07:00"
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "email"]
    cast.member.email = "lisi@example.cn"
    cast.member.save()

    notify(kind="notice", recipients=[cast.member], context=NOTICE, now=at(23, 10))
    email = Delivery.objects.get(channel="email")
    assert email.status == "deferred"
    assert email.next_attempt_at == at(7, 0, day=2)

    deliver_pending(at(23, 15))
    assert Notification.objects.filter(user=cast.member).count() == 1  # inbox is silent
    deliver_pending(at(6, 59, day=2))
    assert smtp_server.messages == []

    deliver_pending(at(7, 0, day=2))
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1
    assert len(smtp_server.messages) == 1


def test_urgent_messages_ignore_quiet_hours(cast, settings, smtp_server):
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = "22:00-07:00"
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["email"]
    cast.member.email = "lisi@example.cn"
    cast.member.save()
    notify(kind="notice", recipients=[cast.member], context=NOTICE, urgent=True, now=at(2))
    deliver_pending(at(2, 1))
    assert Delivery.objects.get(channel="email").status == "sent"
    assert len(smtp_server.messages) == 1


def test_quiet_hours_within_one_day(cast, settings):
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = "12:00-14:00"
    target = NotificationTarget.objects.create(
        name="群", channel="wecom", address="http://127.0.0.1:9/", unit=cast.city.east
    )
    notify(kind="notice", recipients=[target], context=NOTICE, now=at(12, 30))
    assert Delivery.objects.get().next_attempt_at == at(14)
    Delivery.objects.all().delete()
    notify(kind="notice", recipients=[target], context=NOTICE, now=at(15))
    assert Delivery.objects.get().status == "pending"


def test_missing_template_variable_fails_every_delivery_with_its_name(cast, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "console"]
    context = {"name": "李四", "branch": "东湖县局党支部", "when": "明天", "meeting": "党课"}
    message = notify(kind="meeting_reminder", recipients=[cast.member], context=context)

    assert message.render_error == "模板缺少变量：place"
    assert "[缺少:place]" in message.body  # what the log shows; nothing is sent like this
    deliveries = Delivery.objects.filter(message=message)
    assert {(d.status, d.last_error) for d in deliveries} == {("failed", "模板缺少变量：place")}
    assert all(d.next_attempt_at is None for d in deliveries)
    deliver_pending()
    assert not Notification.objects.exists()


def test_retry_after_fixing_the_template_sends_the_message(
    cast, django_capture_on_commit_callbacks, settings
):
    settings.DANGJIAN_NOTIFY_DISPATCH = "inline"
    MessageTemplate.objects.filter(kind="notice").update(body="{{ content }}（{{ signer }}）")
    message = notify(kind="notice", recipients=[cast.member], context=NOTICE)
    delivery = Delivery.objects.get(message=message)
    assert delivery.last_error == "模板缺少变量：signer"

    delivery_retry(actor=cast.office, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "signer" in delivery.last_error

    MessageTemplate.objects.filter(kind="notice").update(body="{{ content }}")
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=cast.office, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert Notification.objects.get(user=cast.member).message.body == NOTICE["content"]
    assert AuditEvent.objects.filter(verb="notification.retry").count() == 2


def test_template_syntax_error_is_reported_not_raised(cast):
    MessageTemplate.objects.filter(kind="notice").update(body="{% if %}")
    message = notify(kind="notice", recipients=[cast.member], context=NOTICE)
    assert message.render_error.startswith("模板语法错误")
    assert Delivery.objects.get().status == "failed"


def test_unknown_kind_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="没有消息类型"):
        notify(kind="no_such_kind", recipients=[cast.member], context={})


def test_deleted_default_template_is_recreated_on_first_use(cast):
    MessageTemplate.objects.filter(kind="birthday_greeting").delete()
    message = notify(
        kind="birthday_greeting",
        recipients=[cast.member],
        context={"name": "王老板", "unit": "东湖县局"},
    )
    assert message.body == "王老板，祝您生日快乐，生意兴隆，阖家幸福！——东湖县局"
    assert MessageTemplate.objects.filter(kind="birthday_greeting").exists()


def test_inline_dispatch_sends_after_commit(cast, settings, django_capture_on_commit_callbacks):
    settings.DANGJIAN_NOTIFY_DISPATCH = "inline"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(kind="notice", recipients=[cast.member], context=NOTICE)
    assert not Notification.objects.exists()  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(user=cast.member).count() == 1
    assert Message.objects.get().deliveries.get().status == "sent"


def test_delivering_twice_sends_once(cast):
    from dangjian.notifications.services import deliver_one

    notify(kind="notice", recipients=[cast.member], context=NOTICE)
    delivery = Delivery.objects.get()
    assert deliver_one(delivery_id=delivery.pk) == "sent"
    assert deliver_one(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert Notification.objects.count() == 1


def test_a_recipient_named_twice_gets_one_copy(cast):
    notify(kind="notice", recipients=[cast.member, cast.member], context=NOTICE)
    assert Delivery.objects.count() == 1
