"""Demo 三评 results, 民主评议 and the 意见箱.

Runs after the core's ``demo.appraisal`` seeder: the newest campaign that has ratings gets
its results computed; without one (the core seeder absent) a company-wide campaign with a
year's ratings is built here. Then: a lenient peer flagged and excluded, the demo branch's
grades decided (one 优秀 nominated, one 基本合格 with its 限期改正), a disciplinary record
that vetoes a nomination elsewhere, and every branch's suggestion box with messages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.appraisal.grading import services
from dangjian.appraisal.grading.models import (
    DisciplinaryRecord,
    Grade,
    LeniencyFlag,
    MemberResult,
)
from dangjian.appraisal.models import Campaign, Criterion, RaterWeight, Rating, RatingToken, Score
from dangjian.appraisal.suggestions import services as box_services
from dangjian.appraisal.suggestions.models import Suggestion
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership

from .loader import _demo_nodes

COMMENTS = [
    "服务热情，讲解政策耐心细致。",
    "送货准时，货品摆放规范。",
    "工作认真负责，能主动帮助同事。",
    "业务熟练，遇到问题处理及时。",
    "",
    "",
]

MESSAGES = [
    (
        "service",
        "营业厅周末能否延长办证时间？上班族平时没空过来。",
        "感谢建议。自下月起周六上午增设便民窗口，也可在线预约非工作日办理。",
    ),
    (
        "conduct",
        "客户经理小王每次来都帮我整理柜台，讲解新规很清楚，点个赞！",
        "感谢您的肯定，已在支部会上表扬并纳入年度评议参考。",
    ),
    (
        "advice",
        "建议在村里多搞几次零售户培训，尤其是电子结算的使用。",
        "已列入本季度培训计划，具体时间由片区客户经理通知。",
    ),
    ("service", "上周订的货少了一条，打电话没人接。", ""),
    ("other", "希望多组织一些党员进社区的志愿活动。", ""),
    ("conduct", "<script>alert('测试')</script> 送货员态度不太好，希望改进。", ""),
]


def _criteria_values(rng, lean: float, n: int) -> list[int]:
    return [max(1, min(5, round(rng.gauss(lean, 0.6)))) for _ in range(n)]


def _demo_campaign(rng: random.Random, committee: PartyOrg, office) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=f"{today.year}年度党员三评",
        year=today.year,
        party_org=committee,
        scale="five",
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=3),
        status="closed",
        created_by=office,
    )
    criteria = [
        Criterion.objects.create(campaign=campaign, name=n, weight=Decimal(w), position=i)
        for i, (n, w) in enumerate(
            [("服务态度", "2"), ("敬业精神", "1"), ("政策水平", "1"), ("业务技能", "1")], 1
        )
    ]
    for kind, weight in {"customer": 40, "peer": 25, "leader": 20, "self": 5, "public": 10}.items():
        RaterWeight.objects.create(campaign=campaign, kind=kind, weight=Decimal(weight))
    members: dict[int, list[int]] = {}
    status = {}
    for person_id, branch_id, st in Membership.objects.filter(
        branch__path__startswith=committee.path
    ).values_list("person_id", "branch_id", "status"):
        members.setdefault(branch_id, []).append(person_id)
        status[person_id] = st
    lean = {p: rng.uniform(3.4, 4.8) for people in members.values() for p in people}
    ratings: list[tuple[Rating, list[int]]] = []
    submitted = timezone.now() - dt.timedelta(days=10)

    def sheet(ratee, kind, **who):
        values = who.pop("values", None) or _criteria_values(rng, lean[ratee], len(criteria))
        rating = Rating(
            campaign=campaign,
            ratee_id=ratee,
            kind=kind,
            comment=rng.choice(COMMENTS),
            submitted_at=submitted,
            **who,
        )
        ratings.append((rating, values))

    lenient = None
    for people in members.values():
        leader = people[0]
        if lenient is None and len(people) >= 5:
            lenient = people[-1]
        for ratee in people:
            if ratee != leader:
                sheet(ratee, "leader", rater_id=leader)
            if rng.random() < 0.9:
                sheet(ratee, "self", rater_id=ratee)
            others = [p for p in people if p != ratee]
            for rater in rng.sample(others, min(5, len(others))):
                values = [5] * len(criteria) if rater == lenient else None
                sheet(ratee, "peer", rater_id=rater, values=values)
            if rng.random() < 0.15:
                sheet(ratee, "public", device_hash=secrets.token_hex(32))
    customers = list(
        RetailCustomer.objects.filter(is_active=True)
        .values_list("pk", "account_manager_id", "courier_id", "inspector_id")
        .order_by("pk")
    )
    tokens = RatingToken.objects.bulk_create(
        [
            RatingToken(
                campaign=campaign,
                customer_id=pk,
                token=secrets.token_hex(16),
                used_at=submitted if rng.random() < 0.55 else None,
            )
            for pk, *_staff in customers
        ],
        batch_size=2000,
    )
    staff_of = {pk: staff for pk, *staff in customers}
    for token in tokens:
        if token.used_at is None:
            continue
        for ratee in {s for s in staff_of[token.customer_id] if s and s in lean}:
            sheet(ratee, "customer", token=token)
    saved = Rating.objects.bulk_create([r for r, _v in ratings], batch_size=2000)
    Score.objects.bulk_create(
        [
            Score(rating=rating, criterion=criterion, value=value)
            for rating, (_r, values) in zip(saved, ratings, strict=True)
            for criterion, value in zip(criteria, values, strict=True)
        ],
        batch_size=5000,
    )
    Campaign.objects.filter(pk=campaign.pk).update(tokens_total=len(tokens))
    return campaign


def seed(rng: random.Random) -> None:
    _company, committee, branch, _area = _demo_nodes()
    office = User.objects.get(username="office")
    secretary = User.objects.get(username="secretary")
    campaign = (
        Campaign.objects.filter(pk__in=Rating.objects.values("campaign_id"))
        .order_by("-year", "-pk")
        .first()
    ) or _demo_campaign(rng, committee, office)
    services.results_compute(actor=office, campaign=campaign)

    # The office excludes the lenient peer found (the others stay open for the demo).
    flag = LeniencyFlag.objects.filter(campaign=campaign, kind="peer").order_by("pk").first()
    if flag is not None:
        services.leniency_exclude(
            actor=office, flag=flag, reason="对所评党员一律打满分，经核实未认真评议"
        )
        services.results_compute(actor=office, campaign=campaign)

    # The demo branch's 支委会 decides its grades from the proposals.
    today = timezone.localdate()
    results = list(
        MemberResult.objects.filter(campaign=campaign, branch=branch, score__isnull=False)
        .select_related("person", "branch", "campaign")
        .order_by("rank_branch", "pk")
    )
    excellent = None
    for index, result in enumerate(results):
        grade = result.proposed or Grade.QUALIFIED
        if index == len(results) - 1 and len(results) > 3:
            grade = Grade.BASICALLY_QUALIFIED
        kwargs = {}
        if grade in (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED):
            kwargs = {
                "measures": "按时参加组织生活，每月向支部书记汇报一次思想和工作情况",
                "due_on": today + dt.timedelta(days=90),
            }
        try:
            decision = services.grade_decide(
                actor=secretary,
                result=result,
                grade=grade,
                body="committee",
                decided_on=today - dt.timedelta(days=1),
                reason=f"综合民主测评得分{result.score}（支部第{result.rank_branch}名）及平时表现，支委会研究评定。",
                **kwargs,
            )
        except ValidationError:  # a proposal the rules refuse (e.g. the 1/3 cap): qualified instead
            decision = services.grade_decide(
                actor=secretary,
                result=result,
                grade=Grade.QUALIFIED,
                body="committee",
                decided_on=today - dt.timedelta(days=1),
                reason="支委会研究评定。",
            )
        if decision.grade == Grade.EXCELLENT and excellent is None:
            excellent = decision
    if excellent is not None:
        with contextlib.suppress(ValidationError):  # a veto holds: no nomination
            services.nomination_add(
                actor=secretary,
                decision=excellent,
                note="全年服务客户满意率高，带头开展岗位练兵，群众评价好。",
            )
    # A disciplinary record elsewhere (its holder cannot be nominated).
    other = (
        MemberResult.objects.filter(campaign=campaign, proposed=Grade.EXCELLENT)
        .exclude(branch=branch)
        .select_related("person")
        .first()
    )
    if other is not None:
        services.disciplinary_add(
            actor=office,
            record=DisciplinaryRecord(
                person=other.person,
                kind=DisciplinaryRecord.Kind.WARNING,
                decided_on=today - dt.timedelta(days=120),
                summary="违规收受零售户礼品",
            ),
        )

    # Suggestion boxes for every branch; messages over the year, most answered.
    boxes = [
        box_services.box_open(actor=office, branch=b)
        for b in PartyOrg.objects.filter(
            path__startswith=committee.path, kind=PartyOrg.Kind.BRANCH
        ).order_by("path")
    ]
    now = timezone.now()
    for box in boxes:
        picks = MESSAGES if box.branch_id == branch.pk else rng.sample(MESSAGES, rng.randint(1, 3))
        for topic, content, answer in picks:
            named = rng.random() < 0.4
            s = box_services.suggestion_submit(
                box=box,
                content=content,
                topic=topic,
                anonymous=not named,
                contact_name="刘先生" if named else "",
                contact_phone=f"139{rng.randint(10**7, 10**8 - 1)}" if named else "",
            )
            Suggestion.objects.filter(pk=s.pk).update(
                submitted_at=now - dt.timedelta(days=rng.randint(2, 330))
            )
            if answer:
                box_services.suggestion_answer(
                    actor=secretary if box.branch_id == branch.pk else office,
                    suggestion=s,
                    answer=answer,
                    close=rng.random() < 0.6,
                )
