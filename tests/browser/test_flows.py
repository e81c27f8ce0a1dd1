"""What people do in the browser: the office's tour, the secretary on his phone, an outsider
trying another branch's URL."""

import re

import pytest
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD

from .conftest import SCREENSHOTS, log_in, shot

pytestmark = pytest.mark.browser


def test_office_tours_home_tree_people_reveal_and_customers(live_cast, open_page):
    cast = live_cast
    page = open_page(1366, 900)
    log_in(page, "office", PASSWORD)

    # Home: real figures and the ECharts canvas.
    expect(page.locator(".stat-card .value").first).to_be_visible()
    expect(page.locator("#branch-chart canvas")).to_be_visible()
    page.wait_for_timeout(1200)  # let the bars finish their grow-in animation
    shot(page, "desktop-home")

    # Unit tree: the company is open, a bureau expands on click (htmx loads its children).
    page.click("text=单位")
    expect(page.locator(".tree")).to_contain_text("东湖县局")
    page.locator("details:has(> summary > a:text('东湖县局')) > summary").click()
    expect(page.locator(".tree")).to_contain_text("东湖城区片区")
    shot(page, "desktop-unit-tree")

    # People search by initials, then the person's page.
    page.goto(page.base + "/people/")
    page.fill("input[name=q]", "zs")
    page.click("button:has-text('查询')")
    expect(page.locator("tbody")).to_contain_text("张三")
    expect(page.locator("tbody")).not_to_contain_text("李四")
    page.click("tbody a:text('张三')")
    expect(page.locator("h1")).to_contain_text("张三")

    # Reveal the ID number: masked first, in clear after the click.
    masked = cast.people.secretary.id_number_masked
    expect(page.locator("#reveal-id .masked")).to_have_text(masked)
    page.locator("#reveal-id button").click()
    revealed = page.locator("dd").filter(has_text=cast.people.secretary.id_number)
    expect(revealed).to_be_visible()
    expect(revealed.locator("button")).to_have_count(0)  # the button goes once revealed
    shot(page, "desktop-person-revealed")

    # Customer list filtered by a market area.
    page.goto(page.base + "/customers/")
    page.select_option("select[name=unit]", label="西山城区片区")
    page.click("button:has-text('查询')")
    expect(page.locator("tbody")).to_contain_text("360102000001")
    expect(page.locator("tbody")).not_to_contain_text("360101000001")
    shot(page, "desktop-customers-filtered")


def test_secretary_on_a_phone_uses_the_menu_and_sees_only_his_branch(live_cast, open_page):
    page = open_page(375, 812, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, "secretary", PASSWORD)
    page.wait_for_timeout(1200)
    shot(page, "phone-home")

    # The sidebar is hidden behind the hamburger on a phone.
    expect(page.locator("#sidebar a:text('人员与党员')")).not_to_be_visible()
    page.click("button[aria-label='菜单']")
    expect(page.locator("#sidebar a:text('人员与党员')")).to_be_visible()
    page.wait_for_timeout(500)  # the offcanvas slides in
    page.screenshot(path=str(SCREENSHOTS / "phone-menu.png"))
    page.click("#sidebar a:text('人员与党员')")
    expect(page).to_have_url(re.compile(r"/people/$"))

    body = page.locator("tbody")
    for name in ("张三", "李四", "单雄信"):
        expect(body).to_contain_text(name)
    for name in ("赵六", "钱七", "王五"):
        expect(body).not_to_contain_text(name)
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-people")

    # A person's page and the customer list read well on the phone too.
    page.click("tbody a:text('李四')")
    expect(page.locator("h1")).to_contain_text("李四")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-person")
    page.goto(page.base + "/customers/")
    expect(page.locator("tbody")).to_contain_text("360101000001")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-customers")


def test_an_outsider_opening_another_branchs_person_gets_404(live_cast, open_page):
    page = open_page()
    log_in(page, "outsider", PASSWORD)
    response = page.goto(page.base + f"/people/{live_cast.people.member.pk}/")
    assert response.status == 404
    own = page.goto(page.base + f"/people/{live_cast.people.outsider.pk}/")
    assert own.status == 200
