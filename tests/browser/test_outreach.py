"""Issue 6 (增值服务) in the browser: a customer books a holiday slot from a phone through
the window's public page and gets a code; the duty member sees the booking; the office
reads a broadcast's delivery log with a failed channel; an account manager schedules a
上门服务 with two staff on a phone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD, make_person
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import AreaGroup, BroadcastKind, OffDayBooking
from dangjian.warmth.window.models import LicenceWindow

from .conftest import log_in, shot

pytestmark = pytest.mark.browser
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
T = dt.time


def phone(open_page):
    return _slow_ok(open_page(375, 812, **PHONE))


def _slow_ok(page):
    page.set_default_timeout(60_000)  # a shared, busy machine: the live server answers late
    return page


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """The seeded broadcast kinds and templates (the live-server tests' flush drops them)."""
    from dangjian.notifications.models import MessageTemplate
    from dangjian.warmth.outreach.defaults import ensure_defaults
    from dangjian.warmth.outreach.models import GreetingOccasion

    ensure_defaults(BroadcastKind, GreetingOccasion, MessageTemplate)


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def _saturday():
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    return day


def test_a_customer_books_a_holiday_slot_on_a_phone(live_cast, open_page):
    cast = live_cast
    window = LicenceWindow.objects.create(unit=cast.city.east, name="东湖县局办证窗口")
    services.roster_save(
        actor=cast.office,
        window=window,
        date=_saturday(),
        staff=[cast.people.member],
        slots=[(T(9), T(11, 30), 6), (T(14), T(16, 30), 6)],
    )
    page = phone(open_page)
    page.goto(page.base + f"/warmth/outreach/book/{window.public_token}/")
    expect(page.get_by_text("非工作日预约")).to_be_visible()
    no_horizontal_overflow(page)
    shot(page, "outreach-book-phone")
    page.locator("a.slot").first.click()
    page.fill("#id_name", "刘店主")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_licence_no", "360101000001")
    page.select_option("#id_purpose", "renewal")
    no_horizontal_overflow(page)
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("预约成功")).to_be_visible()
    code = page.locator("#booking-code").inner_text().strip()
    booking = OffDayBooking.objects.get()
    assert booking.code == code and booking.customer == cast.customers.east
    no_horizontal_overflow(page)
    shot(page, "outreach-booked-phone")

    # The duty member sees it on his phone.
    staff_page = phone(open_page)
    log_in(staff_page, "member", PASSWORD)
    staff_page.goto(staff_page.base + "/warmth/outreach/duty/mine/")
    expect(staff_page.get_by_text("刘店主")).to_be_visible()
    no_horizontal_overflow(staff_page)


def test_the_office_reads_a_delivery_log_with_a_failed_channel(live_cast, open_page):
    cast = live_cast
    group = AreaGroup.objects.create(
        name="东湖城区片区群", unit=cast.city.east_area, robot_webhook="http://127.0.0.1:9/x"
    )
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    broadcast = services.broadcast_send(
        actor=cast.manager,
        group=group,
        kind=BroadcastKind.objects.get(key="weather"),
        title="暴雨预警",
        content="明天有暴雨。",
    )
    services.broadcast_deliver(broadcast_id=broadcast.pk)
    page = _slow_ok(open_page(1280, 800))
    log_in(page, "office", PASSWORD)
    page.goto(page.base + f"/warmth/outreach/broadcasts/{broadcast.pk}/")
    expect(page.get_by_text("网络错误").first).to_be_visible()
    expect(page.get_by_role("button", name="重试失败的发送")).to_be_visible()
    shot(page, "outreach-delivery-log")
    small = phone(open_page)
    log_in(small, "office", PASSWORD)
    small.goto(small.base + f"/warmth/outreach/broadcasts/{broadcast.pk}/")
    no_horizontal_overflow(small)


def test_a_manager_schedules_a_home_visit_with_two_staff_on_a_phone(live_cast, open_page):
    cast = live_cast
    cast.customers.east.elderly = True
    cast.customers.east.save()
    make_person("王九", cast.city.east_area, post="送货员")
    page = phone(open_page)
    log_in(page, "manager", PASSWORD)
    page.goto(page.base + "/warmth/outreach/home/new/")
    no_horizontal_overflow(page)
    page.fill("input[name=customer_q]", "3601")
    page.locator("input[name=customer]").first.check()
    page.fill(
        "#id_scheduled_at", (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    )
    page.select_option("#id_kind", "licence")
    page.fill("#id_request_note", "许可证延续")
    page.fill("input[name=staff_q]", "王")  # 王五 (the manager) and 王九 (a courier)
    expect(page.locator("input[name=staff]")).to_have_count(2)
    for box in page.locator("input[name=staff]").all():
        box.check()
    page.get_by_role("button", name="保存并通知").click()
    expect(page.get_by_text("已安排上门服务并通知上门人员")).to_be_visible()
    no_horizontal_overflow(page)
    shot(page, "outreach-home-phone")
