import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.disclosure import services
from dangjian.disclosure.models import Notice, Objection


@pytest.fixture
def live_notice(make_notice):
    """A notice in its public period today."""
    today = timezone.localdate()
    return make_notice(starts_on=today, publish=True, today=today)


def test_the_secretary_drafts_and_publishes_a_notice(login, cast):
    client = login(cast.secretary)
    response = client.post(
        reverse("disclosure:create"),
        {
            "kind": "pre_appointment",
            "title": "关于王五同志任前公示",
            "issuing_org": cast.city.east_branch.pk,
            "content": "王五同志拟任片区经理。<script>alert(1)</script>",
            "audience": "subtree",
            "starts_on": timezone.localdate().isoformat(),
            "working_days": 5,
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    response = client.post(reverse("disclosure:publish", args=[notice.pk]), follow=True)
    assert "已发布" in response.content.decode()
    body = client.get(reverse("disclosure:detail", args=[notice.pk])).content.decode()
    assert "&lt;script&gt;" in body and "<script>alert" not in body


def test_a_too_short_pre_appointment_notice_is_refused_with_the_field_named(login, cast):
    response = login(cast.secretary).post(
        reverse("disclosure:create"),
        {
            "kind": "pre_appointment",
            "title": "短公示",
            "issuing_org": cast.city.east_branch.pk,
            "content": "x",
            "audience": "subtree",
            "starts_on": "2026-11-02",
            "working_days": 2,
        },
    )
    assert response.status_code == 200
    assert "公示期（工作日）：任前公示期不得少于5个工作日" in response.content.decode()
    assert not Notice.objects.exists()


def test_members_list_only_notices_addressed_to_them(
    login, cast, live_notice, make_notice, django_assert_max_num_queries
):
    make_notice(title="西山支部公开", issuing_org=cast.city.west_branch, actor=cast.outsider)
    client = login(cast.member)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("disclosure:list")).content.decode()
    assert live_notice.title in body and "西山支部公开" not in body
    assert (
        login(cast.outsider).get(reverse("disclosure:detail", args=[live_notice.pk])).status_code
        == 404
    )


def test_list_queries_do_not_grow_with_rows(
    login, cast, make_notice, django_assert_max_num_queries
):
    for i in range(30):
        make_notice(title=f"公示{i}", kind="party_affairs")
    client = login(cast.secretary)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("disclosure:list"), {"q": "公示", "status": "draft"})
    assert response.status_code == 200
    assert "共 30 条" in response.content.decode()


def test_a_member_objects_and_the_secretary_answers_then_closes(login, cast, live_notice):
    member = login(cast.member)
    member.post(
        reverse("disclosure:object", args=[live_notice.pk]), {"content": "该同志任职年限不足"}
    )
    objection = Objection.objects.get()
    assert objection.submitted_by == cast.member
    page = member.get(reverse("disclosure:detail", args=[live_notice.pk])).content.decode()
    assert "我提出的异议" in page and "该同志任职年限不足" in page
    secretary = login(cast.secretary)
    response = secretary.post(
        reverse("disclosure:close", args=[live_notice.pk]), {"result": "objection_not_upheld"}
    )
    assert "尚有1条异议未答复" in response.content.decode()
    secretary.post(
        reverse("disclosure:answer", args=[objection.pk]),
        {"finding": "not_upheld", "answer": "经核实，任职年限符合要求"},
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.CLOSED


def test_anonymous_objections_do_not_show_the_submitter(login, cast, live_notice):
    login(cast.member).post(
        reverse("disclosure:object", args=[live_notice.pk]),
        {"content": "匿名反映", "anonymous": "on"},
    )
    body = login(cast.secretary).get(reverse("disclosure:detail", args=[live_notice.pk]))
    text = body.content.decode()
    assert (
        "匿名反映" in text and "李四" not in text.split("匿名反映")[0].split("异议及核实答复")[-1]
    )


def test_export_lists_the_notices_in_reach(login, cast, live_notice):
    response = login(cast.secretary).get(reverse("disclosure:export"))
    book = load_workbook(filename=__import__("io").BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert live_notice.title in cells
    assert login(cast.member).get(reverse("disclosure:export")).status_code == 404


def test_the_result_form_offers_the_results_of_the_kind(login, cast, make_notice):
    notice = make_notice(kind="party_affairs", publish=True)
    body = login(cast.secretary).get(reverse("disclosure:close", args=[notice.pk])).content.decode()
    assert "公开期满" in body
    assert (
        login(cast.outsider).get(reverse("disclosure:close", args=[notice.pk])).status_code == 404
    )


def test_history_shows_the_publication(login, cast, make_notice):
    notice = make_notice()
    services.notice_publish(actor=cast.secretary, notice=notice, today=notice.starts_on)
    body = login(cast.office).get(reverse("disclosure:detail", args=[notice.pk])).content.decode()
    assert "变更历史" in body and "公示中" in body


def test_attachments_download_only_for_readers(login, cast, make_notice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    notice = make_notice()
    login(cast.secretary).post(
        reverse("disclosure:attach", args=[notice.pk]),
        {"file": SimpleUploadedFile("名单.txt", "名单".encode())},
    )
    attachment = notice.attachments.get()
    services.notice_publish(actor=cast.secretary, notice=notice, today=dt.date(2026, 11, 2))
    response = login(cast.member).get(reverse("disclosure:attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == "名单".encode()
    assert (
        login(cast.outsider).get(reverse("disclosure:attachment", args=[attachment.pk])).status_code
        == 404
    )
