"""Issue 4's "done when", in the browser: a secretary's month of 三会一课 turns his branch
green; the office sees a late branch in red and drills down; a development case is walked
from application to 转正 through the step forms; a member reads the dues calculator and his
ledger on a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.development.tests.factories import DATES, VOTE_OK, applicant
from dangjian.orglife import rules as orglife_rules
from dangjian.orglife import services as orglife_services
from dangjian.orglife.models import Meeting, MeetingKind
from dangjian.rulebook.registry import national

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

DESKTOP = (1280, 800)
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
RED = "rgb(220, 53, 69)"  # .ol-late
GREEN = "rgb(25, 135, 84)"  # .ol-done


def phone(open_page):
    return open_page(375, 812, **PHONE)


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def required_kinds(branch, day: dt.date) -> list[str]:
    """The kinds whose period ends in ``day``'s month: what that month needs to be green."""
    kinds = []
    for kind in orglife_rules.BRANCH_KINDS:
        if kind == orglife_rules.GROUP_MEETING and branch.numchild == 0:
            continue
        months = national(orglife_rules.period_key(kind))
        if orglife_rules.period_bounds(day, months)[1].month == day.month:
            kinds.append(kind)
    return kinds


def month_cell(page, month: int):
    return page.locator("#month-status [data-status]").nth(month - 1)


# ------------------------------------------------------------------------------ (a)


def test_secretary_plans_and_records_a_month_and_his_branch_turns_green(live_cast, open_page):
    cast = live_cast
    today = timezone.localdate()
    branch = cast.city.east_branch
    branch.refresh_from_db()  # numchild counts the party group
    page = open_page(*DESKTOP)
    log_in(page, "secretary", PASSWORD)

    # His branch page: this month is not done yet.
    page.goto(page.base + f"/orglife/branches/{branch.pk}/")
    expect(page.locator("h1")).to_contain_text("东湖县局党支部")
    expect(month_cell(page, today.month)).not_to_have_attribute("data-status", "done")

    # The yearly plan: a fixed theme day; the planned meetings are generated from the rules.
    page.click("text=年度计划")
    page.fill("#id_theme_day_of_month", str(min(today.day, 28)))
    page.click("button:has-text('保存计划并生成会议安排')")
    expect(page.locator(".alert-success")).to_contain_text("新增计划会议")
    planned = page.locator("table tbody tr")
    expect(planned.first).to_contain_text(str(today.year))
    shot(page, "desktop-orglife-plan")

    # Record every meeting planned for this month, with attendance.
    month_url = page.base + f"/orglife/branches/{branch.pk}/?year={today.year}&month={today.month}"
    page.goto(month_url)
    needed = required_kinds(branch, today)
    labels = {k: str(label) for k, label in MeetingKind.choices}
    for kind in needed:
        expect(page.locator("table").last).to_contain_text(labels[kind])
    recorded = []
    while page.locator("a.btn:text-is('记录')").count():
        page.locator("a.btn:text-is('记录')").first.click()
        expect(page.locator("h1")).to_contain_text("记录会议")
        kind = page.locator("#id_kind").input_value()
        page.fill("#id_place", "支部活动室")
        page.select_option("#id_host", label="张三")
        page.select_option("#id_recorder", label="李四")
        page.fill("#id_topic", f"{labels.get(kind, kind)}：学习贯彻全会精神")
        if kind == orglife_rules.PARTY_LECTURE:
            page.fill("#id_lecturer", "张三")
        probationary = cast.people.probationary.pk
        page.select_option(f"#att_{probationary}", "leave")
        page.fill(f"[name=reason_{probationary}]", "外出培训")
        if not recorded:
            shot(page, "desktop-orglife-record")
        page.click("button:has-text('保存会议记录')")
        expect(page.locator(".alert-success")).to_contain_text("已记录")
        expect(page.locator("body")).to_contain_text("外出培训")
        recorded.append(kind)
        page.goto(month_url)
    assert set(needed) <= set(recorded), (needed, recorded)

    # The month is green, and nothing is left for it.
    cell = month_cell(page, today.month)
    expect(cell).to_have_attribute("data-status", "done")
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    expect(page.locator(".card-header").last).to_contain_text("已完成")
    expect(page.locator("body")).not_to_contain_text("尚未完成")
    shot(page, "desktop-orglife-branch-green")

    # On his phone the calendar scrolls inside its box, the page does not.
    mobile = phone(open_page)
    log_in(mobile, "secretary", PASSWORD)
    mobile.goto(month_url)
    expect(month_cell(mobile, today.month)).to_have_attribute("data-status", "done")
    no_horizontal_overflow(mobile)
    shot(mobile, "phone-orglife-branch")


