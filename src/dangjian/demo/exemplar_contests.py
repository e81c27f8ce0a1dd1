"""Demo 比业绩: a year of 岗位练兵 and 岗位竞赛.

Company-wide contests (organised by the committee, entrants from every bureau) with results
published; drills of the secretary's branch, one published (the demo member among the
awardees, certificates printable) and one scored but not yet published, for the secretary to
publish; one in preparation.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.exemplar.contests import services
from dangjian.exemplar.contests.models import Contest
from dangjian.people.models import Membership, Person

from .loader import COMMITTEE_CODE, _demo_nodes

COMPANY_EVENTS = [
    (
        "contest",
        "全市卷烟营销技能竞赛",
        "sales",
        3,
        "客户经理卷烟营销理论知识笔试与客户拜访情景模拟。",
        "竞赛后全市客户满意度测评提升1.8分。",
        Decimal("1.8"),
        "客户满意度提升（分）",
    ),
    (
        "contest",
        "专卖稽查岗位技能比武",
        "monopoly",
        5,
        "真假烟鉴别、案卷制作、法律法规知识三项。",
        "下半年案件查办质量评查优良率达到96%。",
        Decimal("96"),
        "案卷评查优良率（%）",
    ),
    (
        "contest",
        "物流送货服务标兵竞赛",
        "logistics",
        6,
        "送货准时率、客户签收满意率和安全行车记录综合评分。",
        "送货准时率由97.2%提高到99.1%。",
        Decimal("99.1"),
        "送货准时率（%）",
    ),
    (
        "drill",
        "窗口服务礼仪与一次性告知练兵",
        "service",
        9,
        "许可证窗口人员服务规范、一次性告知书填写演练。",
        "",
        None,
        "",
    ),
]
BRANCH_DRILLS = [
    ("客户经理订单分析岗位练兵", "sales", 4, True),
    ("零售终端陈列指导实操练兵", "sales", 8, True),
    ("卷烟品规知识月度练兵", "sales", 10, "scored"),
    ("数字化营销工具应用练兵", "sales", 12, False),
]


def _score(rng: random.Random) -> str:
    return str(Decimal(rng.randint(600, 990)) / 10)


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    year = today.year
    _company, committee, own, _area = _demo_nodes()
    office = User.objects.get(username="office")
    secretary = User.objects.get(username="secretary")
    member = User.objects.get(username="member").person
    members = list(
        Person.objects.filter(
            membership__branch__code__startswith=COMMITTEE_CODE,
            membership__standing=Membership.Standing.NORMAL,
        ).select_related("membership")
    )
    own_members = [p for p in members if p.membership.branch_id == own.pk]

    for kind, name, line, month, description, result, figure, label in COMPANY_EVENTS:
        held = dt.date(year, month, 18)
        if held >= today:
            continue
        contest = services.contest_save(
            actor=office,
            contest=Contest(
                kind=kind,
                name=f"{year}年{name}",
                organiser=committee,
                business_line=line,
                held_on=held,
                description=description,
                business_result=result,
                business_figure=figure,
                business_figure_label=label,
                first_prizes=1,
                second_prizes=2,
                third_prizes=3,
            ),
        )
        people = rng.sample(members, min(len(members), rng.randint(14, 24)))
        if line == "sales" and member not in people:
            people.append(member)
        services.participants_add(actor=office, contest=contest, people=people)
        services.scores_record(
            actor=office,
            contest=contest,
            scores={p.pk: _score(rng) for p in contest.participants.all()},
        )
        services.contest_publish(actor=office, contest=contest)

    for name, line, month, state in BRANCH_DRILLS:
        held = dt.date(year, month, 12)
        if held >= today and state is not False:
            held = today - dt.timedelta(days=3)
        contest = services.contest_save(
            actor=secretary,
            contest=Contest(
                kind=Contest.Kind.DRILL,
                name=f"{name}（{held.month}月）",
                organiser=own,
                business_line=line,
                held_on=held,
                description="支部“党建+营销”岗位练兵，党员带头参加。",
                first_prizes=1,
                second_prizes=1,
                third_prizes=2,
            ),
        )
        if state is False:
            continue  # in preparation: no entrants yet
        people = rng.sample(own_members, min(len(own_members), 8))
        if member not in people:
            people.append(member)
        services.participants_add(actor=secretary, contest=contest, people=people)
        scores = {p.pk: _score(rng) for p in contest.participants.select_related("person")}
        if month == 4:  # the demo member wins this one, tied with another (shared rank)
            entries = {p.person_id: p.pk for p in contest.participants.all()}
            scores[entries[member.pk]] = "98.5"
            other = next(pk for person, pk in entries.items() if person != member.pk)
            scores[other] = "98.5"
        services.scores_record(actor=secretary, contest=contest, scores=scores)
        if state is True:
            services.contest_publish(actor=secretary, contest=contest)
