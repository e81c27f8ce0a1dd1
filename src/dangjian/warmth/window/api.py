"""API: licence applications and windows (read-only, scoped; personal data masked)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors
from .models import LicenceApplication, LicenceWindow

router = Router(tags=["窗口服务"])


class ApplicationFilters(PageParams):
    q: str = Field("", description="申请编号、申请人、首字母、店名、许可证号或身份证号")
    kind: str = Field(
        "",
        description="new 新办 / renewal 延续 / change 变更 / suspension 歇业 / cancellation 停业",
    )
    status: str = Field(
        "", description="received / accepted / inspected / reviewed / decided / delivered"
    )
    overdue: bool = Field(False, description="仅已逾期（当前期限已过）")


class ApplicationOut(Schema):
    id: int
    number: str
    window_id: int
    window_name: str
    kind: str
    kind_display: str
    status: str
    status_display: str
    applicant_name: str
    applicant_id_masked: str = Field(description="身份证号（脱敏）")
    customer_id: int | None
    licence_no: str
    shop_name: str
    received_on: dt.date
    notice_due_on: dt.date
    accepted_on: dt.date | None
    deemed_accepted: bool = Field(description="逾期未一次性告知，视为收到之日受理")
    decision_due_on: dt.date | None
    decision: str
    decided_on: dt.date | None
    licence_valid_until: dt.date | None
    delivery_due_on: dt.date | None
    delivered_on: dt.date | None
    overdue: bool


class ApplicationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ApplicationOut]


class WindowOut(Schema):
    id: int
    unit_id: int
    name: str
    address: str
    phone: str
    opening_hours: str
    benchmark_name: str | None
    is_active: bool


def _application_out(a: LicenceApplication) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "window_id": a.window_id,
        "window_name": a.window.name,
        "kind": a.kind,
        "kind_display": str(a.get_kind_display()),
        "status": a.status,
        "status_display": str(a.get_status_display()),
        "applicant_name": a.applicant_name,
        "applicant_id_masked": a.applicant_id_masked,
        "customer_id": a.customer_id,
        "licence_no": a.licence_no,
        "shop_name": a.shop_name,
        "received_on": a.received_on,
        "notice_due_on": a.notice_due_on,
        "accepted_on": a.accepted_on,
        "deemed_accepted": a.deemed_accepted,
        "decision_due_on": a.decision_due_on,
        "decision": a.decision,
        "decided_on": a.decided_on,
        "licence_valid_until": a.licence_valid_until,
        "delivery_due_on": a.delivery_due_on,
        "delivered_on": a.delivered_on,
        "overdue": a.is_overdue(),
    }


@router.get("/licence-applications", response=ApplicationPage, summary="许可证申请列表")
def application_list(request, filters: Query[ApplicationFilters]):
    rows = selectors.application_list(
        request.auth,
        query=filters.q,
        kind=filters.kind,
        status=filters.status,
        overdue=filters.overdue,
    ).order_by("-received_on", "-pk")
    return page(rows, filters, lambda items: [_application_out(a) for a in items])


@router.get(
    "/licence-applications/{application_id}",
    response={200: ApplicationOut, 404: ErrorOut},
    summary="许可证申请详情",
)
def application_detail(request, application_id: int):
    application = get_restricted_or_404(
        LicenceApplication.objects.select_related("window"), request.auth, pk=application_id
    )
    return _application_out(application)


@router.get("/licence-windows", response=list[WindowOut], summary="办证窗口")
def window_list(request):
    return [
        {
            "id": w.pk,
            "unit_id": w.unit_id,
            "name": w.name,
            "address": w.address,
            "phone": w.phone,
            "opening_hours": w.opening_hours,
            "benchmark_name": w.benchmark.name if w.benchmark_id else None,
            "is_active": w.is_active,
        }
        for w in selectors.windows_visible(request.auth)
    ]


__all__ = ["router", "LicenceWindow"]
