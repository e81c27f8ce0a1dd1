"""Scale data for organisational life on top of ``demo.scale`` (2 000 branches, ~30 000
members): ``years`` years of meetings for every branch (about 46 a year each: monthly
支委会/党小组会/主题党日, quarterly 党员大会/党课, yearly 组织生活会/谈心谈话, with ~7% missed so
the matrix has red cells), and attendance for the last ``attendance_years`` years.

Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no history rows (scale data, not user edits).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.orglife import rules
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership

from .scale import PREFIX, insert_objects

BATCH = 5000
DAY = {
    rules.COMMITTEE_MEETING: 5,
    rules.GROUP_MEETING: 10,
    rules.THEME_DAY: 15,
    rules.GENERAL_MEETING: 20,
    rules.PARTY_LECTURE: 25,
    rules.ORG_LIFE_MEETING: 16,
    rules.HEART_TO_HEART_TALK: 12,
}
PERIOD = {rules.GENERAL_MEETING: 3, rules.PARTY_LECTURE: 3}
YEARLY = (rules.ORG_LIFE_MEETING, rules.HEART_TO_HEART_TALK)


def _months(kind: str) -> list[int]:
    if kind in YEARLY:
        return [12]
    period = PERIOD.get(kind, 1)
    return [m for m in range(1, 13) if m % period == 0]


def generate(*, years: int = 5, attendance_years: int = 1, seed: int = 7) -> dict:
    """Add the meetings (and recent attendance) of every scale branch; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    branches = list(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH, code__startswith=f"{PREFIX}-")
        .order_by("pk")
        .values_list("pk", "numchild")
    )
    rolls: dict[int, list[int]] = {}
    for branch_id, person_id in (
        Membership.objects.filter(branch__code__startswith=f"{PREFIX}-", standing="normal")
        .order_by("branch_id", "person_id")
        .values_list("branch_id", "person_id")
    ):
        rolls.setdefault(branch_id, []).append(person_id)
    counts = {"meetings": 0, "attendance": 0}
    first_year = today.year - years + 1
    attendance_from = today.year - attendance_years + 1
    for year in range(first_year, today.year + 1):
        pending: list[Meeting] = []
        for branch_id, numchild in branches:
            diligence = rng.choice((0.99, 0.96, 0.9, 0.75))
            for kind in rules.BRANCH_KINDS:
                if kind == rules.GROUP_MEETING and not numchild:
                    continue
                for month in _months(kind):
                    day = dt.date(year, month, DAY[kind])
                    if day > today:
                        pending.append(
                            Meeting(
                                branch_id=branch_id,
                                kind=kind,
                                status="planned",
                                planned_on=day,
                                study_hours=rules.DEFAULT_STUDY_HOURS[kind],
                            )
                        )
                        continue
                    if rng.random() > diligence:
                        continue
                    pending.append(
                        Meeting(
                            branch_id=branch_id,
                            kind=kind,
                            status="held",
                            planned_on=day,
                            held_on=day,
                            place="党员活动室",
                            topic="学习贯彻党的创新理论",
                            study_hours=rules.DEFAULT_STUDY_HOURS[kind],
                        )
                    )
        for start in range(0, len(pending), BATCH):
            with transaction.atomic():
                chunk = insert_objects(Meeting, pending[start : start + BATCH])
                counts["meetings"] += len(chunk)
                if year >= attendance_from:
                    counts["attendance"] += _attendance(rng, chunk, rolls)
    return counts


def _attendance(rng, meetings: list[Meeting], rolls: dict[int, list[int]]) -> int:
    rows = []
    for meeting in meetings:
        if meeting.status != "held" or meeting.pk is None:
            continue
        for person_id in rolls.get(meeting.branch_id, ()):
            dice = rng.random()
            status = "present" if dice < 0.9 else "leave" if dice < 0.97 else "absent"
            rows.append(
                Attendance(
                    meeting_id=meeting.pk,
                    person_id=person_id,
                    status=status,
                    reason="出差" if status == "leave" else "",
                )
            )
    insert_objects(Attendance, rows)
    return len(rows)


# (label, user kind of demo.bench.bench_users(), url); the year defaults to the current one.
BENCH_CASES: list[tuple[str, str, str]] = [
    ("组织生活 落实情况矩阵", "office", "/orglife/"),
    ("组织生活 矩阵 第10页", "office", "/orglife/?page=10"),
    ("组织生活 矩阵 导出", "office", "/orglife/export/"),
    ("组织生活 会议列表", "office", "/orglife/meetings/"),
    ("组织生活 会议列表 支委会", "office", "/orglife/meetings/?kind=committee_meeting"),
    # A secretary's /orglife/ redirects to his branch (benched as 支部日历 in demo/bench.py).
    ("组织生活 矩阵 县局搜索（无脚本）", "office", "/orglife/?unit_q=第1县局&_pick=unit"),
    ("API 会议列表", "office", "/api/v1/orglife/meetings"),
]