# ------------------------------------------------------------------------------ (b)


def _hold(cast, branch, kind, on):
    meeting = Meeting(branch=branch, kind=kind, held_on=on, place="会议室", topic="学习")
    if kind == orglife_rules.PARTY_LECTURE:
        meeting.lecturer = "张三"
    orglife_services.meeting_record(actor=cast.office, meeting=meeting, attendance=[])


def test_office_sees_the_late_branch_in_red_and_drills_down(live_cast, open_page):
    cast = live_cast
    today = timezone.localdate()
    east = cast.city.east_branch
    east.refresh_from_db()
    for kind in required_kinds(east, today):  # 东湖 holds this month's meetings; 西山 none
        _hold(cast, east, kind, today)
    last_month = today.replace(day=1) - dt.timedelta(days=1)

    page = open_page(*DESKTOP)
    log_in(page, "office", PASSWORD)
    page.goto(page.base + f"/orglife/?year={last_month.year}")
    expect(page.locator("h1")).to_contain_text(f"{last_month.year} 年组织生活落实情况")
    west_row = page.locator("tbody tr", has=page.locator("th a:text('西山县局党支部')"))
    east_row = page.locator("tbody tr", has=page.locator("th a:text('东湖县局党支部')"))
    expect(west_row).to_have_count(1)
    expect(east_row).to_have_count(1)

    # 西山 missed last month: its cell is red, and it counts among the late branches.
    late = west_row.locator("td").nth(last_month.month - 1).locator("a")
    expect(late).to_have_class(re.compile(r"\bol-late\b"))
    assert late.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    expect(late).to_have_attribute("title", re.compile("逾期.*支委会"))
    assert int(page.locator(".card .text-danger").first.inner_text()) >= 1
    if last_month.year == today.year:
        this = east_row.locator("td").nth(today.month - 1).locator("a")
        expect(this).to_have_class(re.compile(r"\bol-done\b"))
    shot(page, "desktop-orglife-matrix")

    # Drill down from the red cell: that branch's month, what is missing.
    late.click()
    expect(page).to_have_url(re.compile(rf"month={last_month.month}"))
    expect(page.locator("h1")).to_contain_text("西山县局党支部")
    expect(month_cell(page, last_month.month)).to_have_attribute("data-status", "late")
    missing = page.locator(".alert-warning")
    expect(missing).to_contain_text("支委会")
    expect(missing).to_contain_text("主题党日")
    expect(missing).not_to_contain_text("党小组会")  # 西山 has no party groups
    shot(page, "desktop-orglife-drilldown")

    mobile = phone(open_page)
    log_in(mobile, "office", PASSWORD)
    mobile.goto(mobile.base + f"/orglife/?year={last_month.year}")
    expect(mobile.locator("tbody")).to_contain_text("西山县局党支部")
    no_horizontal_overflow(mobile)
    shot(mobile, "phone-orglife-matrix")


# ------------------------------------------------------------------------------ (c)


def _step(page, number: int, on: dt.date, **fields) -> None:
    """Fill and submit the form of step ``number`` on the case page."""
    form = page.locator("#next-step")
    if f"第{number}步" not in form.locator(".card-header strong").inner_text():
        form.locator(f".card-header a:has-text('第{number}步')").click()
    expect(form.locator(".card-header strong")).to_contain_text(f"第{number}步")
    form.locator("[name=occurred_on]").fill(on.isoformat())
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(str(value))
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("步骤已记录")
    expect(page.locator(".list-group").first).to_contain_text(on.isoformat())


