"""定时提醒: the office schedules a reminder; when due it reaches the inbox and the group robot."""

import datetime as dt

from django.utils import timezone

from dangjian.notifications.models import Notification, NotificationTarget, ScheduledReminder
from dangjian.notifications.services import deliver_pending, reminders_send_due
from dangjian.notifications.tasks import send_due_reminders


def _robot(cast, url):
    return NotificationTarget.objects.create(
        name="东湖党员群", channel="wecom", address=url, unit=cast.city.east
    )


def _schedule(login, cast, **extra):
    data = {
        "title": "主题党日",
        "content": "本周五下午三点在三楼会议室开展主题党日活动",
        "due_at": (timezone.localtime() + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "unit": cast.city.east.pk,
        "users": [cast.member.pk, cast.secretary.pk],
    }
    data.update(extra)
    return login(cast.office).post("/notifications/reminders/new/", data)


def test_office_schedules_a_reminder_and_sees_it_pending(login, cast):
    response = _schedule(login, cast)
    assert response.status_code == 302
    reminder = ScheduledReminder.objects.get()
    assert reminder.sent_at is None
    page = login(cast.office).get("/notifications/reminders/").content.decode()
    assert "主题党日" in page and "待发送" in page


def test_a_reminder_needs_someone_to_receive_it(login, cast):
    response = _schedule(login, cast, users=[])
    assert "请至少选择一个接收人或接收群组" in response.content.decode()
    assert not ScheduledReminder.objects.exists()


def test_due_reminder_reaches_the_inbox_and_the_local_webhook_once(login, cast, http_server):
    target = _robot(cast, http_server.url("/robot"))
    _schedule(login, cast, targets=[target.pk])
    reminder = ScheduledReminder.objects.get()

    assert reminders_send_due(now=reminder.due_at - dt.timedelta(minutes=1)) == 0
    assert reminders_send_due(now=reminder.due_at) == 1
    assert reminders_send_due(now=reminder.due_at + dt.timedelta(minutes=1)) == 0  # once
    deliver_pending(now=reminder.due_at)

    assert Notification.objects.filter(user=cast.member, message__subject="主题党日").count() == 1
    [request] = http_server.received
    assert request.json["text"]["content"].startswith("主题党日\n本周五下午三点")
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.message is not None


def test_the_periodic_task_sends_what_is_due(cast):
    reminder = ScheduledReminder.objects.create(
        title="党费缴纳",
        content="请于月底前缴纳本月党费",
        due_at=timezone.now(),
        unit=cast.city.east,
        created_by=cast.office,
    )
    reminder.users.set([cast.member])
    assert send_due_reminders.call_local() == 1
    deliver_pending()
    assert Notification.objects.filter(user=cast.member).count() == 1


def test_outsider_and_member_cannot_see_the_office_reminders(login, cast):
    _schedule(login, cast)
    assert login(cast.outsider).get("/notifications/reminders/").status_code == 404
    assert login(cast.member).get("/notifications/reminders/new/").status_code == 404
