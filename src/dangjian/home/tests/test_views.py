"""Home page figures within the user's scope, the chart data, navigation, health check."""

from django.test import Client
from django.urls import reverse

from dangjian.conftest import make_person


def test_office_sees_the_whole_company_in_the_figures(cast, login):
    response = login(cast.office).get(reverse("home:index"))
    figures = response.context["figures"]
    assert (figures["people"], figures["members"], figures["customers"]) == (6, 5, 3)
    assert figures["probationary"] == 1
    assert set(response.context["chart"]["branches"]) == {"东湖县局党支部", "西山县局党支部"}
    assert 'id="branch-chart"' in response.content.decode()


def test_secretary_sees_only_his_branch_in_the_figures(cast, login):
    response = login(cast.secretary).get(reverse("home:index"))
    figures = response.context["figures"]
    assert (figures["people"], figures["members"]) == (3, 3)
    assert response.context["chart"]["branches"] == ["东湖县局党支部"]


def test_a_user_without_members_gets_an_empty_chart_message(cast, login):
    response = login(cast.manager).get(reverse("home:index"))
    assert "您的权限范围内暂无党员数据" in response.content.decode()


def test_navigation_shows_only_what_the_role_may_see(cast, login):
    manager_nav = login(cast.manager).get(reverse("home:index")).context["nav_sections"]
    labels = [item["label"] for section in manager_nav for item in section["items"]]
    assert "零售客户" in labels
    assert "人员与党员" not in labels
    assert "角色授权" not in labels


def test_the_home_page_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(25):
        make_person(f"党员{i}", cast.city.east, branch=cast.city.east_branch)
    client = login(cast.office)
    # 16 for the figures and chart, 8 for the 党建工作 to-do panel's counts.
    with django_assert_max_num_queries(24):
        client.get(reverse("home:index"))


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("home:index"))
    assert response["Location"].startswith(reverse("login"))


def test_healthz_reports_the_database(db):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_party_work_panel_counts_only_the_users_branch(cast, login):
    from django.utils import timezone

    from dangjian.orglife.models import Meeting

    Meeting.objects.create(
        branch=cast.city.east_branch,
        kind="committee_meeting",
        status=Meeting.Status.HELD,
        held_on=timezone.localdate().replace(day=1),
        topic="东湖支委会",
    )
    secretary = login(cast.secretary).get(reverse("home:index")).context["party_work"]
    assert secretary[0]["label"] == "本月已召开会议" and secretary[0]["value"] == 1
    outsider = login(cast.outsider).get(reverse("home:index")).context["party_work"]
    assert outsider[0]["value"] == 0
    labels = [item["label"] for item in outsider]
    assert "公示中的党务公开" in labels
