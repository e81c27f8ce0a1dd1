"""The development pages as the secretary, the office and the outsider use them."""

import datetime as dt

from django.urls import reverse

from dangjian.development.models import DevelopmentCase, DevelopmentPlan, DevelopmentStep
from dangjian.people.models import Membership

from .factories import DATES, applicant, open_case, pdf, walk

D = dt.date


def test_secretary_opens_a_case_through_the_form(cast, login):
    person = applicant(cast)
    client = login(cast.secretary)
    page = client.get(reverse("development:case_create"))
    assert person.name in page.content.decode()
    response = client.post(
        reverse("development:case_create"),
        {
            "branch": cast.city.east_branch.pk,
            "person": person.pk,
            "applied_on": "2026-10-01",
            "attachment": pdf("申请书.pdf"),
        },
    )
    case = DevelopmentCase.objects.get(person=person)
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.pk}/")
    assert case.steps.get().attachments.count() == 1


def test_records_the_next_step_and_shows_refusals_with_citation(cast, login):
    case = open_case(cast)
    client = login(cast.secretary)
    url = reverse("development:step_add", args=[case.pk])
    bad = client.post(url, {"number": 2, "occurred_on": "2022-05-01"})
    body = bad.content.decode()
    assert bad.status_code == 422
    assert "1 个月内" in body and "《中国共产党发展党员工作细则》（2014）第八条" in body
    ok = client.post(url, {"number": 2, "occurred_on": "2022-03-20", "decision": "支委会指派"})
    assert ok.status_code == 302
    detail = client.get(reverse("development:case_detail", args=[case.pk])).content.decode()
    assert "党组织派人谈话" in detail and "支委会指派" in detail


