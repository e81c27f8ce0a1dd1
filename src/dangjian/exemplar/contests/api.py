"""API: 比业绩 events and their results (read-only), scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page

from . import selectors
from .models import Contest

router = Router(tags=["比业绩"])


class ContestFilters(PageParams):
    q: str = Field("", description="名称关键词")
    kind: str = Field("", description="drill 岗位练兵 / contest 岗位竞赛")
    line: str = Field("", description="业务条线：sales / monopoly / logistics / management …")
    year: int | None = Field(None, description="举办年度")


class ContestOut(Schema):
    id: int
    kind: str
    name: str
    organiser_id: int
    organiser_name: str
    business_line: str
    held_on: dt.date
    status: str
    business_result: str
    business_figure: Decimal | None
    business_figure_label: str


class ContestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContestOut]


class EntryOut(Schema):
    person_id: int
    person_name: str
    score: Decimal | None
    rank: int | None
    award: str


class ContestDetailOut(ContestOut):
    entries: list[EntryOut]


def _out(c: Contest) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "organiser_id": c.organiser_id,
        "organiser_name": c.organiser.name,
        "business_line": c.business_line,
        "held_on": c.held_on,
        "status": c.status,
        "business_result": c.business_result,
        "business_figure": c.business_figure,
        "business_figure_label": c.business_figure_label,
    }


@router.get("/contests", response=ContestPage, summary="岗位练兵与竞赛列表")
def contest_list(request, filters: Query[ContestFilters]):
    rows = selectors.contest_list(
        request.auth, query=filters.q, kind=filters.kind, line=filters.line, year=filters.year
    ).order_by("-held_on", "-pk")
    return page(rows, filters, lambda items: [_out(c) for c in items])


@router.get(
    "/contests/{contest_id}",
    response={200: ContestDetailOut, 404: ErrorOut},
    summary="岗位练兵与竞赛详情及成绩",
)
def contest_detail(request, contest_id: int):
    contest = (
        Contest.objects.restrict(request.auth, "view")
        .select_related("organiser")
        .filter(pk=contest_id)
        .first()
    )
    if contest is None:
        raise Http404
    return {
        **_out(contest),
        "entries": [
            {
                "person_id": e.person_id,
                "person_name": e.person.name,
                "score": e.score,
                "rank": e.rank,
                "award": e.award,
            }
            for e in selectors.results(contest)
        ],
    }
