"""Demo 比作风: last year's 做合格党员 self-inspections (reviewed, measures closed) and this
year's (most submitted, some drafts, some members not yet started), with measures open, done,
closed and overdue — the daily scan has told the secretaries and the office about the
overdue ones."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.models import User
from dangjian.exemplar.conduct.models import (
    Problem,
    ProblemCategory,
    Rectification,
    SelfInspection,
)
from dangjian.exemplar.conduct.services import measures_escalate_overdue
from dangjian.people.models import Membership

from .loader import COMMITTEE_CODE

# (category, problem, measures)
FINDINGS = [
    (
        "理想信念",
        "理论学习不够系统，满足于读原文、听报告，学用结合不紧",
        ["制定个人学习计划，每周自学不少于2学时", "每季度撰写一篇学习心得"],
    ),
    (
        "政治纪律和政治规矩",
        "对上级决策部署的领会不够深入，传达落实有时停留在口头",
        ["每月对照工作台账检查一次落实情况"],
    ),
    (
        "组织纪律",
        "参加组织生活有时因业务繁忙请假，主题党日参与不够积极",
        ["全年参加组织生活不缺席，确需请假的事后补学"],
    ),
    (
        "作风建设",
        "走访零售客户存在“走过场”现象，听取客户意见不够深入",
        ["每月走访客户不少于25户并记录意见", "建立客户意见台账，逐条反馈"],
    ),
    (
        "廉洁自律",
        "对廉洁风险点认识不足，对身边的苗头性问题提醒不及时",
        ["学习廉洁从业规定并参加廉政测试", "签订廉洁承诺书"],
    ),
    (
        "业务能力",
        "对新的卷烟营销政策掌握不够全面，指导客户经营的能力不足",
        ["参加岗位练兵不少于4次", "向业务骨干拜师学习数据分析"],
    ),
    (
        "服务群众",
        "对弱势群体零售客户关心不够，上门服务次数偏少",
        ["为行动不便客户提供上门服务不少于6次"],
    ),
    (
        "发挥先锋模范作用",
        "在急难险重任务面前主动请缨不够",
        ["主动承担一项支部攻坚任务"],
    ),
]
SUMMARY = (
    "对照党章党规和合格党员标准，本人在政治上能够坚定理想信念，工作上能够完成岗位任务，"
    "但也查摆出{n}方面的不足，已制定整改措施并将按期落实。"
)
EVIDENCE = ["已按措施完成，有工作台账为证", "已完成，附走访记录", "学习笔记已交支部检查"]


def _aware(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    secretary = User.objects.get(username="secretary")
    member_user = User.objects.get(username="member")
    categories = {c.name: c for c in ProblemCategory.objects.all()}
    memberships = list(
        Membership.objects.filter(branch__code__startswith=COMMITTEE_CODE)
        .select_related("person")
        .order_by("pk")
    )
    demo_person_id = getattr(getattr(member_user, "person", None), "pk", None)
    inspections: list[SelfInspection] = []
    plans: list[tuple[int, str]] = []  # (year, state) per inspection
    for m in memberships:
        for year in (today.year - 1, today.year):
            if year == today.year:
                state = rng.choices(["submitted", "draft", "none"], weights=[70, 15, 15])[0]
                if m.person_id == demo_person_id:
                    state = "submitted"
            else:
                state = "reviewed" if rng.random() < 0.95 else "none"
            if state == "none":
                continue
            submitted = dt.date(year, rng.randint(1, 3), rng.randint(1, 28))
            inspections.append(
                SelfInspection(
                    person=m.person,
                    branch_id=m.branch_id,
                    year=year,
                    status=state,
                    summary=SUMMARY.format(n=rng.randint(1, 3)) if state != "draft" else "",
                    submitted_at=_aware(submitted) if state != "draft" else None,
                    review_comment="查摆问题较准，整改措施具体可行，同意。"
                    if state == "reviewed"
                    else "",
                    reviewed_by=secretary if state == "reviewed" else None,
                    reviewed_at=_aware(submitted + dt.timedelta(days=10))
                    if state == "reviewed"
                    else None,
                    created_by=m.person.user or secretary,
                    created_at=_aware(submitted - dt.timedelta(days=3)),
                )
            )
            plans.append((year, state))
    inspections = bulk_create_with_history(
        inspections, SelfInspection, batch_size=500, default_user=secretary
    )
    inspections = list(
        SelfInspection.objects.filter(branch__code__startswith=COMMITTEE_CODE).order_by("pk")
    )
    problems: list[Problem] = []
    pending: list[tuple[int, SelfInspection, list[str]]] = []
    for inspection in inspections:
        for category, text, measures in rng.sample(FINDINGS, rng.randint(1, 3)):
            problems.append(
                Problem(
                    inspection=inspection,
                    category=categories[category],
                    description=text,
                    created_at=inspection.created_at,
                )
            )
            pending.append((len(problems) - 1, inspection, measures))
    problems = bulk_create_with_history(problems, Problem, batch_size=1000, default_user=secretary)
    problems = list(
        Problem.objects.filter(inspection__in=[i.pk for i in inspections]).order_by("pk")
    )
    measures: list[Rectification] = []
    for (index, inspection, texts), problem in zip(pending, problems, strict=True):
        for text in texts:
            start = inspection.created_at.date()
            deadline = start + dt.timedelta(days=rng.choice([60, 90, 120, 180, 240, 300]))
            row = Rectification(
                problem=problem,
                inspection=inspection,
                branch_id=inspection.branch_id,
                measure=text,
                owner_id=inspection.person_id,
                deadline=deadline,
                created_at=inspection.created_at,
            )
            if inspection.year < today.year:
                row.status = "closed"
            elif deadline < today:
                row.status = rng.choices(["closed", "done", "open"], weights=[72, 12, 16])[0]
            else:
                row.status = rng.choices(["open", "done"], weights=[80, 20])[0]
            if inspection.person_id == demo_person_id and index % 2 == 0:
                # The demo member has one measure overdue (the escalation shows in the inbox).
                row.status, row.deadline = "open", today - dt.timedelta(days=12)
            if row.status in ("done", "closed"):
                row.evidence = rng.choice(EVIDENCE)
                row.done_at = _aware(min(deadline, today) - dt.timedelta(days=3))
            if row.status == "closed":
                row.closed_by = secretary
                row.closed_at = _aware(min(deadline, today) - dt.timedelta(days=1))
            measures.append(row)
    bulk_create_with_history(measures, Rectification, batch_size=1000, default_user=secretary)
    # What the daily scan would have done by now.
    measures_escalate_overdue(today=today)
