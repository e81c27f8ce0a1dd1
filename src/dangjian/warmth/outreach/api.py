"""API: 增值服务 — area groups, broadcasts with their delivery counts, 上门服务 and
off-day bookings (read-only; phones masked)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors
from .models import Broadcast, HomeService, OffDayBooking

router = Router(tags=["增值服务"])


class GroupOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    is_active: bool
    has_robot: bool = Field(description="是否设置了企业微信群机器人")
    members: int


class GroupPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[GroupOut]


class GroupFilters(PageParams):
    q: str = Field("", description="群名称关键词")


@router.get("/outreach/groups", response=GroupPage, summary="片区群列表")
def group_list(request, filters: Query[GroupFilters]):
    groups = selectors.group_list(request.auth, query=filters.q).order_by("name", "pk")

    def convert(rows):
        counts = selectors.member_counts(g.pk for g in rows)
        return [
            {
                "id": g.pk,
                "name": g.name,
                "unit_id": g.unit_id,
                "unit_name": g.unit.name,
                "is_active": g.is_active,
                "has_robot": g.has_robot,
                "members": counts.get(g.pk, 0),
            }
            for g in rows
        ]

    return page(groups, filters, convert)


class BroadcastOut(Schema):
    id: int
    group_id: int
    group_name: str
    kind: str
    title: str
    content: str
    created_at: dt.datetime
    status: str
    recipients: int
    sent: int
    failed: int
    pending: int


class BroadcastPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[BroadcastOut]


def _broadcasts_out(rows):
    sums = selectors.summaries(b.pk for b in rows)
    return [
        {
            "id": b.pk,
            "group_id": b.group_id,
            "group_name": b.group.name,
            "kind": b.kind.key,
            "title": b.title,
            "content": b.content,
            "created_at": b.created_at,
            "status": b.status,
            "recipients": b.recipients,
            "sent": sums.get(b.pk, {}).get("sent", 0),
            "failed": sums.get(b.pk, {}).get("failed", 0),
            "pending": sums.get(b.pk, {}).get("waiting", 0),
        }
        for b in rows
    ]


@router.get("/outreach/broadcasts", response=BroadcastPage, summary="群发消息列表（含发送情况）")
def broadcast_list(request, filters: Query[PageParams]):
    rows = selectors.broadcast_list(request.auth).order_by("-created_at", "-pk")
    return page(rows, filters, _broadcasts_out)


@router.get(
    "/outreach/broadcasts/{broadcast_id}",
    response={200: BroadcastOut, 404: ErrorOut},
    summary="群发消息详情",
)
def broadcast_detail(request, broadcast_id: int):
    broadcast = get_restricted_or_404(
        Broadcast.objects.select_related("group", "kind"), request.auth, "view", pk=broadcast_id
    )
    return _broadcasts_out([broadcast])[0]


class HomeServiceOut(Schema):
    id: int
    kind: str
    customer_id: int
    shop_name: str
    needs: str
    override_reason: str
    scheduled_at: dt.datetime
    address: str
    staff: list[str]
    status: str
    outcome: str
    outcome_note: str


class HomeServicePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[HomeServiceOut]


class HomeFilters(PageParams):
    status: str = Field("", description="scheduled 已安排 / done 已完成 / cancelled 已取消")


def _home_out(rows):
    staff = {
        s.pk: [p.name for p in s.staff.all()]
        for s in HomeService.objects.filter(pk__in=[r.pk for r in rows]).prefetch_related("staff")
    }
    return [
        {
            "id": s.pk,
            "kind": s.kind,
            "customer_id": s.customer_id,
            "shop_name": s.customer.shop_name,
            "needs": s.needs,
            "override_reason": s.override_reason,
            "scheduled_at": s.scheduled_at,
            "address": s.address,
            "staff": staff.get(s.pk, []),
            "status": s.status,
            "outcome": s.outcome,
            "outcome_note": s.outcome_note,
        }
        for s in rows
    ]


@router.get("/outreach/home-services", response=HomeServicePage, summary="上门服务列表")
def home_list(request, filters: Query[HomeFilters]):
    rows = selectors.home_service_list(request.auth, status=filters.status).order_by(
        "-scheduled_at", "-pk"
    )
    return page(rows, filters, _home_out)


class BookingOut(Schema):
    id: int
    window_id: int
    date: dt.date
    starts_at: dt.time
    ends_at: dt.time
    name: str
    phone_masked: str
    purpose: str
    status: str
    code: str


class BookingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[BookingOut]


@router.get("/outreach/bookings", response=BookingPage, summary="非工作日预约列表")
def booking_list(request, filters: Query[PageParams]):
    rows = (
        OffDayBooking.objects.restrict(request.auth, "view")
        .select_related("slot__roster")
        .order_by("-slot__roster__date", "slot__starts_at", "pk")
    )

    def convert(items):
        return [
            {
                "id": b.pk,
                "window_id": b.slot.roster.window_id,
                "date": b.slot.roster.date,
                "starts_at": b.slot.starts_at,
                "ends_at": b.slot.ends_at,
                "name": b.name,
                "phone_masked": b.phone_masked,
                "purpose": b.purpose,
                "status": b.status,
                "code": b.code,
            }
            for b in items
        ]

    return page(rows, filters, convert)
