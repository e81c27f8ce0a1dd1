"""API: development cases (发展党员档案), scoped like the web views."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from dangjian.platform.api import PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors, services
from .models import DevelopmentCase

router = Router(tags=["发展党员"])


class CaseFilters(PageParams):
    stage: str = Field(
        "", description="applicant / activist / candidate / probationary / full / closed / open"
    )
    overdue: bool = Field(False, description="只看逾期")


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    branch_id: int
    branch_name: str
    stage: str
    stage_display: str
    last_step: int
    applied_on: dt.date | None
    next_due_on: dt.date | None
    next_due_label: str
    flagged: bool


class StepOut(Schema):
    id: int
    number: int
    label: str
    occurred_on: dt.date
    passed: bool | None
    decision: str
    flagged: bool
    exception_reason: str
    supersedes_id: int | None
    correction_reason: str
    effective: bool


class CaseDetailOut(CaseOut):
    steps: list[StepOut]


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


def _out(c: DevelopmentCase) -> dict:
    return {
        "id": c.pk,
        "person_id": c.person_id,
        "person_name": c.person.name,
        "branch_id": c.branch_id,
        "branch_name": c.branch.name,
        "stage": c.stage,
        "stage_display": c.get_stage_display(),
        "last_step": c.last_step,
        "applied_on": c.applied_on,
        "next_due_on": c.next_due_on,
        "next_due_label": c.next_due_label,
        "flagged": c.flagged,
    }


@router.get("/development/cases", response=CasePage, summary="发展党员档案列表")
def case_list(request, filters: Query[CaseFilters]):
    cases = selectors.case_list(
        request.auth, stage=filters.stage, overdue=filters.overdue
    ).order_by("pk")
    return page(cases, filters, lambda rows: [_out(c) for c in rows])


@router.get("/development/cases/{case_id}", response=CaseDetailOut, summary="发展党员档案详情")
def case_detail(request, case_id: int):
    case = get_restricted_or_404(
        selectors.case_for_detail(request.auth, case_id), request.auth, pk=case_id
    )
    effective = {s.pk for s in services.effective_steps(case)}
    steps = sorted(case.steps.all(), key=lambda s: (s.round, s.number, s.occurred_on, s.pk))
    return {
        **_out(case),
        "steps": [
            {
                "id": s.pk,
                "number": s.number,
                "label": s.label,
                "occurred_on": s.occurred_on,
                "passed": s.passed,
                "decision": s.decision,
                "flagged": s.flagged,
                "exception_reason": s.exception_reason,
                "supersedes_id": s.supersedes_id,
                "correction_reason": s.correction_reason,
                "effective": s.pk in effective,
            }
            for s in steps
        ],
    }
