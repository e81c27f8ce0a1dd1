"""The branch's side of the box: list with filters, answer and close, reveal (logged),
export, boxes with their QR code; outsiders see nothing of 东湖."""

import pytest
from django.urls import reverse

from dangjian.appraisal.suggestions import services
from dangjian.appraisal.suggestions.models import Suggestion, SuggestionBox
from dangjian.platform.models import AccessLog


@pytest.fixture
def box(cast):
    return SuggestionBox.objects.create(branch=cast.city.east_branch)


@pytest.fixture
def named(box):
    return services.suggestion_submit(
        box=box,
        content="东湖营业厅排队太久",
        topic="service",
        anonymous=False,
        contact_name="刘先生",
        contact_phone="13912345678",
    )


def test_list_filters_and_pins_its_queries(cast, box, named, login, django_assert_max_num_queries):
    services.suggestion_submit(box=box, content="建议多搞培训", topic="advice")
    client = login(cast.secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("suggestions:list"), {"topic": "service"}).content.decode()
    assert "排队太久" in body and "建议多搞培训" not in body
    body = client.get(reverse("suggestions:list"), {"q": named.code}).content.decode()
    assert "排队太久" in body and "建议多搞培训" not in body


def test_outsider_sees_nothing_of_the_other_branch(cast, named, login):
    client = login(cast.outsider)
    assert "排队太久" not in client.get(reverse("suggestions:list")).content.decode()
    assert client.get(reverse("suggestions:detail", args=[named.pk])).status_code == 404


def test_member_has_no_access(cast, named, login):
    assert login(cast.member).get(reverse("suggestions:list")).status_code == 404


def test_secretary_answers_then_closes(cast, named, login):
    client = login(cast.secretary)
    client.post(reverse("suggestions:answer", args=[named.pk]), {"answer": "已增设窗口"})
    named.refresh_from_db()
    assert named.status == "answered" and named.answered_by == cast.secretary
    client.post(reverse("suggestions:close", args=[named.pk]))
    named.refresh_from_db()
    assert named.status == "closed" and named.closed_at is not None
    response = client.post(reverse("suggestions:answer", args=[named.pk]), {"answer": "改"})
    named.refresh_from_db()
    assert named.answer == "已增设窗口"
    assert response.status_code == 302


def test_a_message_is_not_closed_without_an_answer(cast, named):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.suggestion_close(actor=cast.secretary, suggestion=named)


def test_the_phone_is_masked_and_a_reveal_is_logged(cast, named, login):
    client = login(cast.secretary)
    body = client.get(reverse("suggestions:detail", args=[named.pk])).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    response = client.post(reverse("suggestions:reveal", args=[named.pk, "contact_phone"]))
    assert "13912345678" in response.content.decode()
    assert AccessLog.objects.filter(action="reveal", field="contact_phone").exists()


def test_auditor_cannot_reveal(cast, named, login):
    response = login(cast.auditor).post(
        reverse("suggestions:reveal", args=[named.pk, "contact_phone"])
    )
    assert response.status_code == 404


def test_export_masks_phones_and_is_logged(cast, named, login):
    import io

    from openpyxl import load_workbook

    response = login(cast.secretary).get(reverse("suggestions:export"))
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.values)
    assert rows[1][5] == "139****5678"
    assert AccessLog.objects.filter(action="export").exists()


def test_boxes_page_shows_the_link_and_qr(cast, box, login):
    body = login(cast.secretary).get(reverse("suggestions:boxes")).content.decode()
    assert box.key in body and "data:image/svg+xml" in body


def test_secretary_pauses_and_reopens_his_box(cast, box, login):
    client = login(cast.secretary)
    url = reverse("suggestions:box_toggle", args=[cast.city.east_branch.pk])
    client.post(url)
    box.refresh_from_db()
    assert not box.is_open
    client.post(url)
    box.refresh_from_db()
    assert box.is_open


def test_outsider_cannot_open_a_box_for_another_branch(cast, login):
    url = reverse("suggestions:box_toggle", args=[cast.city.east_branch.pk])
    assert login(cast.outsider).post(url).status_code == 404
    assert not SuggestionBox.objects.exists()


def test_a_box_opens_only_on_a_branch(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.box_open(actor=cast.office, branch=cast.city.committee)
    assert not Suggestion.objects.exists()
