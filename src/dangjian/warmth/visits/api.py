"""API: visit and service records (read, scoped), for the marketing system to exchange data.

An account manager reads his customers' visits; a branch those of the units it covers; the
office all. Filters map onto the same indexes as the web pages.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from ninja import Field, Query, Router, Schema

from dangjian.customers.models import RetailCustomer
from dangjian.platform.api import ErrorOut, PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors
from .models import Visit, VisitPhoto

router = Router(tags=["日常服务"])


class VisitFilters(PageParams):
    q: str = Field("", description="店名、经营者、拼音首字母或许可证号")
    customer_id: int | None = Field(None, description="零售客户 id")
    date_from: dt.date | None = Field(None, description="起始日期")
    date_to: dt.date | None = Field(None, description="截止日期")
    kind: str = Field("", description="走访类型代码，如 routine、licence_check、tailored")


class VisitOut(Schema):
    id: int
    customer_id: int
    licence_no: str
    shop_name: str
    unit_id: int
    staff_id: int
    staff_name: str
    visited_on: dt.date
    kind: str
    kind_display: str
    service_type: str | None = Field(description="私人定制服务项目")
    notes: str
    follow_up_on: dt.date | None
    follow_up: str
    follow_up_done_on: dt.date | None
    photos: int = Field(description="照片张数（照片经网页端按权限查看）")


class VisitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VisitOut]


def _out(v: Visit, photos: int = 0) -> dict:
    return {
        "id": v.pk,
        "customer_id": v.customer_id,
        "licence_no": v.customer.licence_no,
        "shop_name": v.customer.shop_name,
        "unit_id": v.unit_id,
        "staff_id": v.staff_id,
        "staff_name": v.staff.name,
        "visited_on": v.visited_on,
        "kind": v.kind.code,
        "kind_display": v.kind.name,
        "service_type": v.service_type.name if v.service_type else None,
        "notes": v.notes,
        "follow_up_on": v.follow_up_on,
        "follow_up": v.follow_up,
        "follow_up_done_on": v.follow_up_done_on,
        "photos": photos,
    }


@router.get("/visits", response={200: VisitPage, 404: ErrorOut}, summary="走访服务记录列表")
def visit_list(request, filters: Query[VisitFilters]):
    customer = None
    if filters.customer_id is not None:
        customer = get_restricted_or_404(RetailCustomer, request.auth, pk=filters.customer_id)
    visits = selectors.visit_list(
        request.auth,
        query=filters.q,
        customer=customer,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    if filters.kind:
        visits = visits.filter(kind__code=filters.kind)
    visits = visits.order_by("-visited_on", "-pk")
    return page(visits, filters, _page_out)


def _page_out(rows) -> list[dict]:
    """The page's rows with their photo counts (one query for the page)."""
    counts = dict(
        VisitPhoto.objects.filter(visit__in=[v.pk for v in rows])
        .order_by()
        .values_list("visit")
        .annotate(n=Count("pk"))
    )
    return [_out(v, counts.get(v.pk, 0)) for v in rows]


@router.get(
    "/visits/{visit_id}", response={200: VisitOut, 404: ErrorOut}, summary="走访服务记录详情"
)
def visit_detail(request, visit_id: int):
    visit = get_restricted_or_404(
        Visit.objects.select_related("customer", "staff", "kind", "service_type"),
        request.auth,
        pk=visit_id,
    )
    return _out(visit, visit.photos.count())
