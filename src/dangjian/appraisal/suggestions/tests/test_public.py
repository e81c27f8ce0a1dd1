"""The public box (no login, phone-first): anonymous and named messages, one-use form token,
rate limit, the 200 000-character post refused whole, HTML shown as text, tracking code."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dangjian.appraisal.suggestions import guard
from dangjian.appraisal.suggestions.models import Suggestion, SuggestionBox


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def box(cast):
    return SuggestionBox.objects.create(branch=cast.city.east_branch)


def post(client, box, **data):
    values = {
        "token": guard.issue_token(box.pk),
        "topic": "advice",
        "content": "希望延长周末营业时间",
        "anonymous": "on",
    }
    values.update(data)
    return client.post(reverse("suggestions:public_submit", args=[box.key]), values)


def test_the_box_page_needs_no_login_and_fits_a_phone(client, box):
    response = client.get(reverse("suggestions:public_box", args=[box.key]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "东湖县局党支部意见箱" in body and 'name="content"' in body


def test_an_unknown_key_is_404(client, box):
    assert client.get(reverse("suggestions:public_box", args=["nope"])).status_code == 404


def test_an_anonymous_message_keeps_nothing_about_the_sender(client, box):
    response = post(client, box, contact_name="张三", contact_phone="13800000000")
    assert response.status_code == 200
    s = Suggestion.objects.get()
    assert s.is_anonymous and s.contact_name == "" and s.contact_phone == ""
    assert s.code in response.content.decode()


def test_a_named_message_keeps_the_phone_encrypted(client, box):
    from django.db import connection

    post(client, box, anonymous="", contact_name="刘先生", contact_phone="13912345678")
    s = Suggestion.objects.get()
    assert s.contact_phone == "13912345678"
    assert s.contact_phone_masked == "139****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM appraisal_suggestions_suggestion")
        assert "13912345678" not in cursor.fetchone()[0]


def test_a_named_message_needs_name_and_phone(client, box):
    response = post(client, box, anonymous="", contact_name="", contact_phone="123")
    assert response.status_code == 422
    body = response.content.decode()
    assert "姓名：实名留言请填写姓名" in body and "联系电话" in body
    assert not Suggestion.objects.exists()


def test_a_replayed_form_is_refused(client, box):
    token = guard.issue_token(box.pk)
    post(client, box, token=token)
    response = post(client, box, token=token)
    assert response.status_code == 422
    assert "请勿重复提交" in response.content.decode()
    assert Suggestion.objects.count() == 1


def test_a_forged_token_is_refused(client, box):
    response = post(client, box, token="forged")
    assert response.status_code == 422
    assert not Suggestion.objects.exists()


def test_a_200000_character_post_is_refused_whole(client, box):
    response = post(client, box, content="长" * 200_000)
    assert response.status_code == 422
    body = response.content.decode()
    assert "留言内容：不超过 2000 字（现有 200000 字）" in body
    assert not Suggestion.objects.exists()


def test_html_is_shown_as_text(cast, client, box, login):
    post(client, box, content="<script>alert(1)</script><b>粗</b>")
    s = Suggestion.objects.get()
    track = client.get(reverse("suggestions:track_code", args=[s.code])).content.decode()
    assert "<script>alert(1)</script>" not in track
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in track
    detail = login(cast.secretary).get(reverse("suggestions:detail", args=[s.pk])).content
    assert b"<script>alert(1)" not in detail


def test_one_address_is_rate_limited(client, box):
    for _ in range(guard.LIMITS["rate_limit"]):
        assert post(client, box).status_code == 200
    response = post(client, box)
    assert response.status_code == 429
    assert Suggestion.objects.count() == guard.LIMITS["rate_limit"]


def test_a_paused_box_takes_nothing(client, box):
    box.is_open = False
    box.save()
    response = post(client, box)
    assert response.status_code == 422
    assert not Suggestion.objects.exists()


def test_the_tracking_code_shows_the_answer_and_no_contact(cast, client, box):
    from dangjian.appraisal.suggestions import services

    post(client, box, anonymous="", contact_name="刘先生", contact_phone="13912345678")
    s = Suggestion.objects.get()
    services.suggestion_answer(actor=cast.secretary, suggestion=s, answer="已安排周六值班")
    body = client.get(reverse("suggestions:track_code", args=[s.code.lower()])).content.decode()
    assert "已安排周六值班" in body
    assert "13912345678" not in body and "刘先生" not in body


def test_an_unknown_code_says_so(client, box):
    response = client.get(reverse("suggestions:track_code", args=["ABCDEFGHJKMN"]))
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_the_track_form_redirects_to_the_code(client):
    response = client.get(reverse("suggestions:track"), {"code": " abcdefghjkmn "})
    assert response["Location"] == reverse("suggestions:track_code", args=["ABCDEFGHJKMN"])