def _contact(page, role: str, person, on: dt.date) -> None:
    form = page.locator("form[action$='/contacts/']")
    form.locator("[name=role]").select_option(label=role)
    form.locator("[name=person]").select_option(str(person.pk))
    form.locator("[name=named_on]").fill(on.isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加")


def _notice(page, before_step: int, starts: dt.date) -> None:
    form = page.locator("form[action$='/notices/']")
    form.locator("[name=before_step]").select_option(str(before_step))
    form.locator("[name=starts_on]").fill(starts.isoformat())
    form.locator("[name=content]").fill("拟发展对象公示")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("公示已发布")


def test_a_development_case_walked_to_full_membership(live_cast, open_page):
    cast = live_cast
    person = applicant(cast, "周小青")
    page = open_page(*DESKTOP)
    log_in(page, "secretary", PASSWORD)

    # Step 1: the case, opened with the application date.
    page.goto(page.base + "/development/")
    page.click("text=新建发展档案")
    page.select_option("#id_branch", label="东湖县局党支部")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_applied_on", DATES[1].isoformat())
    page.click("button:has-text('建立档案')")
    expect(page.locator("h1")).to_contain_text("周小青")
    expect(page.locator("h1 .badge").first).to_have_text("入党申请人")

    # Step 2 with the rule on the form; dated too late, it is refused with the rule's source.
    form = page.locator("#next-step")
    expect(form.locator("#step-hints")).to_contain_text(
        "须在收到入党申请书后 1 个月内（2022-04-01 前）派人谈话"
    )
    # Only the fields step 2 needs: no vote, training or outcome.
    for name in ("entitled", "votes_yes", "training_days", "outcome", "passed"):
        expect(form.locator(f"[name={name}]")).to_have_count(0)
    shot(page, "desktop-development-step2")
    form.locator("[name=occurred_on]").fill("2022-05-01")
    form.locator("button[type=submit]").click()
    error = page.locator("#next-step .invalid-feedback")
    expect(error).to_contain_text("1 个月内")
    expect(error).to_contain_text("《中国共产党发展党员工作细则》")
    shot(page, "desktop-development-refusal")
    _step(page, 2, DATES[2], decision="支委会指派张三谈话")

    _step(page, 3, DATES[3])
    _step(page, 4, DATES[4])
    _contact(page, "培养联系人", cast.people.member, DATES[5])
    _step(page, 5, DATES[5])
    _step(page, 6, DATES[6])
    _step(page, 6, dt.date(2023, 6, 1))  # the second half-year assessment
    _notice(page, 7, DATES[7] - dt.timedelta(days=14))
    _step(page, 7, DATES[7])
    expect(page.locator("h1 .badge").first).to_have_text("发展对象")
    _step(page, 8, DATES[8])
    _contact(page, "入党介绍人", cast.people.member, DATES[9])
    _contact(page, "入党介绍人", cast.people.secretary, DATES[9])
    _step(page, 9, DATES[9])
    expect(page.locator("#next-step [name=passed]")).to_have_count(1)
    _step(page, 10, DATES[10], passed="合格")
    expect(page.locator("#step-hints")).to_contain_text("不少于 3 天或 24 学时")
    _step(page, 11, DATES[11], training_days=3, training_hours=24)
    _step(page, 12, DATES[12])
    _step(page, 13, DATES[13], passed="通过")
    _step(page, 14, DATES[14])
    _notice(page, 15, DATES[15] - dt.timedelta(days=14))
    vote = {
        "entitled": VOTE_OK["entitled"],
        "present": VOTE_OK["present"],
        "votes_yes": VOTE_OK["yes"],
        "votes_no": VOTE_OK["no"],
        "votes_abstain": VOTE_OK["abstain"],
    }
    shot(page, "desktop-development-vote-form")
    mobile = phone(open_page)  # the same form on the secretary's phone
    log_in(mobile, "secretary", PASSWORD)
    mobile.goto(page.url)
    expect(mobile.locator("#next-step .card-header")).to_contain_text("第15步 支部大会讨论")
    expect(mobile.locator("#next-step [name=votes_yes]")).to_be_visible()
    no_horizontal_overflow(mobile)
    shot(mobile, "phone-development-vote-form")
    _step(page, 15, DATES[15], **vote)
    expect(page.locator(".list-group").first).to_contain_text("通过")
    _step(page, 16, DATES[16])
    _step(page, 17, DATES[17], passed="批准")
    expect(page.locator("h1 .badge").first).to_have_text("预备党员")
    for number in range(18, 23):
        _step(page, number, DATES[number])
    expect(page.locator("#step-hints")).to_contain_text("至 2024-10-10 满")
    _step(page, 23, DATES[23], outcome="按期转正", **vote)
    _step(page, 24, DATES[24], passed="批准")
    expect(page.locator("h1 .badge").first).to_have_text("已转正")
    _step(page, 25, DATES[25])
    expect(page.locator("#next-step")).to_have_count(0)  # nothing left to record
    shot(page, "desktop-development-case-full")

    # He is in the member roster: 正式党员, joined at the 支部大会, 转正 a year later.
    page.goto(page.base + "/people/")
    page.fill("input[name=q]", "周小青")
    page.click("button:has-text('查询')")
    expect(page.locator("tbody")).to_contain_text("周小青")
    page.click("tbody a:text('周小青')")
    expect(page.locator("h1")).to_contain_text("周小青")
    expect(page.locator("h1 .badge")).to_have_text("正式党员")
    roster = page.locator(".card", has_text="党员信息")
    expect(roster.locator("dd").nth(0)).to_have_text("东湖县局党支部")
    expect(roster.locator("dt:text('入党日期') + dd")).to_have_text("2023-10-10")
    expect(roster.locator("dt:text('转正日期') + dd")).to_have_text("2024-10-10")
    shot(page, "desktop-development-roster")

    mobile.goto(mobile.base + "/development/")
    mobile.click("tbody a:text('周小青')")
    expect(mobile.locator("h1")).to_contain_text("已转正")
    no_horizontal_overflow(mobile)
    shot(mobile, "phone-development-case")
    mobile.goto(mobile.base + "/development/pipeline/?by=branch")
    expect(mobile.locator("tbody")).to_contain_text("东湖县局党支部")
    no_horizontal_overflow(mobile)
    shot(mobile, "phone-development-pipeline")


# ------------------------------------------------------------------------------ (d)


def test_member_uses_the_dues_calculator_and_his_ledger_on_a_phone(live_cast, open_page):
    from dangjian.dues import services as dues

    cast = live_cast
    today = timezone.localdate()
    january = dt.date(today.year, 1, 1)
    dues.dues_base_add(
        actor=cast.secretary,
        person=cast.people.member,
        effective_month=january,
        category="employed",
        amount="4000",
    )
    dues.dues_payment_add(
        actor=cast.secretary,
        person=cast.people.member,
        month=january,
        amount="40.00",
        paid_on=dt.date(today.year, 1, 10) if today >= dt.date(today.year, 1, 10) else today,
        method="bank",
    )

    page = phone(open_page)
    log_in(page, "member", PASSWORD)
    page.goto(page.base + "/dues/calculator/")
    expect(page.locator("h1")).to_contain_text("党费计算器")
    page.fill("#id_base", "4000")
    page.select_option("#id_category", label="在职")
    page.click("button:has-text('计算')")
    result = page.locator("[role=status]")
    expect(result).to_contain_text("40.00 元")
    no_horizontal_overflow(page)
    shot(page, "phone-dues-calculator")

    # A bad base is refused with the field named.
    page.fill("#id_base", "三千")
    page.click("button:has-text('计算')")
    expect(page.locator(".invalid-feedback")).to_contain_text("月收入基数")
    no_horizontal_overflow(page)

    page.goto(page.base + "/dues/mine/")
    expect(page.locator("h1")).to_contain_text("我的党费")
    expect(page.locator(".card", has_text="每月应交").first).to_contain_text("40.00")
    ledger = page.locator("table tbody tr")
    expect(ledger.first).to_contain_text("1月")
    expect(ledger.first).to_contain_text("40.00")
    no_horizontal_overflow(page)
    shot(page, "phone-dues-mine")

    desktop = open_page(*DESKTOP)
    log_in(desktop, "member", PASSWORD)
    desktop.goto(desktop.base + "/dues/calculator/?base=12000&category=employed")
    expect(desktop.locator("[role=status]")).to_contain_text("240.00 元")
    shot(desktop, "desktop-dues-calculator")
