"""Scale data for 党务公开 / 任前公示 on top of ``demo.scale``: ``years`` years of notices for
every branch (about four 党务公开 a year each) and for every committee (任前公示, a third of
them public), with an objection on about one notice in twenty.

Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no history rows (scale data, not user edits).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.disclosure.models import Notice, Objection
from dangjian.disclosure.rules import public_period_end
from dangjian.orgs.models import PartyOrg

from .scale import PREFIX, insert_objects

BATCH = 5000


def generate(*, years: int = 5, seed: int = 11) -> dict:
    """Add the notices (and some objections) of every scale organisation; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    orgs = list(
        PartyOrg.objects.filter(
            code__startswith=f"{PREFIX}-",
            kind__in=[PartyOrg.Kind.BRANCH, PartyOrg.Kind.COMMITTEE],
        )
        .order_by("pk")
        .values_list("pk", "kind", "name")
    )
    ends: dict[tuple[dt.date, int], tuple] = {}
    counts = {"notices": 0, "objections": 0}
    for year in range(today.year - years + 1, today.year + 1):
        rows: list[Notice] = []
        for org_id, kind, name in orgs:
            n = 4 if kind == PartyOrg.Kind.BRANCH else 6
            for i in range(n):
                starts = dt.date(year, 1 + (i * 12 // n), rng.randint(1, 25))
                if starts > today:
                    continue
                days = 5
                if (starts, days) not in ends:
                    ends[(starts, days)] = tuple(public_period_end(starts, days))
                end, provisional, reason = ends[(starts, days)]
                pre = kind == PartyOrg.Kind.COMMITTEE
                closed = end < today
                rows.append(
                    Notice(
                        kind=Notice.Kind.PRE_APPOINTMENT if pre else Notice.Kind.PARTY_AFFAIRS,
                        title=f"{name}{year}年第{i + 1}号{'任前公示' if pre else '党务公开'}",
                        content="规模测试公示内容。",
                        issuing_org_id=org_id,
                        audience=Notice.Audience.PUBLIC
                        if pre and rng.random() < 0.33
                        else Notice.Audience.SUBTREE,
                        working_days=days,
                        starts_on=starts,
                        ends_on=end,
                        ends_on_provisional=provisional,
                        provisional_reason=reason,
                        status=Notice.Status.CLOSED if closed else Notice.Status.PUBLISHED,
                        result=(
                            (Notice.Result.NO_OBJECTION if pre else Notice.Result.COMPLETED)
                            if closed
                            else ""
                        ),
                    )
                )
        with transaction.atomic():
            created = insert_objects(Notice, rows)
            objections = [
                Objection(
                    notice=n,
                    content="规模测试异议",
                    is_anonymous=True,
                    channel=Objection.Channel.MEMBER,
                    status=Objection.Status.OPEN
                    if n.status == Notice.Status.PUBLISHED
                    else Objection.Status.CLOSED,
                )
                for n in created
                if rng.random() < 0.05
            ]
            insert_objects(Objection, objections)
        counts["notices"] += len(created)
        counts["objections"] += len(objections)
    return counts


BENCH_CASES: list[tuple[str, str, str]] = [
    ("党务公开 列表", "office", "/disclosure/"),
    ("党务公开 列表 任前公示", "office", "/disclosure/?kind=pre_appointment"),
    ("党务公开 列表 搜索", "office", "/disclosure/?q=任前"),
    ("党务公开 支部书记 列表", "secretary", "/disclosure/"),
    ("党务公开 党员 列表", "member", "/disclosure/"),
    ("党务公开 公开页面", "office", "/disclosure/public/"),
    ("API 公示公告列表", "office", "/api/v1/disclosure/notices"),
]
