"""Issue 5's 三评 "done when", in the browser: a customer scans his slip's QR code on a phone
and rates the member who serves him; a phone scans a post card's QR (the member's public
card) and rates him through 评一评; a member fills in a peer sheet from 待我评议."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.appraisal import services
from dangjian.appraisal.models import Rating, RatingToken
from dangjian.appraisal.tests.conftest import make_campaign
from dangjian.conftest import PASSWORD
from dangjian.exemplar.showcase.models import MemberCard
from dangjian.people.models import Membership

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def _rate_every_criterion(page, value: str) -> None:
    for group in page.locator(".score-group").all():
        group.locator(f"label:text-is('{value}')").click()


def test_a_customer_scans_his_slip_and_rates_his_account_manager(live_cast, open_page):
    cast = live_cast
    Membership.objects.create(
        person=cast.people.manager,
        branch=cast.city.east_branch,
        status="full",
        joined_on="2012-07-01",
        full_member_on="2013-07-01",
    )
    campaign = make_campaign(cast.office, cast.city.committee)
    services.tokens_write(campaign_id=campaign.pk)
    token = RatingToken.objects.get(campaign=campaign, customer=cast.customers.east)

    page = open_page(375, 812, **PHONE)
    page.goto(page.base + reverse("appraisal:rate", args=[token.token]))
    expect(page.locator("h1")).to_contain_text("客户评议")
    expect(page.locator("section.card")).to_contain_text("王五")
    no_horizontal_overflow(page)
    shot(page, "appraisal-customer-phone")
    _rate_every_criterion(page, "5")
    page.fill(f"#c-{cast.people.manager.pk}", "送货准时<script>alert(1)</script>")
    page.click("text=提交评议")
    expect(page.locator(".alert-success")).to_contain_text("您的评议已提交")
    no_horizontal_overflow(page)
    shot(page, "appraisal-customer-thanks")
    rating = Rating.objects.get()
    assert rating.kind == "customer" and rating.scores.count() == 4
    # The slip can be used only once.
    page.goto(page.base + reverse("appraisal:rate", args=[token.token]))
    expect(page.locator(".alert-success")).to_contain_text("只能使用一次")


def test_a_phone_scans_the_post_card_and_rates_the_member(live_cast, open_page):
    cast = live_cast
    make_campaign(cast.office, cast.city.committee)
    card = MemberCard.objects.create(
        person=cast.people.member, department="营销部", is_model_post=True
    )
    page = open_page(375, 812, **PHONE)
    page.goto(page.base + reverse("showcase:public", args=[card.public_token]))
    page.click("text=评一评")
    expect(page.locator("h1")).to_contain_text("群众评议")
    expect(page.locator("section.card")).to_contain_text("李四")
    no_horizontal_overflow(page)
    _rate_every_criterion(page, "4")
    page.click("text=提交评议")
    expect(page.locator(".alert-success")).to_contain_text("感谢您的评议")
    shot(page, "appraisal-public-phone")
    assert Rating.objects.get().kind == "public"
    # The same phone again: refused, nothing counted twice.
    page.goto(page.base + reverse("appraisal:public_rate", args=[card.public_token]))
    _rate_every_criterion(page, "4")
    page.click("text=提交评议")
    expect(page.locator(".alert-danger")).to_contain_text("只能评一次")
    assert Rating.objects.count() == 1


def test_a_member_rates_a_peer_from_his_todo_list(live_cast, open_page):
    cast = live_cast
    campaign = make_campaign(cast.office, cast.city.committee)
    page = open_page(1280, 800)
    log_in(page, "member", PASSWORD)
    page.goto(page.base + reverse("appraisal:todo"))
    expect(page.locator(".card")).to_contain_text("张三")
    shot(page, "appraisal-todo")
    page.goto(
        page.base + reverse("appraisal:sheet", args=[campaign.pk, cast.people.secretary.pk, "peer"])
    )
    _rate_every_criterion(page, "5")
    page.fill("#comment", "认真负责")
    page.click("button:text('提交')")
    expect(page.locator(".alert-success")).to_contain_text("已提交对张三的评议")
    rating = Rating.objects.get()
    assert rating.kind == "peer" and rating.rater == cast.people.member

    office = open_page(1280, 800)
    log_in(office, "office", PASSWORD)
    office.goto(office.base + reverse("appraisal:detail", args=[campaign.pk]))
    expect(office.locator("h1")).to_contain_text(campaign.name)
    expect(office.locator("#count-chart canvas")).to_have_count(1)
    shot(office, "appraisal-campaign")


def test_the_secretary_picks_a_market_area_on_the_token_page_of_a_phone(live_cast, open_page):
    """The token page's two area pickers (list filter, batch slips) on a 375 px phone: typing
    suggests the areas with tokens, a pick filters the list and starts the slips job."""
    from dangjian.platform.models import Job

    cast = live_cast
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    services.tokens_write(campaign_id=campaign.pk)
    page = open_page(375, 812, **PHONE)
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + reverse("appraisal:tokens", args=[campaign.pk]))
    expect(page.locator("tbody")).to_contain_text("360101000002")

    page.fill("#id_unit", "城区")
    page.locator("#id_unit_options input[type=radio]").first.check()
    page.click("button:has-text('查询')")
    expect(page.locator("tbody")).to_contain_text("360101000001")
    expect(page.locator("tbody")).not_to_contain_text("360101000002")
    expect(page.locator("#id_unit_pick")).to_contain_text("东湖城区片区")
    no_horizontal_overflow(page)
    shot(page, "appraisal-tokens-phone")

    page.fill("#id_area", "城区")
    expect(page.locator("#id_area_options")).to_contain_text("东湖城区片区")
    page.locator("#id_area_options input[type=radio]").first.check()
    no_horizontal_overflow(page)
    page.click("button:has-text('生成PDF')")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.get(kind="appraisal.slips")
    assert job.params["unit_id"] == cast.city.east_area.pk
