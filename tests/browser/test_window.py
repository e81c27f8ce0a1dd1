"""Issue 6's window "done when", in the browser: a window clerk receives an incomplete
application, ticks what was handed in and prints the 一次性告知书 — at a desk and on a phone."""

import pytest
from playwright.sync_api import expect

from dangjian.accounts.roles import Role
from dangjian.conftest import PASSWORD, make_person, make_user
from dangjian.warmth.window.models import LicenceWindow, OneTimeNotice

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
IDS = ["360102198001010013", "360102198505050078"]


def patient(page):
    """The shared 2-core machine can be slow: allow a minute per step."""
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    expect.set_options(timeout=60_000)
    return page


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


@pytest.fixture
def clerk_window(live_cast):
    cast = live_cast
    clerk = make_user("clerk", (Role.WINDOW_CLERK, cast.city.east))
    person = make_person("周窗口", cast.city.east, user=clerk, post="窗口人员")
    window = LicenceWindow.objects.create(
        unit=cast.city.east,
        name="东湖县局办证窗口",
        address="东湖县人民路1号",
        phone="0797-1234567",
        benchmark=cast.people.secretary,
    )
    window.staff.set([person, cast.people.secretary])
    return window


def receive_incomplete_and_print(page, applicant: str, id_number: str, name: str) -> None:
    page.goto(page.base + "/warmth/window/new/")
    expect(page.locator("h1")).to_contain_text("接收许可证申请")
    page.select_option("#id_kind", "new")
    page.fill("#id_applicant_name", applicant)
    page.fill("#id_applicant_id_number", id_number)
    page.fill("#id_applicant_phone", "13912345678")
    page.fill("#id_shop_name", f"{applicant}便利店")
    page.fill("#id_shop_address", "东湖县解放路8号")
    if page.viewport_size["width"] < 500:
        no_horizontal_overflow(page)
    page.click("#save")
    expect(page.locator(".alert-success")).to_contain_text("已接收申请")
    # Only the form and the ID card were handed in.
    page.check("#id_m_form")
    page.check("#id_m_id_card")
    page.fill("#id_n_premises", "租赁合同未带")
    page.click("text=保存材料核对")
    expect(page.locator(".alert-success")).to_contain_text("材料清单已保存")
    page.click("#issue-notice")
    expect(page.locator(".alert-success")).to_contain_text("已出具一次性告知书")
    expect(page.locator("#issue-notice")).to_have_count(0)  # one notice per application
    link = page.locator("a:has-text('打印一次性告知书')").first
    expect(link).to_be_visible()
    if page.viewport_size["width"] < 500:
        no_horizontal_overflow(page)
    shot(page, name)
    pdf = page.request.get(page.base + link.get_attribute("href"), timeout=180_000)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"


def test_a_clerk_prints_the_one_time_notice_at_the_desk(clerk_window, open_page):
    page = patient(open_page(1280, 800))
    log_in(page, "clerk", PASSWORD)
    receive_incomplete_and_print(page, "陈小店", IDS[0], "desktop-window-notice")
    notice = OneTimeNotice.objects.get()
    assert [item["name"] for item in notice.items] == ["经营场所使用证明（产权证明或租赁合同）"]
    assert notice.items[0]["note"] == "租赁合同未带"


def test_a_clerk_prints_the_one_time_notice_on_a_phone(clerk_window, open_page):
    page = patient(open_page(375, 812, **PHONE))
    log_in(page, "clerk", PASSWORD)
    receive_incomplete_and_print(page, "林小铺", IDS[1], "phone-window-notice")
    page.goto(page.base + "/warmth/window/worklist/")
    expect(page.locator("body")).to_contain_text("林小铺")
    no_horizontal_overflow(page)


def test_the_public_window_page_fits_a_phone(clerk_window, open_page):
    page = patient(open_page(375, 812, **PHONE))
    page.goto(page.base + f"/warmth/window/p/{clerk_window.public_token}/")
    expect(page.locator("#benchmark")).to_contain_text("张三")
    expect(page.locator("body")).to_contain_text("经营场所使用证明")
    no_horizontal_overflow(page)
    shot(page, "phone-window-public")
