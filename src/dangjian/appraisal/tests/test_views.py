"""Signed-in pages: campaigns, figures, tokens and slips, export, member sheets, 待我评议."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.appraisal import services
from dangjian.appraisal.models import Campaign, Rating

from .conftest import full_scores, make_campaign


def _form_data(cast, **extra):
    data = {
        "year": "2026",
        "party_org": str(cast.city.east_branch.pk),
        "name": "",
        "scale": "five",
        "starts_on": "2026-11-20",
        "ends_on": "2026-12-20",
        "description": "",
        "crit_name_0": "服务态度",
        "crit_weight_0": "1",
        "crit_name_1": "业务技能",
        "crit_weight_1": "1",
        "w_customer": "40",
        "w_peer": "20",
        "w_leader": "20",
        "w_self": "10",
        "w_public": "10",
    }
    data.update(extra)
    return data


def test_the_secretary_creates_a_campaign_from_the_form(login, cast):
    client = login(cast.secretary)
    assert client.get(reverse("appraisal:create")).status_code == 200
    response = client.post(reverse("appraisal:create"), _form_data(cast))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert [c.name for c in campaign.criteria.all()] == ["服务态度", "业务技能"]


def test_bad_weights_come_back_with_the_message_and_nothing_saved(login, cast):
    client = login(cast.secretary)
    response = client.post(reverse("appraisal:create"), _form_data(cast, w_public="30"))
    assert response.status_code == 200
    assert "各评议主体权重之和须为100" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_criterion_without_weight_is_named(login, cast):
    client = login(cast.secretary)
    response = client.post(reverse("appraisal:create"), _form_data(cast, crit_weight_1=""))
    assert "项目2权重" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_outsider_cannot_create_for_the_east_branch(login, cast):
    client = login(cast.outsider)
    client.post(reverse("appraisal:create"), _form_data(cast))
    assert not Campaign.objects.exists()


def test_list_and_detail_for_the_office(login, cast, campaign, django_assert_max_num_queries):
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("appraisal:list"))
    assert campaign.name in page.content.decode()
    detail = client.get(reverse("appraisal:detail", args=[campaign.pk]))
    assert detail.status_code == 200
    assert "东湖县局党支部" in detail.content.decode()


def test_detail_queries_stay_flat(login, cast, campaign, django_assert_max_num_queries):
    client = login(cast.office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("appraisal:detail", args=[campaign.pk])).status_code == 200


def test_a_large_campaigns_figures_are_shared_for_a_few_minutes(
    login, cast, campaign, monkeypatch, django_assert_max_num_queries
):
    from django.core.cache import cache

    from dangjian.appraisal import selectors

    cache.clear()
    monkeypatch.setattr(selectors, "LIVE_FIGURES_MAX_MEMBERS", 0)  # every campaign is "large"
    office = login(cast.office)
    url = reverse("appraisal:detail", args=[campaign.pk])
    first = office.get(url).content.decode()
    assert "参评数据统计于" in first
    assert selectors.campaign_figures(cast.office, campaign)["kinds"][1]["count"] == 0
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.secretary,
        kind="peer",
        raw=full_scores(campaign),
        comment="",
    )
    # The office's shared figures wait for the next refresh; the secretary counts live.
    assert selectors.campaign_figures(cast.office, campaign)["kinds"][1]["count"] == 0
    secretary = selectors.campaign_figures(cast.secretary, campaign)
    assert secretary["as_of"] is None and secretary["kinds"][1]["count"] == 1
    cache.clear()
    assert selectors.campaign_figures(cast.office, campaign)["kinds"][1]["count"] == 1


def test_the_east_secretary_sees_only_his_branch_in_the_company_campaign(login, cast, campaign):
    body = login(cast.secretary).get(reverse("appraisal:detail", args=[campaign.pk])).content
    text = body.decode()
    assert "东湖县局党支部" in text and "西山县局党支部" not in text


def test_the_outsider_gets_404_for_a_branch_campaign(login, cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    client = login(cast.outsider)
    assert client.get(reverse("appraisal:detail", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("appraisal:export", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("appraisal:tokens", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("appraisal:close", args=[campaign.pk])).status_code == 404


def test_open_and_close_from_the_page(login, cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch, status="draft")
    client = login(cast.secretary)
    client.post(reverse("appraisal:open", args=[campaign.pk]))
    assert Campaign.objects.get().status == "open"
    client.post(reverse("appraisal:close", args=[campaign.pk]))
    assert Campaign.objects.get().status == "closed"


def test_tokens_page_and_a_slip_pdf(login, cast, campaign, east_token):
    client = login(cast.office)
    page = client.get(reverse("appraisal:tokens", args=[campaign.pk]))
    assert page.status_code == 200 and "360101000001" in page.content.decode()
    slip = client.get(reverse("appraisal:slip", args=[campaign.pk, east_token.pk]))
    assert slip.status_code == 200 and slip.content[:4] == b"%PDF"


def test_the_outsider_cannot_print_an_east_slip(login, cast, east_token):
    campaign = east_token.campaign
    client = login(cast.outsider)
    assert (
        client.get(reverse("appraisal:slip", args=[campaign.pk, east_token.pk])).status_code == 404
    )


def test_area_slips_run_as_a_job(
    login, cast, campaign, east_token, tmp_path, django_capture_on_commit_callbacks
):
    from dangjian.platform.jobs import job_path
    from dangjian.platform.models import Job
    from dangjian.platform.tests.job_queue import use_queue

    client = login(cast.office)
    with use_queue("sqlite", tmp_path) as queue:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("appraisal:area_slips", args=[campaign.pk]),
                {"area": cast.city.east_area.pk},
            )
        assert response.status_code == 302
        queue.drain()
    job = Job.objects.get(kind="appraisal.slips")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.params["unit_id"] == cast.city.east_area.pk
    assert job_path(job.result_file).read_bytes()[:4] == b"%PDF"


# -- the token page's area pickers: a search box, never a <select> of every area ---------------


def _east_campaign_with_tokens(cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    services.tokens_write(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def test_the_token_list_filters_by_a_picked_area(login, cast, campaign, east_token):
    client = login(cast.office)
    url = reverse("appraisal:tokens", args=[campaign.pk])
    page = client.get(url, {"unit": cast.city.east_area.pk}).content.decode()
    assert "360101000001" in page  # the east area's customer
    assert "360101000002" not in page and "360102000001" not in page  # east bureau, west area
    # The chosen area is a checked radio, with 全部片区 to undo it; no <select> of areas.
    assert f'name="unit" value="{cast.city.east_area.pk}"' in page and "全部片区" in page
    assert page.count("<select") == 1  # 使用情况 only
    everything = client.get(url, {"unit": ""}).content.decode()
    assert "360101000002" in everything and "360102000001" in everything


def test_the_area_pickers_suggest_only_areas_with_tokens_in_reach(login, cast):
    campaign = _east_campaign_with_tokens(cast)
    # West's area slipped into the totals: still not the east secretary's to pick.
    Campaign.objects.filter(pk=campaign.pk).update(
        token_units={**campaign.token_units, str(cast.city.west_area.pk): 1}
    )
    client = login(cast.secretary)
    for field in ("unit", "area"):
        url = reverse("appraisal:token_suggest", args=[campaign.pk, field])
        found = client.get(url, {f"{field}_q": "片区"}).content.decode()
        assert "东湖城区片区" in found and f'name="{field}"' in found
        assert "西山" not in found
    assert (
        client.get(reverse("appraisal:token_suggest", args=[campaign.pk, "x"])).status_code == 404
    )
    assert login(cast.outsider).get(url, {"area_q": "片区"}).status_code == 404


def test_an_out_of_scope_or_unknown_area_is_refused(login, cast, tmp_path):
    from dangjian.platform.models import Job
    from dangjian.platform.search_pick import NOT_IN_SCOPE

    campaign = _east_campaign_with_tokens(cast)
    Campaign.objects.filter(pk=campaign.pk).update(
        token_units={**campaign.token_units, str(cast.city.west_area.pk): 1}
    )
    client = login(cast.secretary)
    slips = reverse("appraisal:area_slips", args=[campaign.pk])
    for area in (cast.city.west_area.pk, 999999, "x"):
        page = client.post(slips, {"area": area}, follow=True).content.decode()
        assert str(NOT_IN_SCOPE) in page
    assert "片区：请选择有评议码的片区" in client.post(slips, {}, follow=True).content.decode()
    assert not Job.objects.filter(kind="appraisal.slips").exists()
    listing = client.get(
        reverse("appraisal:tokens", args=[campaign.pk]), {"unit": cast.city.west_area.pk}
    ).content.decode()
    assert str(NOT_IN_SCOPE) in listing and "西山" not in listing


def test_the_slip_pickers_search_works_without_script(login, cast, campaign, east_token):
    from dangjian.platform.models import Job

    client = login(cast.office)
    response = client.post(
        reverse("appraisal:area_slips", args=[campaign.pk]), {"_pick": "area", "area_q": "东湖城区"}
    )
    assert response.status_code == 302 and not Job.objects.exists()
    page = client.get(response.url).content.decode()
    assert f'name="area" value="{cast.city.east_area.pk}"' in page
    assert 'name="area_q"' in page and 'value="东湖城区"' in page


def _add_areas(cast, n):
    """``n`` more market areas of 东湖 covered by its branch, each with a customer."""
    from dangjian.conftest import make_customer
    from dangjian.orgs.models import Unit

    east = cast.city.east
    areas = [
        Unit.objects.add_child(
            east, instance=Unit(name=f"东湖第{i}片区", code=f"U-EX{i}", kind="market_area")
        )
        for i in range(n)
    ]
    cast.city.east_branch.units.add(*areas)
    for i, area in enumerate(areas):
        make_customer(f"36010190{i:04d}", area)
    return areas


def test_the_token_page_does_not_grow_with_the_areas(
    login, cast, campaign, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.tokens_write(campaign_id=campaign.pk)
    client = login(cast.office)
    url = reverse("appraisal:tokens", args=[campaign.pk])
    client.get(url)  # warm the session and the grants' caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    campaign.refresh_from_db()
    assert len(campaign.token_units) == 3  # 东湖 bureau, 东湖城区片区, 西山 area

    areas = _add_areas(cast, 30)
    services.tokens_write(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert len(campaign.token_units) == 33
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    # No area is offered until searched (the table names the customers' areas, the pickers none).
    assert page.count("<option") == 3  # 使用情况 only
    assert 'name="unit" value=' not in page and 'name="area" value=' not in page
    # A chosen area and a search render only the chosen one and the (limited) matches.
    with django_assert_max_num_queries(len(few) + 3):
        page = client.get(url, {"unit": areas[0].pk, "unit_q": "东湖第"}).content.decode()
    assert f'name="unit" value="{areas[0].pk}" id="id_unit_chosen_{areas[0].pk}" checked' in page
    assert page.count('name="unit" value=') == 1 + 1 + 10  # chosen, 全部片区, 10 matches


def test_export_has_no_rater(login, cast, campaign):
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.secretary,
        kind="peer",
        raw=full_scores(campaign),
        comment="好",
    )
    import io

    from openpyxl import load_workbook

    response = login(cast.office).get(reverse("appraisal:export", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row]
    assert "张三" in cells and "李四" not in cells


def test_the_member_finds_and_fills_his_sheets(login, cast, campaign):
    client = login(cast.member)
    todo = client.get(reverse("appraisal:todo")).content.decode()
    assert "张三" in todo and "单雄信" in todo
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.secretary.pk, "peer"])
    assert client.get(url).status_code == 200
    data = {f"s-{c.pk}": "5" for c in campaign.criteria.all()}
    response = client.post(url, {**data, "comment": "认真负责"})
    assert response.status_code == 302
    assert Rating.objects.get().rater == cast.people.member
    second = client.post(url, {**data, "comment": ""})
    assert second.status_code == 422 and Rating.objects.count() == 1


def test_a_member_cannot_open_a_peer_sheet_for_himself(login, cast, campaign):
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.member.pk, "peer"])
    assert login(cast.member).get(url).status_code == 404


def test_a_missing_score_is_named(login, cast, campaign):
    client = login(cast.member)
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.member.pk, "self"])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 422 and "服务态度：请打分" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_outsider_cannot_open_an_east_sheet(login, cast, campaign):
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.member.pk, "leader"])
    assert login(cast.outsider).get(url).status_code == 404


@pytest.mark.parametrize("kind", ["customer", "public", "nonsense"])
def test_other_kinds_have_no_sheet_page(login, cast, campaign, kind):
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.member.pk, kind])
    assert login(cast.member).get(url).status_code == 404


def test_hundred_point_sheets_take_numbers(login, cast):
    campaign = make_campaign(
        cast.office,
        cast.city.committee,
        scale="hundred",
        weights={"self": Decimal("100")},
    )
    client = login(cast.member)
    url = reverse("appraisal:sheet", args=[campaign.pk, cast.people.member.pk, "self"])
    data = {f"s-{c.pk}": "88" for c in campaign.criteria.all()}
    assert client.post(url, data).status_code == 302
