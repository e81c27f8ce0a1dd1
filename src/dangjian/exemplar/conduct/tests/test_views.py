import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.exemplar.conduct import services
from dangjian.exemplar.conduct.models import Problem, Rectification, SelfInspection


def _started(cast):
    return services.inspection_start(actor=cast.member, person=cast.people.member)


def test_a_member_files_his_inspection_through_the_pages(login, cast, category):
    client = login(cast.member)
    assert "开始" in client.get(reverse("conduct:me")).content.decode()
    year = timezone.localdate().year
    response = client.post(reverse("conduct:start"), {"year": year})
    inspection = SelfInspection.objects.get()
    assert response["Location"] == reverse("conduct:detail", args=[inspection.pk])
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("conduct:problem_add", args=[inspection.pk]),
        {
            "category": category.pk,
            "description": "走访客户不深入",
            "measure": "每月走访25户",
            "owner": cast.people.member.pk,
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("conduct:submit", args=[inspection.pk]), {"summary": "总体合格，存在不足"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    body = client.get(reverse("conduct:detail", args=[inspection.pk])).content.decode()
    assert "每月走访25户" in body and "提交自查" not in body


def test_a_past_deadline_is_refused_on_the_page_naming_the_field(login, cast, category):
    inspection = _started(cast)
    response = login(cast.member).post(
        reverse("conduct:problem_add", args=[inspection.pk]),
        {
            "category": category.pk,
            "description": "学习不够",
            "measure": "补学",
            "owner": cast.people.member.pk,
            "deadline": "2020-01-01",
        },
    )
    assert response.status_code == 422
    assert "整改期限：整改期限不能早于今天" in response.content.decode()
    assert not Problem.objects.exists()


def test_html_in_a_problem_is_shown_as_text(login, cast, category):
    inspection = _started(cast)
    services.problem_add(
        actor=cast.member,
        inspection=inspection,
        category=category,
        description="<script>alert(1)</script>",
        measure="<b>m</b>",
        owner=cast.people.member,
        deadline=timezone.localdate(),
    )
    body = login(cast.secretary).get(reverse("conduct:detail", args=[inspection.pk])).content
    assert b"<script>alert(1)" not in body and b"&lt;script&gt;" in body


def test_the_secretary_sees_who_has_not_submitted_and_the_overdue_measures(
    login, cast, category, django_assert_max_num_queries
):
    inspection = _started(cast)
    services.problem_add(
        actor=cast.member,
        inspection=inspection,
        category=category,
        description="走访不深入",
        measure="每月走访",
        owner=cast.people.member,
        deadline=timezone.localdate(),
    )
    Rectification.objects.update(deadline=timezone.localdate() - dt.timedelta(days=3))
    client = login(cast.secretary)
    response = client.get(reverse("conduct:overview"))
    assert response.status_code == 302  # one branch: straight to it
    with django_assert_max_num_queries(14):
        body = client.get(response["Location"]).content.decode()
    assert "张三" in body and "单雄信" in body and "未填写" in body
    with django_assert_max_num_queries(12):
        body = client.get(reverse("conduct:measures") + "?overdue=on").content.decode()
    assert "每月走访" in body and "逾期" in body


def test_the_office_overview_lists_the_branches(login, cast, django_assert_max_num_queries):
    _started(cast)
    # Measured 29 with the whole navigation of an office user; the branch figures themselves
    # are three grouped queries whatever the number of branches.
    with django_assert_max_num_queries(30):
        body = login(cast.office).get(reverse("conduct:overview")).content.decode()
    assert "东湖县局党支部" in body and "西山县局党支部" in body


def test_a_member_is_sent_from_the_overview_to_his_own_inspections(login, cast):
    response = login(cast.member).get(reverse("conduct:overview"))
    assert response["Location"] == reverse("conduct:me")


def test_an_outsider_gets_404_for_another_branchs_inspection(login, cast):
    inspection = _started(cast)
    client = login(cast.outsider)
    assert client.get(reverse("conduct:detail", args=[inspection.pk])).status_code == 404
    assert client.get(reverse("conduct:branch", args=[cast.city.east_branch.pk])).status_code == 404
    assert "李四" not in client.get(reverse("conduct:list")).content.decode()


def test_the_secretary_closes_a_measure_with_evidence(login, cast, category):
    inspection = _started(cast)
    services.problem_add(
        actor=cast.member,
        inspection=inspection,
        category=category,
        description="学习不够",
        measure="补学",
        owner=cast.people.member,
        deadline=timezone.localdate(),
    )
    measure = Rectification.objects.get()
    client = login(cast.secretary)
    response = client.post(reverse("conduct:measure_close", args=[measure.pk]), {})
    assert response.status_code == 422
    assert "销号须有整改佐证" in response.content.decode()
    response = client.post(
        reverse("conduct:measure_close", args=[measure.pk]), {f"x{measure.pk}-evidence": "已补学"}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "closed"


def test_inspections_export_to_excel(login, cast):
    _started(cast)
    response = login(cast.secretary).get(reverse("conduct:export"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
