"""比学习 pages: a member's own page, the branch view, confirmation, reflections, review."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.roles import Role
from dangjian.conftest import make_person, make_user
from dangjian.exemplar.study import services
from dangjian.exemplar.study.models import Reflection, SelfStudy, StudyKind

from .conftest import ESSAY, OTHER

YEAR = dt.date.today().year


def _entry(cast, **extra):
    return services.self_study_add(
        actor=cast.member,
        studied_on=dt.date.today() - dt.timedelta(days=3),
        topic=extra.pop("topic", "读《党章》"),
        kind=StudyKind.objects.get(code="book"),
        hours=Decimal("4"),
        **extra,
    )


def test_member_sees_his_own_year_with_collective_and_self_study(cast, login, meeting):
    services.self_study_review(actor=cast.secretary, entry=_entry(cast), confirm=True)
    response = login(cast.member).get(reverse("study:index") + "?year=2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert "读《党章》" in body and "学习贯彻全会精神" in body
    data = response.context["data"]
    assert (data.collective, data.self_hours, data.hours, data.target) == (3, 4, 7, 32)
    # 3 h collective × 2 + 4 h book × 1
    assert data.points == Decimal("10.0")


def test_member_logs_self_study_through_the_form(cast, login):
    client = login(cast.member)
    response = client.post(
        reverse("study:self_add"),
        {
            "studied_on": dt.date.today().isoformat(),
            "kind": StudyKind.objects.get(code="lecture").pk,
            "topic": "党史专题讲座",
            "hours": "2.5",
        },
    )
    assert response.status_code == 302
    entry = SelfStudy.objects.get()
    assert entry.points == Decimal("5.0") and entry.person == cast.people.member


def test_bad_self_study_form_names_the_field(cast, login):
    response = login(cast.member).post(
        reverse("study:self_add"),
        {
            "studied_on": "2099-01-01",
            "kind": StudyKind.objects.get(code="book").pk,
            "topic": "x",
            "hours": "2",
        },
    )
    assert response.status_code == 200
    assert "学习日期：学习日期不能晚于今天" in response.content.decode()
    assert not SelfStudy.objects.exists()


def test_someone_without_membership_is_sent_to_the_branches(cast, login):
    response = login(cast.office).get(reverse("study:index"))
    assert response.status_code == 302 and response["Location"] == reverse("study:branches")


def test_the_branch_view_shows_who_has_not_studied(
    cast, login, meeting, django_assert_max_num_queries
):
    client = login(cast.secretary)
    url = reverse("study:branch", args=[cast.city.east_branch.pk]) + f"?year={meeting.held_on.year}"
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["not_studied"] == 1  # 单雄信 attended nothing
    names = [r.person.name for r in response.context["rows"]]
    assert sorted(names) == ["单雄信", "张三", "李四"]
    none = client.get(url + "&show=none")
    assert [r.person.name for r in none.context["rows"]] == ["单雄信"]


def test_the_branch_view_exports_excel(cast, login, meeting):
    response = login(cast.secretary).get(
        reverse("study:branch_export", args=[cast.city.east_branch.pk]) + "?year=2026"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 4
    assert {r[7] for r in rows[1:]} == {"未学习", "未达标"}


def test_outsider_gets_404_for_the_branch_and_its_member(cast, login):
    client = login(cast.outsider)
    assert client.get(reverse("study:branch", args=[cast.city.east_branch.pk])).status_code == 404
    assert client.get(reverse("study:member", args=[cast.people.member.pk])).status_code == 404
    assert (
        client.get(reverse("study:branch_export", args=[cast.city.east_branch.pk])).status_code
        == 404
    )


def test_a_single_branch_secretary_goes_straight_to_his_branch(cast, login):
    response = login(cast.secretary).get(reverse("study:branches"))
    assert response["Location"] == reverse("study:branch", args=[cast.city.east_branch.pk])


def test_office_lists_branches(cast, login, django_assert_max_num_queries):
    client = login(cast.office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("study:branches"))
    assert response.status_code == 200 and "东湖县局党支部" in response.content.decode()


def test_secretary_confirms_from_the_queue(cast, login):
    entry = _entry(cast)
    client = login(cast.secretary)
    page = client.get(reverse("study:self_queue"))
    assert "读《党章》" in page.content.decode()
    client.post(reverse("study:self_review", args=[entry.pk]), {"decision": "confirm"})
    assert SelfStudy.objects.get(pk=entry.pk).status == SelfStudy.Status.CONFIRMED


def test_outsider_cannot_confirm_or_download(cast, login):
    entry = _entry(cast)
    client = login(cast.outsider)
    assert (
        client.post(
            reverse("study:self_review", args=[entry.pk]), {"decision": "confirm"}
        ).status_code
        == 404
    )
    assert client.get(reverse("study:self_attachment", args=[entry.pk])).status_code == 404
    assert "读《党章》" not in client.get(reverse("study:self_queue")).content.decode()


def test_member_writes_a_reflection_and_reads_his_list(cast, login, meeting):
    client = login(cast.member)
    form = client.get(reverse("study:reflection_new"))
    assert "学习贯彻全会精神" in form.content.decode()
    response = client.post(
        reverse("study:reflection_new"),
        {"title": "主题党日心得", "text": ESSAY, "meeting": meeting.pk},
    )
    r = Reflection.objects.get()
    assert response["Location"] == reverse("study:reflection_detail", args=[r.pk])
    assert r.meeting == meeting
    listing = client.get(reverse("study:reflection_list"))
    assert "主题党日心得" in listing.content.decode()


def test_a_huge_post_is_refused_with_the_count(cast, login):
    response = login(cast.member).post(
        reverse("study:reflection_new"), {"title": "长文", "text": "学" * 200_000}
    )
    assert response.status_code == 422
    assert "正文：正文不能超过20000字（当前200000字）" in response.content.decode()
    assert not Reflection.objects.exists()


def test_html_in_a_reflection_is_shown_as_text(cast, login):
    r = services.reflection_submit(
        actor=cast.member, title="<b>标题</b>", text="<script>alert(1)</script>心得正文内容很多"
    )
    body = (
        login(cast.secretary).get(reverse("study:reflection_detail", args=[r.pk])).content.decode()
    )
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;标题&lt;/b&gt;" in body


def _west_copy_source(cast):
    user = make_user("west_member", (Role.MEMBER, cast.city.west_branch))
    make_person("周九", cast.city.west_area, branch=cast.city.west_branch, user=user)
    source = services.reflection_submit(actor=user, title="西山的心得", text=ESSAY)
    Reflection.objects.filter(pk=source.pk).update(year=2025)
    return source


def test_the_review_page_shows_a_copy_side_by_side(cast, login):
    _west_copy_source(cast)
    r = services.reflection_submit(actor=cast.member, title="我的心得", text="开头。" + ESSAY[10:])
    response = login(cast.secretary).get(reverse("study:reflection_detail", args=[r.pk]))
    body = response.content.decode()
    assert "疑似抄袭" in body and "西山的心得" in body and "周九" in body
    assert '<mark class="shared">' in body
    evidence = response.context["evidence"][0]
    assert evidence.match.flagged and evidence.shared_chars > 100


def test_the_author_does_not_see_the_other_text(cast, login):
    _west_copy_source(cast)
    r = services.reflection_submit(actor=cast.member, title="我的心得", text=ESSAY)
    body = login(cast.member).get(reverse("study:reflection_detail", args=[r.pk])).content.decode()
    assert "西山的心得" not in body and "周九" not in body


def test_secretary_returns_and_member_revises(cast, login):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    secretary = login(cast.secretary)
    secretary.post(
        reverse("study:reflection_review", args=[r.pk]),
        {"decision": "return", "comment": "请联系岗位实际"},
    )
    assert Reflection.objects.get(pk=r.pk).status == Reflection.Status.RETURNED
    member = login(cast.member)
    page = member.get(reverse("study:reflection_revise", args=[r.pk]))
    assert "请联系岗位实际" in page.content.decode()
    member.post(reverse("study:reflection_revise", args=[r.pk]), {"title": "修改稿", "text": OTHER})
    r.refresh_from_db()
    assert (r.version, r.status) == (2, Reflection.Status.SUBMITTED)
    detail = member.get(reverse("study:reflection_detail", args=[r.pk])).content.decode()
    assert "v1" in detail and "v2" in detail


def test_returning_without_a_comment_says_so(cast, login):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    response = login(cast.secretary).post(
        reverse("study:reflection_review", args=[r.pk]), {"decision": "return"}, follow=True
    )
    assert "审阅意见：退回修改时请填写审阅意见" in response.content.decode()


def test_outsider_gets_404_on_reflections(cast, login):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    client = login(cast.outsider)
    for name in ("study:reflection_detail", "study:reflection_revise"):
        assert client.get(reverse(name, args=[r.pk])).status_code == 404
    assert (
        client.post(
            reverse("study:reflection_review", args=[r.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )
    assert "初稿" not in client.get(reverse("study:reflection_list")).content.decode()


def test_reflection_list_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(12):
        services.reflection_submit(actor=cast.member, title=f"心得{i}", text=f"{i}" + ESSAY)
    client = login(cast.secretary)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("study:reflection_list") + "?flagged=on")
    assert response.status_code == 200
    assert len(response.context["listing"].rows) == 11  # the first one is the original


@pytest.mark.parametrize("user", ["office", "auditor", "secretary"])
def test_api_lists_reflections_in_scope(cast, api, user):
    services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    data = api(getattr(cast, user)).get("/api/v1/study/reflections").json()
    assert [i["title"] for i in data["items"]] == ["初稿"]
    assert api(cast.outsider).get("/api/v1/study/reflections").json()["items"] == []


def test_a_member_sees_no_branch_pages(cast, login):
    client = login(cast.member)
    assert client.get(reverse("study:branches")).status_code == 404
    assert client.get(reverse("study:branch", args=[cast.city.east_branch.pk])).status_code == 404
    assert "支部学习情况" not in client.get(reverse("study:index")).content.decode()
