"""API: 比学习 reflections and self-study entries (read-only), scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from dangjian.platform.api import PageParams, page

from . import selectors
from .models import SelfStudy

router = Router(tags=["比学习"])


class ReflectionFilters(PageParams):
    q: str = Field("", description="标题关键词或作者姓名开头")
    status: str = Field("", description="submitted 待审阅 / returned 退回修改 / accepted 已通过")
    year: int | None = Field(None, description="年度")
    flagged: bool = Field(False, description="只看疑似抄袭")


class ReflectionOut(Schema):
    id: int
    title: str
    person_id: int
    person_name: str
    branch_id: int
    branch_name: str
    year: int
    status: str
    version: int
    submitted_at: dt.datetime
    similarity: float = Field(description="与已提交心得的最高重合度（0–1）")
    flagged: bool


class ReflectionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReflectionOut]


def _reflections(rows):
    return [
        {
            "id": r.pk,
            "title": r.title,
            "person_id": r.person_id,
            "person_name": r.person.name,
            "branch_id": r.branch_id,
            "branch_name": r.branch.name,
            "year": r.year,
            "status": r.status,
            "version": r.version,
            "submitted_at": r.submitted_at,
            "similarity": r.similarity,
            "flagged": r.flagged,
        }
        for r in rows
    ]


@router.get("/study/reflections", response=ReflectionPage, summary="心得体会列表")
def reflection_list(request, filters: Query[ReflectionFilters]):
    rows = selectors.reflection_list(
        request.auth,
        query=filters.q,
        status=filters.status,
        year=filters.year,
        flagged=filters.flagged,
    ).order_by("-submitted_at", "-pk")
    return page(rows, filters, _reflections)


class SelfStudyFilters(PageParams):
    year: int | None = Field(None, description="学习日期所在年度")
    status: str = Field("", description="submitted 待确认 / confirmed 已确认 / rejected 未予确认")


class SelfStudyOut(Schema):
    id: int
    person_id: int
    person_name: str
    studied_on: dt.date
    topic: str
    kind: str
    hours: Decimal
    points: Decimal
    status: str


class SelfStudyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SelfStudyOut]


@router.get("/study/self-study", response=SelfStudyPage, summary="自学记录列表")
def self_study_list(request, filters: Query[SelfStudyFilters]):
    rows = SelfStudy.objects.restrict(request.auth, "view").select_related("person", "kind")
    if filters.year:
        rows = rows.filter(studied_on__year=filters.year)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(
        rows.order_by("-studied_on", "-pk"),
        filters,
        lambda items: [
            {
                "id": e.pk,
                "person_id": e.person_id,
                "person_name": e.person.name,
                "studied_on": e.studied_on,
                "topic": e.topic,
                "kind": e.kind.name,
                "hours": e.hours,
                "points": e.points,
                "status": e.status,
            }
            for e in items
        ],
    )