def test_vote_step_through_the_form_computes_the_result(cast, login):
    case = walk(open_case(cast), cast, 14)
    from dangjian.development import services

    services.notice_publish(
        actor=cast.secretary, case=case, before_step=15, starts_on=D(2023, 9, 20)
    )
    client = login(cast.secretary)
    url = reverse("development:step_add", args=[case.pk])
    data = {
        "number": 15,
        "occurred_on": "2023-10-10",
        "entitled": 9,
        "present": 5,
        "votes_yes": 6,
        "votes_no": 0,
        "votes_abstain": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 422 and "赞成票不能多于实到人数" in response.content.decode()
    data.update(votes_yes=5)
    assert client.post(url, data).status_code == 302
    assert DevelopmentStep.objects.get(case=case, number=15).passed is True


def test_correction_page_keeps_both_records(cast, login):
    case = walk(open_case(cast), cast, 2)
    talk = case.steps.get(number=2)
    client = login(cast.secretary)
    url = reverse("development:step_correct", args=[talk.pk])
    assert client.post(url, {"occurred_on": "2022-03-18", "reason": ""}).status_code == 200
    assert client.post(url, {"occurred_on": "2022-03-18", "reason": "笔误"}).status_code == 302
    detail = client.get(reverse("development:case_detail", args=[case.pk])).content.decode()
    assert "已被更正" in detail and "更正理由" in detail and "笔误" in detail


def test_contacts_notices_and_objections_through_the_forms(cast, login):
    case = walk(open_case(cast), cast, 6)
    client = login(cast.secretary)
    r = client.post(
        reverse("development:contact_add", args=[case.pk]),
        {"role": "sponsor", "person": cast.people.member.pk, "named_on": "2023-06-01"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("development:notice_add", args=[case.pk]),
        {"before_step": 7, "starts_on": "2023-06-05", "content": "拟确定为发展对象"},
    )
    assert r.status_code == 302
    notice = case.notices.get()
    r = client.post(
        reverse("development:objection_add", args=[notice.pk]),
        {"received_on": "2023-06-06", "content": "有群众反映"},
    )
    assert r.status_code == 302
    objection = notice.objections.get()
    r = client.post(
        reverse("development:objection_resolve", args=[objection.pk]),
        {"resolved_on": "2023-06-07", "resolution": "经核实不属实"},
    )
    assert r.status_code == 302
    objection.refresh_from_db()
    assert objection.resolution == "经核实不属实"


def test_outsider_gets_404_on_every_case_page(cast, login):
    case = walk(open_case(cast), cast, 2)
    step = case.steps.get(number=2)
    attachment = case.steps.get(number=1).attachments.get()
    client = login(cast.outsider)
    for url in (
        reverse("development:case_detail", args=[case.pk]),
        reverse("development:case_move", args=[case.pk]),
        reverse("development:step_correct", args=[step.pk]),
        reverse("development:attachment", args=[attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("development:step_add", args=[case.pk]), {}).status_code == 404
    listing = client.get(reverse("development:case_list")).content.decode()
    assert case.person.name not in listing


def test_attachment_served_to_the_secretary_only_and_logged(cast, login):
    case = open_case(cast)
    attachment = case.steps.get().attachments.get()
    response = login(cast.secretary).get(reverse("development:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        login(cast.manager).get(reverse("development:attachment", args=[attachment.pk])).status_code
        == 404
    )


def test_applicant_member_sees_his_own_case_only(cast, login):
    case = open_case(cast, person=applicant(cast))
    other = open_case(cast, person=applicant(cast, "别人"))
    case.person.user = cast.member
    cast.people.member.user = None
    cast.people.member.save()
    case.person.save()
    client = login(cast.member)
    assert client.get(reverse("development:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("development:case_detail", args=[other.pk])).status_code == 404


def test_move_moves_the_case_the_old_secretary_loses_it(cast, login):
    case = walk(open_case(cast), cast, 3)
    client = login(cast.office)
    r = client.post(
        reverse("development:case_move", args=[case.pk]),
        {"to_branch": cast.city.west_branch.pk, "moved_on": "2022-06-05", "reason": "工作调动"},
    )
    assert r.status_code == 302
    assert (
        login(cast.secretary).get(reverse("development:case_detail", args=[case.pk])).status_code
        == 404
    )
    page = (
        login(cast.outsider)
        .get(reverse("development:case_detail", args=[case.pk]))
        .content.decode()
    )
    assert "东湖县局党支部 → 西山县局党支部" in page


def test_list_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(5):
        walk(open_case(cast, person=applicant(cast, f"申请人{i}")), cast, 3)
    client = login(cast.secretary)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("development:case_list") + "?stage=open")
    assert response.content.decode().count("入党积极分子") >= 5


def test_pipeline_by_bureau_and_branch_with_overdue(cast, login, django_assert_max_num_queries):
    walk(open_case(cast), cast, 3)
    open_case(cast, person=applicant(cast, "新申请"), on=D(2026, 9, 1))  # talk overdue
    client = login(cast.office)
    with django_assert_max_num_queries(12):  # whatever the number of branches
        page = client.get(reverse("development:pipeline")).content.decode()
    assert "东湖县局" in page
    page = client.get(reverse("development:pipeline") + "?by=branch").content.decode()
    assert "东湖县局党支部" in page and "text-bg-danger" in page
    page = client.get(
        reverse("development:pipeline") + f"?bureau={cast.city.east.pk}"
    ).content.decode()
    assert "东湖县局党支部" in page and "西山县局党支部" not in page


def test_balance_highlights_branches_without_new_members(
    cast, login, django_assert_max_num_queries
):
    Membership.objects.filter(branch=cast.city.east_branch).update(joined_on=D(2025, 7, 1))
    client = login(cast.office)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("development:balance") + "?years=3").content.decode()
    assert "其中 1 个支部 3 年以上未发展新党员" in page
    page = client.get(reverse("development:balance") + "?years=20&only=1").content.decode()
    assert "其中 0 个支部" in page


def test_plan_page_sets_a_quota(cast, login):
    client = login(cast.secretary)
    r = client.post(
        reverse("development:plan_list"),
        {"branch": cast.city.east_branch.pk, "year": 2026, "quota": 2},
    )
    assert r.status_code == 302
    assert DevelopmentPlan.objects.get().quota == 2
    r = client.post(
        reverse("development:plan_list"),
        {"branch": cast.city.east_branch.pk, "year": 2026, "quota": "两"},
    )
    assert r.status_code == 422 and "计划发展人数" in r.content.decode()
    assert (
        login(cast.outsider)
        .get(reverse("development:plan_list") + "?year=2026")
        .content.decode()
        .count("东湖")
        == 0
    )


def test_api_lists_and_details_scoped(cast, api):
    case = walk(open_case(cast), cast, 2)
    data = api(cast.secretary).get("/api/v1/development/cases").json()
    assert data["count"] == 1 and data["items"][0]["stage"] == "applicant"
    detail = api(cast.secretary).get(f"/api/v1/development/cases/{case.pk}").json()
    assert [s["number"] for s in detail["steps"]] == [1, 2]
    assert api(cast.outsider).get(f"/api/v1/development/cases/{case.pk}").status_code == 404
    assert api(cast.outsider).get("/api/v1/development/cases").json()["count"] == 0


def test_dates_schedule_is_in_the_past():
    assert max(DATES.values()) < dt.date.today()


def test_pipeline_by_bureau_pages_fifty_with_totals_over_all(
    cast, login, django_assert_max_num_queries
):
    from dangjian.orgs.models import PartyOrg, Unit

    walk(open_case(cast), cast, 3)
    for i in range(55):  # 57 bureaus with a branch each: two pages
        bureau = Unit.objects.add_child(
            Unit.objects.get(pk=cast.city.company.pk),
            instance=Unit(name=f"第{i:02d}县局", code=f"U-B{i:02d}", kind="bureau"),
        )
        branch = PartyOrg.objects.add_child(
            PartyOrg.objects.get(pk=cast.city.committee.pk),
            instance=PartyOrg(name=f"第{i:02d}支部", code=f"P-B{i:02d}", kind="branch"),
        )
        branch.units.add(bureau)
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("development:pipeline")).content.decode()
    assert "第00县局" in page and "第54县局" not in page
    assert "共 57 条，第 1 / 2 页" in page
    assert "（全部 57 个支部）" in page  # the totals cover every bureau
    page = client.get(reverse("development:pipeline"), {"page": 2}).content.decode()
    assert "第54县局" in page and "第00县局" not in page
    assert "（全部 57 个支部）" in page


def test_case_list_branch_picker(cast, login):
    walk(open_case(cast), cast, 3)
    client = login(cast.office)
    url = reverse("development:case_list")
    page = client.get(url).content.decode()
    assert 'name="branch_q"' in page  # a search box, no <option> per branch
    assert f'<option value="{cast.city.east_branch.pk}"' not in page
    # Without script: 搜索 lists the matching branches to choose from.
    page = client.get(url, {"branch_q": "东湖", "_pick": "branch"}).content.decode()
    assert f'name="branch" value="{cast.city.east_branch.pk}"' in page
    page = client.get(url, {"branch": cast.city.west_branch.pk}).content.decode()
    assert "周小青" not in page
    page = client.get(url, {"branch": cast.city.east_branch.pk}).content.decode()
    assert "周小青" in page and "全部支部" in page
    assert f'id="id_branch_chosen_{cast.city.east_branch.pk}" checked' in page
    # The htmx suggestions, in the viewer's scope only.
    body = client.get(reverse("development:suggest_branch"), {"branch_q": "县局"}).content
    assert "东湖县局党支部" in body.decode() and "西山县局党支部" in body.decode()
    body = login(cast.outsider).get(reverse("development:suggest_branch"), {"branch_q": "县局"})
    assert "西山县局党支部" in body.content.decode() and "东湖" not in body.content.decode()
