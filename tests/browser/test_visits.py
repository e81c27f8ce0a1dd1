"""Issue 6's visits "done when", in the browser: an account manager, in the shop with his
phone, opens the customer, logs a visit with a photo of the display, and finds it on the
customer's visit list; the same from the due-visit list at a desk."""

import io

import pytest
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.warmth.visits.catalogue import ensure_catalogue
from dangjian.warmth.visits.models import Visit

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def display_photo() -> dict:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 40, 40)).save(buf, "JPEG")
    return {"name": "counter.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


@pytest.fixture
def catalogue(live_cast):
    ensure_catalogue()
    return live_cast


def test_the_manager_logs_a_visit_with_a_photo_on_his_phone(catalogue, open_page):
    cast = catalogue
    customer = cast.customers.east
    page = open_page(375, 812, **PHONE)
    log_in(page, "manager", PASSWORD)
    page.goto(page.base + f"/customers/{customer.pk}/")
    page.click("text=记录走访")
    expect(page.locator("h1")).to_contain_text("记录走访")
    no_horizontal_overflow(page)
    # The customer came along from his page; the camera inputs ask for the back camera.
    expect(page.locator("#id_customer_pick")).to_contain_text(customer.shop_name)
    assert page.get_attribute("#id_photos_after", "capture") == "environment"
    page.select_option("#id_kind", label="出样陈列指导")
    page.fill("#id_notes", "高端规格上移到视线高度")
    page.set_input_files("#id_photos_after", display_photo())
    shot(page, "visits-quick-entry-phone")
    page.click("button[name=save]")
    expect(page.locator(".alert-success")).to_contain_text("已记录")
    # Back on the customer's visit list (the link carried ?next=).
    expect(page.locator("h1")).to_contain_text("的走访记录")
    expect(page.locator("table")).to_contain_text("出样陈列指导")
    no_horizontal_overflow(page)
    shot(page, "visits-customer-list-phone")
    visit = Visit.objects.get()
    assert visit.photos.count() == 1
    page.goto(page.base + f"/warmth/visits/{visit.pk}/")
    image = page.locator("figure img")
    expect(image).to_be_visible()
    # The photo is lazy-loaded: wait until the browser has decoded it (a broken image never is).
    page.wait_for_function(
        "() => { const i = document.querySelector('figure img'); return i.complete && i.naturalWidth > 0; }"
    )
    no_horizontal_overflow(page)


def test_the_manager_works_the_due_list_at_his_desk(catalogue, open_page):
    cast = catalogue
    page = open_page(1280, 800)
    log_in(page, "manager", PASSWORD)
    # The picker finds his customer by the owner's pinyin initials (王小明 → wxm).
    page.goto(page.base + "/warmth/visits/new/")
    page.fill("#id_customer", "wxm")
    expect(page.locator("#id_customer_options")).to_contain_text(cast.customers.east.shop_name)
    page.goto(page.base + "/warmth/visits/due/")
    expect(page.locator("table")).to_contain_text(cast.customers.east.shop_name)
    expect(page.locator("table")).to_contain_text("从未走访")
    page.click("table a[href*='/warmth/visits/new/']")
    page.select_option("#id_kind", label="日常走访")
    page.click("button[name=save]")
    expect(page.locator(".alert-success")).to_contain_text("已记录")
    expect(page.locator("h1")).to_contain_text("待走访客户")
    expect(page.locator("table")).not_to_contain_text(cast.customers.east.shop_name)
