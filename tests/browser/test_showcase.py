"""Issue 5's 三亮 and 比作风 "done when", in the browser: a member opens his card and writes
his commitment; the secretary prints the branch's A6 post cards; a phone opens the QR link
(the public page) and sees the card with its 评一评 button; a member files a
self-inspection on a phone, and his overdue measure escalates to his secretary."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.exemplar.conduct import services as conduct_services
from dangjian.exemplar.conduct.models import Rectification, SelfInspection
from dangjian.exemplar.showcase import services as showcase_services
from dangjian.exemplar.showcase.models import MemberCard
from dangjian.notifications.models import Delivery

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_member_writes_his_commitment_and_the_secretary_prints_the_branch_cards(
    live_cast, open_page
):
    cast = live_cast
    page = open_page(1280, 800)
    log_in(page, "member", PASSWORD)
    page.goto(page.base + "/exemplar/cards/me/")
    expect(page.locator("h1")).to_contain_text("我的亮身份卡")
    year = timezone.localdate().year
    page.fill(f"#id_y{year}-text", "全年走访零售客户不少于300户\n帮助困难客户2户")
    page.click("text=保存承诺")
    expect(page.locator(".alert-success")).to_contain_text("承诺已保存")
    expect(page.locator(".showcase-card")).to_contain_text("全年走访零售客户不少于300户")
    shot(page, "showcase-my-card")

    secretary = open_page(1280, 800)
    log_in(secretary, "secretary", PASSWORD)
    secretary.goto(secretary.base + "/exemplar/cards/print/")
    # The missing cards of the branch first.
    secretary.select_option("#id_e-branch", str(cast.city.east_branch.pk))
    secretary.get_by_role("button", name="生成", exact=True).click()
    expect(secretary.locator(".alert-success")).to_contain_text("已生成 2 张亮身份卡")
    secretary.select_option("#id_branch", str(cast.city.east_branch.pk))
    response = secretary.request.get(
        secretary.base + f"/exemplar/cards/print/?branch={cast.city.east_branch.pk}&size=A6"
    )
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    secretary.goto(secretary.base + "/exemplar/cards/")
    expect(secretary.locator("table")).to_contain_text("李四")
    shot(secretary, "showcase-list")


def test_a_phone_opens_the_qr_link_and_sees_the_card_with_its_rate_button(live_cast, open_page):
    cast = live_cast
    card = showcase_services.card_ensure(actor=cast.secretary, person=cast.people.member)
    showcase_services.card_update(
        actor=cast.secretary,
        card=card,
        is_model_post=True,
        model_post_name="优质服务示范岗",
        department="东湖营销部",
        is_published=True,
    )
    showcase_services.commitment_save(
        actor=cast.member, card=card, year=timezone.localdate().year, text="客户满意度95%以上"
    )
    page = open_page(375, 812, **PHONE)  # no login: a customer scanning the post card
    page.goto(page.base + f"/exemplar/cards/p/{card.public_token}/")
    expect(page.locator(".showcase-card")).to_contain_text("李四")
    expect(page.locator(".showcase-card")).to_contain_text("优质服务示范岗")
    expect(page.locator(".showcase-card")).to_contain_text("客户满意度95%以上")
    button = page.get_by_role("link", name="评一评")
    expect(button).to_be_visible()
    assert button.get_attribute("href") == f"/appraisal/rate/m/{card.public_token}/"
    no_horizontal_overflow(page)
    shot(page, "showcase-public-phone")
    MemberCard.objects.filter(pk=card.pk).update(is_published=False)
    response = page.goto(page.base + f"/exemplar/cards/p/{card.public_token}/")
    assert response.status == 404


@pytest.fixture
def conduct_cast(live_cast):
    # The problem categories a data migration wrote are flushed between transactional tests:
    # after the tests above the form's 问题类别 has no options to choose.
    import_module("dangjian.exemplar.conduct.migrations.0002_problem_categories").seed(apps, None)
    return live_cast


def test_a_member_files_a_self_inspection_on_a_phone_and_the_overdue_measure_escalates(
    conduct_cast, open_page
):
    cast = conduct_cast
    page = open_page(375, 812, **PHONE)
    log_in(page, "member", PASSWORD)
    page.goto(page.base + "/exemplar/conduct/me/")
    page.get_by_role("button", name=f"开始{timezone.localdate().year}年自查").click()
    page.wait_for_url("**/exemplar/conduct/inspections/*/")
    expect(page.locator("h1")).to_contain_text("做合格党员自查")
    page.select_option("#id_category", label="作风建设")
    page.fill("#id_description", "走访客户存在走过场现象")
    page.fill("#id_measure", "每月走访客户不少于25户并记录意见")
    page.click("text=添加问题和措施")
    expect(page.locator(".alert-success")).to_contain_text("已添加问题和整改措施")
    page.fill("#id_summary", "对照合格党员标准查摆了作风方面的不足")
    page.click("text=提交自查")
    expect(page.locator(".alert-success")).to_contain_text("自查已提交支部")
    no_horizontal_overflow(page)
    shot(page, "conduct-inspection-phone")

    inspection = SelfInspection.objects.get(person=cast.people.member)
    assert inspection.status == "submitted"
    measure = Rectification.objects.get(inspection=inspection)
    # Days later the measure is overdue: the daily scan tells the secretary, then the office.
    result = conduct_services.measures_escalate_overdue(
        today=measure.deadline + dt.timedelta(days=10)
    )
    assert result["reminded"] == 1 and result["escalated"] == 1

    secretary = open_page(375, 812, **PHONE)
    log_in(secretary, "secretary", PASSWORD)
    assert Delivery.objects.filter(
        user=cast.secretary, message__subject__contains="整改逾期"
    ).exists()
    assert Delivery.objects.filter(
        user=cast.office, message__subject__contains="整改逾期上报"
    ).exists()
    secretary.goto(secretary.base + "/exemplar/conduct/")
    expect(secretary.locator("main")).to_contain_text("东湖县局党支部")
    expect(secretary.locator("main")).to_contain_text("逾期措施")
    no_horizontal_overflow(secretary)
    shot(secretary, "conduct-branch-phone")
