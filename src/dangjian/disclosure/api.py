"""API: 党务公开 and 任前公示 notices (read-only).

The list holds the notices the token's user may open (those he manages and those addressed
to him); objections are not exposed (they may carry personal data), only their counts.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page

from . import selectors
from .models import Notice

router = Router(tags=["党务公开"])


class NoticeFilters(PageParams):
    q: str = Field("", description="标题或正文关键词")
    kind: str = Field("", description="party_affairs 党务公开 / pre_appointment 任前公示")
    status: str = Field("", description="draft 草稿 / published 公示中 / closed 已办结")
    year: int | None = Field(None, description="公示开始年度")


class NoticeOut(Schema):
    id: int
    kind: str
    kind_display: str
    title: str
    content: str = Field(description="纯文本正文")
    issuing_org_id: int
    issuing_org_name: str
    audience: str = Field(description="subtree 本组织及下级 / chosen 指定组织 / public 向社会公开")
    working_days: int
    starts_on: dt.date
    ends_on: dt.date
    ends_on_provisional: bool = Field(description="截止日期所在年度的法定节假日尚未收录，暂定")
    status: str
    status_display: str
    result: str
    result_display: str
    result_note: str
    objections_total: int | None = Field(None, description="异议数（仅管理者可见）")
    objections_open: int | None = Field(None, description="待答复异议数（仅管理者可见）")


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoticeOut]


def _out(n: Notice, counts: dict) -> dict:
    total, open_ = counts.get(n.pk, (None, None))
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_display": str(n.get_kind_display()),
        "title": n.title,
        "content": n.content,
        "issuing_org_id": n.issuing_org_id,
        "issuing_org_name": n.issuing_org.name,
        "audience": n.audience,
        "working_days": n.working_days,
        "starts_on": n.starts_on,
        "ends_on": n.ends_on,
        "ends_on_provisional": n.ends_on_provisional,
        "status": n.status,
        "status_display": str(n.get_status_display()),
        "result": n.result,
        "result_display": str(n.get_result_display()) if n.result else "",
        "result_note": n.result_note,
        "objections_total": total,
        "objections_open": open_,
    }


def _converter(actor):
    def convert(rows):
        managed = selectors.with_objection_counts(
            Notice.objects.restrict(actor, "view").filter(pk__in=[n.pk for n in rows])
        )
        counts = {n.pk: (n.objections_total, n.objections_open) for n in managed}
        return [_out(n, counts) for n in rows]

    return convert


@router.get("/disclosure/notices", response=NoticePage, summary="公示公告列表")
def notice_list(request, filters: Query[NoticeFilters]):
    notices = selectors.notice_list(
        request.auth,
        query=filters.q,
        kind=filters.kind,
        status=filters.status,
        year=filters.year,
    ).order_by("-starts_on", "-pk")
    return page(notices, filters, _converter(request.auth))


@router.get(
    "/disclosure/notices/{notice_id}",
    response={200: NoticeOut, 404: ErrorOut},
    summary="公示公告详情",
)
def notice_detail(request, notice_id: int):
    notice = (
        selectors.visible_notices(request.auth)
        .select_related("issuing_org")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise Http404
    return _converter(request.auth)([notice])[0]
