from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dangjian.disclosure import public_guard
from dangjian.disclosure.models import Notice, Objection


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Only this client's counter (the cache may be a Redis shared with other tests)."""
    key = public_guard._client_key(SimpleNamespace(META={"REMOTE_ADDR": "127.0.0.1"}))
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture
def public_notice(make_notice):
    today = timezone.localdate()
    return make_notice(starts_on=today, publish=True, today=today, audience=Notice.Audience.PUBLIC)


def _form(client, notice):
    response = client.get(reverse("disclosure:public_detail", args=[notice.pk]))
    return response.context["form"]["token"].value()


def test_anyone_reads_public_notices_without_logging_in(client, cast, public_notice, make_notice):
    internal = make_notice(publish=True, title="内部党务公开", kind="party_affairs")
    body = client.get(reverse("disclosure:public_list")).content.decode()
    assert public_notice.title in body and "内部党务公开" not in body
    assert client.get(reverse("disclosure:public_detail", args=[internal.pk])).status_code == 404
    assert (
        client.get(reverse("disclosure:public_detail", args=[public_notice.pk])).status_code == 200
    )


def test_the_public_page_leaks_no_objection_or_personal_data(client, cast, public_notice):
    token = _form(client, public_notice)
    client.post(
        reverse("disclosure:public_object", args=[public_notice.pk]),
        {
            "content": "实名反映情况",
            "contact_name": "王大妈",
            "contact_phone": "13900001111",
            "token": token,
        },
    )
    body = client.get(reverse("disclosure:public_detail", args=[public_notice.pk])).content.decode()
    assert "王大妈" not in body and "13900001111" not in body and "实名反映情况" not in body


def test_an_anonymous_public_objection_is_taken_once(client, cast, public_notice):
    token = _form(client, public_notice)
    url = reverse("disclosure:public_object", args=[public_notice.pk])
    response = client.post(url, {"content": "匿名反映", "anonymous": "on", "token": token})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.is_anonymous and objection.submitted_by is None
    assert objection.contact_name == "" and objection.contact_phone == ""
    replay = client.post(url, {"content": "匿名反映", "anonymous": "on", "token": token})
    assert replay.status_code == 422
    assert "已提交过" in replay.content.decode()
    assert Objection.objects.count() == 1


def test_a_forged_token_is_refused(client, cast, public_notice):
    response = client.post(
        reverse("disclosure:public_object", args=[public_notice.pk]),
        {"content": "x", "anonymous": "on", "token": "forged"},
    )
    assert response.status_code == 422
    assert "表单已过期或无效" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_named_public_objection_needs_name_and_phone(client, cast, public_notice):
    response = client.post(
        reverse("disclosure:public_object", args=[public_notice.pk]),
        {"content": "反映", "token": _form(client, public_notice)},
    )
    text = response.content.decode()
    assert "姓名：实名反映请填写姓名" in text and "联系电话：" in text
    assert not Objection.objects.exists()


def test_the_public_form_is_rate_limited(client, cast, public_notice):
    url = reverse("disclosure:public_object", args=[public_notice.pk])
    for _ in range(public_guard.RATE_LIMIT):
        token = public_guard.issue_token(public_notice.pk)
        assert (
            client.post(url, {"content": "x", "anonymous": "on", "token": token}).status_code == 302
        )
    token = public_guard.issue_token(public_notice.pk)
    response = client.post(url, {"content": "x", "anonymous": "on", "token": token})
    assert response.status_code == 429
    assert Objection.objects.count() == public_guard.RATE_LIMIT


def test_public_attachments_only_for_public_notices(client, cast, make_notice, public_notice):
    from dangjian.disclosure.models import Attachment

    internal = make_notice(publish=True, kind="party_affairs")
    for notice in (public_notice, internal):
        a = Attachment(notice=notice, name="材料.txt")
        a.file.save("a.txt", __import__("django.core.files.base", fromlist=["x"]).ContentFile(b"x"))
    public_a, internal_a = Attachment.objects.order_by("pk")
    assert (
        client.get(reverse("disclosure:public_attachment", args=[public_a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("disclosure:public_attachment", args=[internal_a.pk])).status_code == 404
    )
