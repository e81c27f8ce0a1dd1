"""Group targets and message templates, managed by the party office."""

import pytest
from django.urls import reverse

from dangjian.notifications.models import Delivery, MessageTemplate, NotificationTarget
from dangjian.platform.models import AuditEvent

pytestmark = pytest.mark.django_db


def east_robot(cast, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K-EAST"):
    return NotificationTarget.objects.create(
        name="东湖片区群", channel="wecom", address=url, unit=cast.city.east
    )


def test_office_adds_a_robot_target(cast, login):
    client = login(cast.office)
    response = client.post(
        reverse("notifications:target_create"),
        {
            "name": "西山片区群",
            "channel": "wecom",
            "unit": cast.city.west.pk,
            "address": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ABC",
            "kinds": ["holiday_greeting", "birthday_greeting"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    target = NotificationTarget.objects.get(name="西山片区群")
    assert target.address.endswith("key=ABC")
    assert target.kinds == ["holiday_greeting", "birthday_greeting"]
    assert AuditEvent.objects.filter(verb="notification.target_created").exists()
    page = client.get(reverse("notifications:target_list")).content.decode()
    assert "西山片区群" in page and "key=ABC" not in page


def test_robot_address_must_be_a_url(cast, login):
    response = login(cast.office).post(
        reverse("notifications:target_create"),
        {"name": "群", "channel": "wecom", "unit": cast.city.east.pk, "address": "not-a-url"},
    )
    assert response.status_code == 200
    assert "群机器人地址必须以 http:// 或 https:// 开头" in response.content.decode()
    assert not NotificationTarget.objects.exists()


def test_editing_without_an_address_keeps_the_stored_one(cast, login):
    target = east_robot(cast)
    response = login(cast.office).post(
        reverse("notifications:target_edit", args=[target.pk]),
        {"name": "东湖片区客户群", "channel": "wecom", "unit": cast.city.east.pk, "address": ""},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.name == "东湖片区客户群"
    assert target.address.endswith("key=K-EAST")
    assert target.is_active is False  # the unchecked box


def test_test_button_sends_to_the_robot(
    cast, login, settings, http_server, django_capture_on_commit_callbacks
):
    settings.DANGJIAN_NOTIFY_DISPATCH = "inline"
    target = east_robot(cast, http_server.url("/robot"))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.office).post(reverse("notifications:target_test", args=[target.pk]))
    assert response.status_code == 302
    assert "测试消息" in http_server.received[0].json["text"]["content"]
    assert Delivery.objects.get().status == "sent"


@pytest.mark.parametrize("who", ["member", "secretary", "outsider"])
def test_non_office_users_cannot_manage_targets(cast, login, who):
    target = east_robot(cast)
    client = login(getattr(cast, who))
    assert client.get(reverse("notifications:target_list")).status_code == 404
    assert client.get(reverse("notifications:target_edit", args=[target.pk])).status_code == 404
    assert client.post(reverse("notifications:target_test", args=[target.pk])).status_code == 404
    assert client.get(reverse("notifications:template_list")).status_code == 404


def test_auditor_reads_targets_but_cannot_edit(cast, login):
    target = east_robot(cast)
    client = login(cast.auditor)
    assert "东湖片区群" in client.get(reverse("notifications:target_list")).content.decode()
    assert client.get(reverse("notifications:target_edit", args=[target.pk])).status_code == 404
    template = MessageTemplate.objects.get(kind="notice")
    assert client.get(reverse("notifications:template_edit", args=[template.pk])).status_code == 404


def test_office_edits_a_template_and_bad_syntax_is_refused(cast, login):
    template = MessageTemplate.objects.get(kind="meeting_reminder")
    client = login(cast.office)
    url = reverse("notifications:template_edit", args=[template.pk])
    response = client.post(url, {"name": "会议提醒", "subject": "{% if %}", "body": "x"})
    assert response.status_code == 200
    assert "模板语法错误" in response.content.decode()

    response = client.post(
        url,
        {
            "name": "会议提醒",
            "subject": "【提醒】{{ meeting }}",
            "body": "{{ name }}：请参加{{ meeting }}",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "【提醒】{{ meeting }}"
    assert AuditEvent.objects.filter(verb="notification.template_changed").exists()
