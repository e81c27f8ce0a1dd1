"""三评 part 2 in the browser: the office reads a campaign's results and charts and excludes a
lenient rater; a secretary decides grades on a phone (the 1/3 rule refuses a second 优秀); a
member of the public leaves a message in a branch's suggestion box on a phone and reads the
secretary's answer through the tracking code."""

import re

import pytest
from playwright.sync_api import expect

from dangjian.appraisal.grading import services
from dangjian.appraisal.grading.models import GradingPolicy, LeniencyFlag, MemberResult
from dangjian.appraisal.grading.tests.conftest import make_campaign, rate
from dangjian.appraisal.suggestions.models import Suggestion, SuggestionBox
from dangjian.conftest import PASSWORD

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def patient(page):
    """This shared 2-core machine is often loaded: give each step 30 s, not 10."""
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    return page


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def campaign_with_ratings(cast):
    p = cast.people
    campaign = make_campaign(cast.city.committee)
    GradingPolicy.objects.create(campaign=campaign, leniency_min_sheets=2, excellent_min=85)
    # 张三 gives everyone 5: flagged. The others rate honestly.
    rate(campaign, p.member, "peer", [5, 5], rater=p.secretary)
    rate(campaign, p.probationary, "peer", [5, 5], rater=p.secretary)
    rate(campaign, p.secretary, "peer", [4, 5], rater=p.member)
    rate(campaign, p.probationary, "peer", [4, 4], rater=p.member)
    rate(campaign, p.member, "self", [4, 4], rater=p.member)
    rate(campaign, p.secretary, "self", [5, 5], rater=p.secretary)
    rate(campaign, p.west_member, "peer", [3, 4], rater=p.outsider)
    services.results_compute(actor=cast.office, campaign=campaign)
    return campaign


def test_office_reads_results_and_excludes_a_lenient_rater(live_cast, open_page):
    cast = live_cast
    campaign = campaign_with_ratings(cast)
    page = patient(open_page(1280, 800))
    log_in(page, "office", PASSWORD)
    page.goto(page.base + f"/appraisal/results/{campaign.pk}/")
    expect(page.locator("h1")).to_contain_text(campaign.name)
    expect(page.locator("#chart-histogram canvas")).to_have_count(1)
    expect(page.locator("#results-table tbody")).to_contain_text("李四")
    expect(page.get_by_role("link", name=re.compile("雷同评分"))).to_contain_text("1")
    shot(page, "grading-results-desktop")

    page.get_by_role("link", name=re.compile("雷同评分")).click()
    row = page.locator("tr", has_text="张三")
    row.get_by_placeholder("处理理由").fill("对所评党员一律打满分")
    row.get_by_role("button", name="剔除").click()
    expect(page.locator(".alert-success")).to_contain_text("已剔除 2 份评议表")
    assert LeniencyFlag.objects.get().status == "excluded"
    # The worker would run the recomputation now; here the test does.
    services.results_compute(actor=cast.office, campaign=campaign)
    li = MemberResult.objects.get(campaign=campaign, person=cast.people.member)
    assert li.score == 80  # only his own (4, 4) is left
    page.goto(page.base + f"/appraisal/results/member/{li.pk}/")
    expect(page.locator("tbody").first).to_contain_text("党员自评")
    expect(page.get_by_text("已剔除").first).to_be_visible()


def test_secretary_decides_grades_on_a_phone_and_the_third_rule_refuses(live_cast, open_page):
    cast = live_cast
    campaign = campaign_with_ratings(cast)
    results = {r.person.name: r for r in MemberResult.objects.filter(campaign=campaign)}
    page = patient(open_page(375, 812, **PHONE))
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/appraisal/results/{campaign.pk}/")
    expect(page.locator("#results-table tbody")).to_contain_text("张三")
    expect(page.locator("#results-table tbody")).not_to_contain_text("钱七")
    no_horizontal_overflow(page)
    shot(page, "grading-results-phone")

    def decide(name, grade, reason):
        page.goto(page.base + f"/appraisal/results/member/{results[name].pk}/")
        page.select_option("#id_grade", label=grade)
        page.fill("#id_reason", reason)
        page.get_by_role("button", name="保存评定并告知本人").click()

    decide("张三", "优秀", "带头服务客户，测评第一")
    expect(page.locator(".alert-success")).to_contain_text("已登记评定等次")
    no_horizontal_overflow(page)
    shot(page, "grading-member-phone")
    decide("李四", "优秀", "表现良好")
    expect(page.locator(".alert-danger")).to_contain_text("不能超过参评党员 3 名的1/3")
    decide("单雄信", "优秀", "积极")
    expect(page.locator(".alert-danger")).to_contain_text("预备党员不评为优秀")


def test_public_writes_to_the_box_on_a_phone_and_reads_the_answer(live_cast, open_page):
    cast = live_cast
    box = SuggestionBox.objects.create(branch=cast.city.east_branch)
    phone = patient(open_page(375, 812, **PHONE))
    phone.goto(phone.base + f"/suggestions/b/{box.key}/")
    expect(phone.locator("h1")).to_contain_text("东湖县局党支部意见箱")
    phone.select_option("#id_topic", label="服务意见")
    phone.fill("#id_content", "<b>周末</b>能否延长营业时间？")
    no_horizontal_overflow(phone)
    shot(phone, "suggestions-public-phone")
    phone.get_by_role("button", name="提交留言").click()
    code = phone.locator("#tracking-code").inner_text().strip()
    assert Suggestion.objects.get().code == code

    office = patient(open_page(1280, 800))
    log_in(office, "secretary", PASSWORD)
    office.goto(office.base + "/suggestions/")
    office.get_by_role("link", name=re.compile("周末")).click()
    office.fill("#id_answer", "自下月起周六上午增设便民窗口")
    office.get_by_role("button", name="提交答复").click()
    expect(office.locator(".alert-success")).to_contain_text("已答复")

    phone.goto(phone.base + "/suggestions/t/")
    phone.fill("input[name=code]", code.lower())
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("body")).to_contain_text("自下月起周六上午增设便民窗口")
    expect(phone.locator("body")).to_contain_text("<b>周末</b>")
    no_horizontal_overflow(phone)
    shot(phone, "suggestions-track-phone")
