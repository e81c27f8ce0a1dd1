"""Each channel against a real local endpoint, through notify() and the delivery job."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.notifications.models import Delivery, Notification, NotificationTarget
from dangjian.notifications.selectors import unread_count
from dangjian.notifications.services import deliver_pending, notify

pytestmark = pytest.mark.django_db

MEETING = {
    "name": "李四",
    "branch": "东湖县局党支部",
    "when": "6月1日下午3点",
    "place": "三楼会议室",
    "meeting": "支部党员大会",
}


def robot(cast, url, **extra):
    return NotificationTarget.objects.create(
        name="东湖片区群", channel="wecom", address=url, unit=cast.city.east, **extra
    )


def test_inbox_item_appears_and_counts_as_unread(cast):
    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING)
    assert unread_count(cast.member) == 0  # nothing before the delivery job runs

    deliver_pending()

    item = Notification.objects.get(user=cast.member)
    assert item.message.subject == "【会议提醒】支部党员大会"
    assert "李四同志：东湖县局党支部定于6月1日下午3点在三楼会议室召开支部党员大会" in (
        item.message.body
    )
    assert unread_count(cast.member) == 1
    assert unread_count(cast.secretary) == 0


def test_email_reaches_the_smtp_server_with_chinese_text(cast, settings, smtp_server):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "email"]
    cast.member.email = "lisi@example.cn"
    cast.member.save()

    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING)
    deliver_pending()

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail.to == ["lisi@example.cn"]
    assert mail.subject == "【会议提醒】支部党员大会"
    assert "在三楼会议室召开支部党员大会，请准时参加" in mail.body
    email = Delivery.objects.get(channel="email")
    assert email.status == "sent" and email.sent_at is not None
    assert email.address_display == "lisi@example.cn"


def test_smtp_server_refusing_marks_the_delivery_failed_for_retry(cast, settings, smtp_server):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["email"]
    cast.member.email = "lisi@example.cn"
    cast.member.save()
    smtp_server.refuse = True
    now = timezone.now()

    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING, now=now)
    deliver_pending(now)

    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "failed"
    assert "550" in delivery.last_error
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)
    assert smtp_server.messages == []

    smtp_server.refuse = False
    deliver_pending(now + dt.timedelta(minutes=2))
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(smtp_server.messages) == 1


def test_unconfigured_smtp_fails_visibly_without_automatic_retry(cast, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["email"]
    cast.member.email = "lisi@example.cn"
    cast.member.save()
    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING)
    deliver_pending()
    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "failed"
    assert "未配置SMTP服务器" in delivery.last_error
    assert delivery.next_attempt_at is None


def test_wecom_robot_receives_the_text_message_json(cast, http_server):
    target = robot(cast, http_server.url("/robot"))

    notify(kind="notice", recipients=[target], context={"title": "停电通知", "content": "明天停电"})
    deliver_pending()

    [request] = http_server.received
    assert request.json == {"msgtype": "text", "text": {"content": "停电通知\n明天停电"}}
    assert request.headers["Content-Type"].startswith("application/json")
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.target == target


def test_wecom_errcode_is_a_failure(cast, http_server):
    target = robot(cast, http_server.url("/robot-bad"))
    notify(kind="notice", recipients=[target], context={"title": "标题", "content": "内容"})
    deliver_pending()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "93000" in delivery.last_error and "invalid webhook url" in delivery.last_error


def test_sms_gateway_receives_phone_text_and_token(cast, settings, http_server):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "sms"]
    settings.DANGJIAN_SMS_GATEWAY_URL = http_server.url("/sms")
    settings.DANGJIAN_SMS_GATEWAY_TOKEN = "secret-token"
    phone = cast.people.member.phone

    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING)
    deliver_pending()

    [request] = http_server.received
    assert request.json["phone"] == phone
    assert "支部党员大会" in request.json["text"]
    assert request.headers["X-Api-Token"] == "secret-token"
    sms = Delivery.objects.get(channel="sms")
    assert sms.status == "sent"
    assert phone not in sms.address_display and sms.address_display.endswith(phone[-4:])


def test_gateway_500_fails_then_the_retry_succeeds(cast, settings, http_server):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["sms"]
    settings.DANGJIAN_SMS_GATEWAY_URL = http_server.url("/flaky")
    http_server.fail_times = 2
    start = timezone.now()

    notify(kind="meeting_reminder", recipients=[cast.member], context=MEETING, now=start)
    deliver_pending(start)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "failed" and "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=1)

    deliver_pending(start + dt.timedelta(seconds=30))  # not due yet: nothing happens
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    deliver_pending(start + dt.timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=6)

    deliver_pending(start + dt.timedelta(minutes=6))
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and delivery.last_error == ""
    assert len(http_server.received) == 3


def test_retries_stop_after_the_backoff_table_is_used_up(cast, http_server):
    target = robot(cast, http_server.url("/500"))
    start = timezone.now()
    notify(kind="notice", recipients=[target], context={"title": "t", "content": "c"}, now=start)
    for minutes in (0, 1, 6, 36, 1000):
        deliver_pending(start + dt.timedelta(minutes=minutes))
    delivery = Delivery.objects.get()
    assert delivery.attempts == 4  # first try + 3 retries (1, 5, 30 minutes)
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert not delivery.will_retry


def test_a_webhook_that_times_out_is_recorded_and_retried(cast, http_server):
    target = robot(cast, http_server.url("/slow"))
    notify(kind="notice", recipients=[target], context={"title": "t", "content": "c"})
    started = timezone.now()
    deliver_pending()
    assert (timezone.now() - started).total_seconds() < 1.9  # gave up at the 0.5 s timeout
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "超时" in delivery.last_error
    assert delivery.will_retry


def test_unreachable_robot_is_a_network_failure(cast):
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    target = robot(cast, f"http://127.0.0.1:{port}/robot")
    notify(kind="notice", recipients=[target], context={"title": "t", "content": "c"})
    deliver_pending()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "网络错误" in delivery.last_error


def test_console_channel_prints_the_message(cast, settings, capsys):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["console"]
    notify(kind="notice", recipients=[cast.member], context={"title": "开会", "content": "九点"})
    deliver_pending()
    assert "开会\n九点" in capsys.readouterr().out
    assert {d.status for d in Delivery.objects.all()} == {"sent"}
