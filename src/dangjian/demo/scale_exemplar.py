"""Scale data for 三亮 and 比作风 on top of ``demo.scale``: a card for every scale member
(one in seven a 党员示范岗, 3% unpublished), ``years`` years of commitments (past years
reviewed) and of 做合格党员 self-inspections (90% of members a year, 1–2 problems with 1–2
measures each; past years closed, this year's open / done / closed / overdue).

Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no history rows (scale
data, not user edits). Years are capped at 3 (what the pages look at: this year and the
last two).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from dangjian.exemplar.conduct.models import (
    Problem,
    ProblemCategory,
    Rectification,
    SelfInspection,
)
from dangjian.exemplar.showcase.models import Commitment, MemberCard
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership

from .scale import PREFIX, insert_objects

PROMISES = [
    "全年走访零售客户不少于300户\n客户满意度保持在95%以上",
    "规范执法、文明执法，全年零投诉\n每月开展市场检查不少于4次",
    "送货准时率99%以上\n主动收集客户意见不少于20条",
    "全年学习不少于32学时\n按时足额交纳党费",
]
FINDINGS = [
    "理论学习不够系统，学用结合不紧",
    "走访零售客户存在走过场现象",
    "参加组织生活有时请假",
    "对新的营销政策掌握不够全面",
    "对弱势群体客户关心不够",
]
MEASURES = ["每周自学不少于2学时", "每月走访客户不少于25户", "参加岗位练兵不少于4次"]


def _chunks(rows, size=200_000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def generate(*, years: int = 5, seed: int = 17) -> dict:
    """Cards, commitments, self-inspections and measures for the scale members; counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    years = max(1, min(years, 3))
    members = list(
        Membership.objects.filter(branch__code__startswith=f"{PREFIX}-")
        .order_by("pk")
        .values_list("person_id", "branch_id", "person__unit__name", "person__post")
    )
    counts = {"cards": 0, "commitments": 0, "inspections": 0, "measures": 0}
    if not members:
        return counts
    now = timezone.now()
    cards = [
        MemberCard(
            person_id=person_id,
            public_token=secrets.token_urlsafe(16),
            department=(unit or "")[:50],
            is_model_post=rng.random() < 0.14,
            model_post_name="优质服务示范岗",
            is_published=rng.random() > 0.03,
            updated_at=now,
        )
        for person_id, _branch, unit, _post in members
    ]
    for card in cards:
        if not card.is_model_post:
            card.model_post_name = ""
    with transaction.atomic():
        cards = insert_objects(MemberCard, cards)
    counts["cards"] = len(cards)
    first = today.year - years + 1
    commitments = []
    for card in cards:
        for year in range(first, today.year + 1):
            if rng.random() > 0.85:
                continue
            past = year < today.year
            commitments.append(
                Commitment(
                    card_id=card.pk,
                    year=year,
                    text=rng.choice(PROMISES),
                    result=rng.choices(["kept", "partly", "not_kept"], [75, 20, 5])[0]
                    if past
                    else "",
                    evidence="经支部核实，承诺事项已完成。" if past else "",
                    reviewed_at=now if past else None,
                    created_at=now,
                    updated_at=now,
                )
            )
    for chunk in _chunks(commitments):
        with transaction.atomic():
            insert_objects(Commitment, chunk)
    counts["commitments"] = len(commitments)

    categories = list(ProblemCategory.objects.values_list("pk", flat=True))
    for year in range(first, today.year + 1):
        made = inspections_for_year(rng, members, categories, year=year, today=today, now=now)
        counts["inspections"] += made[0]
        counts["measures"] += made[1]
    return counts


def inspections_for_year(rng, members, categories, *, year, today, now) -> tuple[int, int]:
    """One year's self-inspections, problems and measures (one transaction)."""
    past = year < today.year
    inspections = []
    for person_id, branch_id, _unit, _post in members:
        if rng.random() > 0.9:
            continue
        status = "reviewed" if past else rng.choices(["submitted", "draft"], [85, 15])[0]
        inspections.append(
            SelfInspection(
                person_id=person_id,
                branch_id=branch_id,
                year=year,
                status=status,
                summary="对照合格党员标准查摆问题，已制定整改措施。",
                submitted_at=now if status != "draft" else None,
                review_comment="同意。" if past else "",
                created_at=now,
                updated_at=now,
            )
        )
    with transaction.atomic():
        inspections = insert_objects(SelfInspection, inspections)
        problems = [
            Problem(
                inspection_id=i.pk,
                category_id=rng.choice(categories),
                description=rng.choice(FINDINGS),
                created_at=now,
            )
            for i in inspections
            for _n in range(rng.randint(1, 2))
        ]
        problems = insert_objects(Problem, problems)
        owner = {i.pk: i.person_id for i in inspections}
        branch = {i.pk: i.branch_id for i in inspections}
        measures = []
        for problem in problems:
            for _n in range(rng.randint(1, 2)):
                deadline = dt.date(year, rng.randint(3, 12), rng.randint(1, 28))
                if past:
                    status = "closed"
                elif deadline < today:
                    status = rng.choices(["closed", "done", "open"], [75, 10, 15])[0]
                else:
                    status = rng.choices(["open", "done"], [80, 20])[0]
                measures.append(
                    Rectification(
                        problem_id=problem.pk,
                        inspection_id=problem.inspection_id,
                        branch_id=branch[problem.inspection_id],
                        measure=rng.choice(MEASURES),
                        owner_id=owner[problem.inspection_id],
                        deadline=deadline,
                        status=status,
                        evidence="已完成" if status != "open" else "",
                        closed_at=now if status == "closed" else None,
                        created_at=now,
                    )
                )
        for chunk in _chunks(measures):
            insert_objects(Rectification, chunk)
    return len(inspections), len(measures)


class _Cases:
    """The bench cases; the secretary's branch page needs the branch id, found when the
    bench iterates them (the scale database exists by then)."""

    STATIC = [
        ("三亮 亮身份卡 列表", "office", "/exemplar/cards/"),
        ("三亮 亮身份卡 搜索", "office", "/exemplar/cards/?q=zh"),
        ("三亮 亮身份卡 示范岗", "office", "/exemplar/cards/?badge=yes"),
        ("三亮 亮身份卡 第100页", "office", "/exemplar/cards/?page=100"),
        ("三亮 亮身份卡 支部书记 列表", "secretary", "/exemplar/cards/"),
        ("三亮 我的亮身份卡", "member", "/exemplar/cards/me/"),
        ("比作风 支部概况", "office", "/exemplar/conduct/"),
        ("比作风 自查列表", "office", "/exemplar/conduct/inspections/"),
        ("比作风 自查 搜索", "office", "/exemplar/conduct/inspections/?q=wang"),
        ("比作风 整改措施 逾期", "office", "/exemplar/conduct/measures/?overdue=on"),
        ("比作风 整改措施 列表", "office", "/exemplar/conduct/measures/"),
        ("比作风 支部书记 整改措施", "secretary", "/exemplar/conduct/measures/"),
        ("比作风 我的自查", "member", "/exemplar/conduct/me/"),
    ]

    def __iter__(self):
        yield from self.STATIC
        branch = PartyOrg.objects.filter(code=f"{PREFIX}-O0-0-0-0").values_list("pk", flat=True)
        if branch:
            yield (
                "比作风 支部书记 支部情况",
                "secretary",
                f"/exemplar/conduct/branches/{branch[0]}/",
            )


BENCH_CASES = _Cases()
