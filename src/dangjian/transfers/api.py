"""API: transfers of party relationships and 流动党员 records (read-only, scoped).

The sending and the receiving branch see a transfer; anyone else gets 404.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors
from .models import MobileMember, Transfer

router = Router(tags=["组织关系转接"])


class TransferFilters(PageParams):
    q: str = Field("", description="姓名、拼音、首字母或介绍信编号")
    status: str = Field("", description="issued 待回执 / received 已回执 / cancelled 已作废")
    direction: str = Field("", description="out 转出 / in 转入（相对于您的组织）")
    overdue: bool = Field(False, description="仅逾期未回执")


class TransferOut(Schema):
    id: int
    number: str
    person_id: int
    person_name: str
    member_status: str
    from_org_id: int | None
    from_org_name: str
    to_org_id: int | None
    to_org_name: str
    cross_province: bool
    reason: str
    reason_display: str
    dues_paid_through: str | None = Field(description="党费交至（YYYY-MM）")
    issued_on: dt.date
    valid_months: int
    valid_until: dt.date
    status: str
    status_display: str
    received_on: dt.date | None
    overdue: bool


class TransferPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TransferOut]


class MobileFilters(PageParams):
    q: str = Field("", description="姓名、拼音或流入地")
    status: str = Field("", description="active 外出流动中 / returned 已返回 / transferred 已转接")
    flagged: bool = Field(False, description="仅超期未转接")


class MobileOut(Schema):
    id: int
    person_id: int
    person_name: str
    branch_id: int
    branch_name: str
    destination: str
    since: dt.date
    expected_return: dt.date | None
    contact_phone_masked: str = Field(description="联系电话（脱敏）")
    status: str
    status_display: str
    ended_on: dt.date | None
    flagged: bool


class MobilePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MobileOut]


def _transfer_out(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "person_id": t.person_id,
        "person_name": t.person.name,
        "member_status": t.member_status,
        "from_org_id": t.from_org_id,
        "from_org_name": t.from_org_name,
        "to_org_id": t.to_org_id,
        "to_org_name": t.to_org_name,
        "cross_province": t.cross_province,
        "reason": t.reason,
        "reason_display": str(t.get_reason_display()),
        "dues_paid_through": f"{t.dues_paid_through:%Y-%m}" if t.dues_paid_through else None,
        "issued_on": t.issued_on,
        "valid_months": t.valid_months,
        "valid_until": t.valid_until,
        "status": t.status,
        "status_display": str(t.get_status_display()),
        "received_on": t.received_on,
        "overdue": t.is_overdue(),
    }


def _mobile_out(m: MobileMember) -> dict:
    return {
        "id": m.pk,
        "person_id": m.person_id,
        "person_name": m.person.name,
        "branch_id": m.branch_id,
        "branch_name": m.branch.name,
        "destination": m.destination,
        "since": m.since,
        "expected_return": m.expected_return,
        "contact_phone_masked": m.contact_phone_masked,
        "status": m.status,
        "status_display": str(m.get_status_display()),
        "ended_on": m.ended_on,
        "flagged": m.flagged_at is not None,
    }


@router.get("/transfers", response=TransferPage, summary="组织关系转接列表")
def transfer_list(request, filters: Query[TransferFilters]):
    transfers = selectors.transfer_list(
        request.auth,
        query=filters.q,
        status=filters.status,
        direction=filters.direction,
        overdue=filters.overdue,
    ).order_by("-issued_on", "-pk")
    return page(transfers, filters, lambda rows: [_transfer_out(t) for t in rows])


@router.get(
    "/transfers/{transfer_id}",
    response={200: TransferOut, 404: ErrorOut},
    summary="组织关系转接详情",
)
def transfer_detail(request, transfer_id: int):
    transfer = get_restricted_or_404(
        Transfer.objects.select_related("person"), request.auth, pk=transfer_id
    )
    return _transfer_out(transfer)


@router.get("/mobile-members", response=MobilePage, summary="流动党员列表")
def mobile_list(request, filters: Query[MobileFilters]):
    records = selectors.mobile_list(
        request.auth, query=filters.q, status=filters.status, flagged=filters.flagged
    ).order_by("-since", "-pk")
    return page(records, filters, lambda rows: [_mobile_out(m) for m in rows])


@router.get(
    "/mobile-members/{record_id}",
    response={200: MobileOut, 404: ErrorOut},
    summary="流动党员详情",
)
def mobile_detail(request, record_id: int):
    record = get_restricted_or_404(
        MobileMember.objects.select_related("person", "branch"), request.auth, pk=record_id
    )
    return _mobile_out(record)
