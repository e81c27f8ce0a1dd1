"""Inbox, bell, preferences and the delivery log, as their users see them."""

import pytest
from django.urls import reverse

from dangjian.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationTarget,
)
from dangjian.notifications.services import deliver_pending, notify

pytestmark = pytest.mark.django_db


def send_notice(user, title="学习通知", content="请按时参加学习"):
    notify(kind="notice", recipients=[user], context={"title": title, "content": content})
    deliver_pending()
    return Notification.objects.filter(user=user).latest("pk")


def test_bell_shows_the_unread_count(cast, login):
    send_notice(cast.member)
    send_notice(cast.member, title="第二条")
    response = login(cast.member).get(reverse("notifications:bell"))
    assert response.status_code == 200
    assert 'data-unread="2"' in response.content.decode()


def test_bell_without_unread_shows_no_badge(cast, login):
    response = login(cast.secretary).get(reverse("notifications:bell"))
    assert "data-unread" not in response.content.decode()


def test_every_page_loads_the_bell(cast, login):
    response = login(cast.member).get(reverse("notifications:inbox"))
    assert f'hx-get="{reverse("notifications:bell")}"' in response.content.decode()


def test_inbox_lists_only_my_notifications(cast, login):
    send_notice(cast.member, title="给李四的通知")
    send_notice(cast.outsider, title="给赵六的通知")
    page = login(cast.member).get(reverse("notifications:inbox")).content.decode()
    assert "给李四的通知" in page and "请按时参加学习" in page
    assert "给赵六的通知" not in page


def test_mark_read_and_mark_all_read(cast, login):
    first = send_notice(cast.member, title="一")
    send_notice(cast.member, title="二")
    client = login(cast.member)

    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    unread_page = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "二" in unread_page and "1 条未读" in unread_page

    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=cast.member, read_at__isnull=True).exists()


def test_mark_read_over_htmx_returns_the_row(cast, login):
    item = send_notice(cast.member)
    response = login(cast.member).post(
        reverse("notifications:mark_read", args=[item.pk]), HTTP_HX_REQUEST="true"
    )
    assert f'id="notification-{item.pk}"' in response.content.decode()
    assert "标为已读" not in response.content.decode()


def test_outsider_cannot_touch_someone_elses_inbox_item(cast, login):
    item = send_notice(cast.member)
    response = login(cast.outsider).post(reverse("notifications:mark_read", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_inbox_paginates(cast, login):
    for n in range(30):
        notify(
            kind="notice", recipients=[cast.member], context={"title": f"第{n}条", "content": "c"}
        )
    deliver_pending()
    page = login(cast.member).get(reverse("notifications:inbox")).content.decode()
    assert "共 30 条" in page and "下一页" in page


def test_preferences_page_saves_switches(cast, login, settings):
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox", "email"]
    client = login(cast.member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "会议提醒" in page and "电子邮件" in page

    response = client.post(
        reverse("notifications:preferences"), {"meeting_reminder__sms": "on", "notice__email": "on"}
    )
    assert response.status_code == 302
    prefs = {
        (p.kind, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user=cast.member)
    }
    assert prefs[("meeting_reminder", "sms")] is True
    assert prefs[("meeting_reminder", "email")] is False
    assert prefs[("notice", "email")] is True

    client.post(reverse("notifications:preferences"), {"pause_all": "on"})
    assert NotificationPreference.objects.filter(
        user=cast.member, kind="", channel="", enabled=False
    ).exists()
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert form["pause_all"].value() is True


def failed_robot_delivery(cast):
    target = NotificationTarget.objects.create(
        name="东湖片区群", channel="wecom", address="http://127.0.0.1:9/robot", unit=cast.city.east
    )
    notify(kind="notice", recipients=[target], context={"title": "停电通知", "content": "明天"})
    deliver_pending()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    return delivery


def test_office_sees_failed_deliveries_with_error_and_retry_button(cast, login):
    delivery = failed_robot_delivery(cast)
    page = login(cast.office).get(reverse("notifications:delivery_log")).content.decode()
    assert "停电通知" in page and "东湖片区群" in page and "网络错误" in page
    assert reverse("notifications:delivery_retry", args=[delivery.pk]) in page
    filtered = login(cast.office).get(reverse("notifications:delivery_log") + "?status=sent")
    assert "停电通知" not in filtered.content.decode()


def test_auditor_sees_the_log_but_cannot_retry(cast, login):
    delivery = failed_robot_delivery(cast)
    client = login(cast.auditor)
    page = client.get(reverse("notifications:delivery_log")).content.decode()
    assert "停电通知" in page
    assert reverse("notifications:delivery_retry", args=[delivery.pk]) not in page
    response = client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["member", "secretary", "outsider"])
def test_others_cannot_see_the_delivery_log(cast, login, who):
    delivery = failed_robot_delivery(cast)
    client = login(getattr(cast, who))
    assert client.get(reverse("notifications:delivery_log")).status_code == 404
    assert (
        client.post(reverse("notifications:delivery_retry", args=[delivery.pk])).status_code == 404
    )


def test_manual_retry_resends_once_the_robot_is_back(
    cast, login, settings, http_server, django_capture_on_commit_callbacks
):
    settings.DANGJIAN_NOTIFY_DISPATCH = "inline"
    delivery = failed_robot_delivery(cast)
    delivery.target.address = http_server.url("/robot")
    delivery.target.save()

    client = login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert http_server.received[0].json["text"]["content"] == "停电通知\n明天"


def test_navigation_shows_the_log_to_office_only(cast, login):
    url = reverse("notifications:delivery_log")
    assert url in login(cast.office).get(reverse("notifications:inbox")).content.decode()
    assert url not in login(cast.member).get(reverse("notifications:inbox")).content.decode()
