"""Benchmark-scale member development: a pipeline in every scale branch.

About three cases per branch (applicants, activists, candidates, probationary members and
completed cases spread over ``years``), each with its step rows, and this year's plan per
branch — written in big batches through ``scale.insert_objects`` (COPY on PostgreSQL), no per-row service calls. The pipeline and
balance pages aggregate these rows in SQL.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.development import rules
from dangjian.development.models import DevelopmentCase, DevelopmentPlan, DevelopmentStep, Stage
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person

from .development import OFFSET
from .scale import PREFIX, insert_objects

BATCH = 5000


def _stage(last: int) -> str:
    if last >= 25:
        return Stage.FULL
    if last >= 17:
        return Stage.PROBATIONARY
    if last >= 7:
        return Stage.CANDIDATE
    if last >= 3:
        return Stage.ACTIVIST
    return Stage.APPLICANT


def generate(*, years: int = 5, per_branch: int = 3, seed: int = 11) -> dict:
    """Add development cases, steps and plans for every scale branch; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    recorder, _ = User.objects.get_or_create(
        username="scale-development", defaults={"display_name": "规模数据"}
    )
    branch_of_unit: dict[int, int] = {}
    for branch_id, unit_id in PartyOrg.units.through.objects.filter(
        partyorg__code__startswith=f"{PREFIX}-", partyorg__kind=PartyOrg.Kind.BRANCH
    ).values_list("partyorg_id", "unit_id"):
        branch_of_unit.setdefault(unit_id, branch_id)
    pool: dict[int, list[int]] = {}
    for person_id, unit_id in (
        Person.objects.filter(membership__isnull=True, unit_id__in=list(branch_of_unit))
        .exclude(development_cases__isnull=False)
        .values_list("pk", "unit_id")
        .iterator(chunk_size=20000)
    ):
        pool.setdefault(branch_of_unit[unit_id], []).append(person_id)
    cases: list[DevelopmentCase] = []
    plans: list[DevelopmentPlan] = []
    for branch_id, people in pool.items():
        plans.append(DevelopmentPlan(branch_id=branch_id, year=today.year, quota=rng.randint(0, 3)))
        if rng.random() < 0.15:
            continue  # a quiet branch: nobody in the pipeline
        for person_id in rng.sample(people, min(per_branch, len(people))):
            last = rng.choice((1, 2, 3, 5, 6, 6, 9, 11, 14, 17, 20, 22, 25))
            ago = rng.randint(0, max(30, 365 * years - OFFSET[last]))
            start = today - dt.timedelta(days=OFFSET[last] + ago)
            stage = _stage(last)
            due = None
            if stage == Stage.APPLICANT and last == 1:
                due = rules.talk_deadline(start)
            elif stage == Stage.ACTIVIST:
                due = rules.add_months(start + dt.timedelta(days=OFFSET[last]), 6)
            elif stage == Stage.PROBATIONARY:
                due = rules.probation_end(start + dt.timedelta(days=OFFSET[15]))
            case = DevelopmentCase(
                person_id=person_id,
                branch_id=branch_id,
                stage=stage,
                last_step=last,
                applied_on=start,
                next_due_on=due,
                next_due_label="派人谈话"
                if last == 1
                else ("半年培养考察" if stage == Stage.ACTIVIST else ""),
                created_by=recorder,
            )
            cases.append(case)
    with transaction.atomic():
        created = []
        for i in range(0, len(cases), BATCH):
            created += insert_objects(DevelopmentCase, cases[i : i + BATCH])
        steps = []
        for case in created:
            start = case.applied_on
            for number in range(1, case.last_step + 1):
                steps.append(
                    DevelopmentStep(
                        case_id=case.pk,
                        number=number,
                        occurred_on=start + dt.timedelta(days=OFFSET[number]),
                        branch_id=case.branch_id,
                        passed=True if number in rules.RESULT_STEPS else None,
                        recorded_by=recorder,
                    )
                )
            if len(steps) >= BATCH:
                insert_objects(DevelopmentStep, steps)
                steps = []
        insert_objects(DevelopmentStep, steps)
        DevelopmentPlan.objects.bulk_create(plans, batch_size=BATCH, ignore_conflicts=True)
    return {
        "development_cases": len(created),
        "development_steps": DevelopmentStep.objects.count(),
        "development_plans": len(plans),
    }


BENCH_CASES: list[tuple[str, str, str]] = [
    ("发展党员 进度（按县局）", "office", "/development/pipeline/"),
    ("发展党员 进度（按支部）", "office", "/development/pipeline/?by=branch"),
    ("发展党员 均衡", "office", "/development/balance/?years=3"),
    ("发展党员 档案列表 逾期", "office", "/development/?overdue=on"),
    ("发展党员 支部书记 档案列表", "secretary", "/development/"),
    ("API 发展档案列表", "office", "/api/v1/development/cases"),
]
