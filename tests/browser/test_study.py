"""Issue 5's 比学习 and 比业绩 "done when", in the browser: a member logs self-study and submits
a reflection on a phone; the secretary returns it with a comment and the member sees it; a
reflection copied from another branch's member of last year is caught and shown side by
side (on a phone too); a contest is scored, ranked, published and its certificates print."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from dangjian.accounts.roles import Role
from dangjian.conftest import PASSWORD, make_person, make_user
from dangjian.exemplar.contests import services as contest_services
from dangjian.exemplar.contests.models import Contest, Participant
from dangjian.exemplar.study import services
from dangjian.exemplar.study.models import Reflection, SelfStudy

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
ESSAY = (
    "通过参加本次主题党日活动，我深刻认识到理论学习是党员的必修课。作为一名客户经理，"
    "我要把学习成果转化为服务零售客户的实际行动，坚持每周走访辖区商户，倾听他们的经营困难，"
    "帮助他们优化陈列、规范经营。今后我将继续加强政治理论学习，做到学思用贯通、知信行统一，"
    "在岗位上亮身份、作表率，以实际行动践行全心全意为人民服务的根本宗旨。"
)


@pytest.fixture
def study_cast(live_cast):
    # The kinds a data migration wrote are flushed between transactional tests.
    import_module("dangjian.exemplar.study.migrations.0002_default_kinds_and_threshold").forward(
        apps, None
    )
    return live_cast


@pytest.fixture
def open_page(open_page):
    """Pages with a patient timeout: the shared test machine is often busy."""

    def _open(*args, **kwargs):
        page = open_page(*args, **kwargs)
        page.set_default_timeout(45_000)
        return page

    return _open


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_member_studies_and_reflects_on_a_phone_and_the_secretary_returns_it(study_cast, open_page):
    phone = open_page(375, 812, **PHONE)
    log_in(phone, "member", PASSWORD)
    phone.goto(phone.base + "/exemplar/study/")
    expect(phone.locator("h2")).to_contain_text("学习档案")
    no_horizontal_overflow(phone)
    phone.click("text=登记自学")
    phone.fill("#id_topic", "《习近平谈治国理政》第四卷")
    phone.select_option("#id_kind", label="书籍阅读（每学时1分）")
    phone.fill("#id_hours", "2")
    phone.click("button[type=submit]")
    expect(phone.locator(".alert-success")).to_contain_text("待支部确认")
    expect(phone.locator("table").first).to_contain_text("《习近平谈治国理政》第四卷")
    shot(phone, "study-member-phone")

    phone.click("text=写心得体会")
    phone.fill("#id_title", "主题党日心得")
    phone.fill("#id_text", ESSAY)
    phone.click("button[type=submit]")
    expect(phone.locator(".alert-success")).to_contain_text("心得体会已提交")
    no_horizontal_overflow(phone)

    secretary = open_page(1280, 800)
    log_in(secretary, "secretary", PASSWORD)
    secretary.goto(secretary.base + "/exemplar/study/self/")
    secretary.click("button:has-text('确认') >> nth=0")
    expect(secretary.locator(".alert-success")).to_contain_text("已确认")
    assert SelfStudy.objects.get().status == SelfStudy.Status.CONFIRMED
    reflection = Reflection.objects.get()
    secretary.goto(secretary.base + f"/exemplar/study/reflections/{reflection.pk}/")
    expect(secretary.locator(".alert-success")).to_contain_text("未发现")
    secretary.fill("#id_comment", "请结合客户经理岗位，谈谈下一步打算。")
    secretary.click("button:has-text('退回修改')")
    expect(secretary.locator(".alert-success", has_text="已退回修改")).to_be_visible()

    phone.goto(phone.base + f"/exemplar/study/reflections/{reflection.pk}/")
    expect(phone.locator(".alert-warning")).to_contain_text("请结合客户经理岗位")
    phone.click("text=修改后重新提交")
    phone.fill("#id_text", ESSAY + "下一步，我每月走访商户不少于30户。")
    phone.click("button[type=submit]")
    expect(phone.locator(".alert-success")).to_contain_text("已重新提交")
    expect(phone.locator(".card").last).to_contain_text("v2")
    shot(phone, "study-reflection-phone")


def test_a_copy_from_another_branch_last_year_is_caught_and_shown_side_by_side(
    study_cast, open_page
):
    cast = study_cast
    west = make_user("west_member", (Role.MEMBER, cast.city.west_branch))
    make_person("周九", cast.city.west_area, branch=cast.city.west_branch, user=west)
    source = services.reflection_submit(actor=west, title="西山的心得", text=ESSAY)
    Reflection.objects.filter(pk=source.pk).update(year=dt.date.today().year - 1)
    copied = services.reflection_submit(
        actor=cast.member, title="我的学习体会", text="学习体会：" + ESSAY.replace("，", "、", 3)
    )
    assert copied.flagged

    desktop = open_page(1280, 800)
    log_in(desktop, "secretary", PASSWORD)
    desktop.goto(desktop.base + "/exemplar/study/reflections/?flagged=on")
    expect(desktop.locator("table")).to_contain_text("我的学习体会")
    desktop.click("text=我的学习体会")
    card = desktop.locator(".card.border-danger")
    expect(card).to_contain_text("查重")
    expect(card).to_contain_text("西山的心得")
    expect(card).to_contain_text("周九")
    assert card.locator("mark.shared").count() >= 2  # both sides highlighted
    shot(desktop, "study-copy-side-by-side")

    phone = open_page(375, 812, **PHONE)
    log_in(phone, "secretary", PASSWORD)
    phone.goto(phone.base + f"/exemplar/study/reflections/{copied.pk}/")
    expect(phone.locator(".card.border-danger")).to_contain_text("西山的心得")
    no_horizontal_overflow(phone)
    shot(phone, "study-copy-phone")


def test_a_contest_is_scored_ranked_published_and_its_certificates_print(study_cast, open_page):
    cast = study_cast
    page = open_page(1280, 800)
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + "/exemplar/contests/new/")
    page.select_option("#id_kind", "contest")
    page.fill("#id_name", "客户经理营销技能竞赛")
    page.select_option("#id_business_line", "sales")
    page.fill("#id_held_on", "2026-10-18")
    page.fill("#id_business_result", "竞赛后订单满足率提升2个百分点")
    page.click("button.btn-party")
    expect(page.locator("h1")).to_contain_text("客户经理营销技能竞赛")
    contest = Contest.objects.get()
    contest_services.participants_add(
        actor=cast.secretary,
        contest=contest,
        people=[cast.people.secretary, cast.people.member, cast.people.probationary],
    )
    page.reload()
    entries = {p.person.name: p.pk for p in Participant.objects.select_related("person")}
    page.fill(f"[name=score_{entries['张三']}]", "92")
    page.fill(f"[name=score_{entries['李四']}]", "96.5")
    page.fill(f"[name=score_{entries['单雄信']}]", "92")
    page.click("text=保存成绩并排名")
    expect(page.locator(".alert-success")).to_contain_text("名次已重新计算")
    ranks = dict(Participant.objects.values_list("person__name", "rank"))
    assert ranks == {"李四": 1, "张三": 2, "单雄信": 2}
    page.click("text=公布成绩")
    expect(page.locator(".alert-success")).to_contain_text("成绩已公布")
    shot(page, "contest-detail")
    response = page.request.get(page.base + f"/exemplar/contests/{contest.pk}/certificates/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    phone = open_page(375, 812, **PHONE)
    log_in(phone, "member", PASSWORD)
    phone.goto(phone.base + "/exemplar/contests/mine/")
    expect(phone.locator("table")).to_contain_text("一等奖")
    no_horizontal_overflow(phone)
    shot(phone, "contest-mine-phone")
