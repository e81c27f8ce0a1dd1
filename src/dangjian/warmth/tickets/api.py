"""API: 首问负责制 tickets — read (list, detail with the public timeline) and create from other
systems (a hotline, the marketing system). A created ticket is 待受理 until staff accept it;
the caller gets its tracking link to give the customer. Contact phones are masked."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from dangjian.customers.models import RetailCustomer
from dangjian.platform.api import ErrorOut, PageParams, PayloadInvalid, page, register_field_labels
from dangjian.platform.scoping import user_can

from . import selectors, services
from .models import Ticket, TicketCategory

router = Router(tags=["首问负责制"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
register_field_labels("tickets", Ticket)


class TicketFilters(PageParams):
    q: str = Field("", description="编号、联系人或标题开头、手机号")
    status: str = Field(
        "", description="new/open/waiting/resolved/closed/merged，open 含全部未结案"
    )
    kind: str = Field(
        "", description="inquiry 咨询 / complaint 投诉 / suggestion 建议 / report 举报"
    )
    mine: bool = Field(False, description="只看我首问或承办的")


class EventOut(Schema):
    at: dt.datetime
    kind: str
    kind_display: str
    text: str


class TicketOut(Schema):
    id: int
    number: str
    kind: str
    priority: str
    category: str
    channel: str
    unit_id: int
    unit_name: str
    customer_id: int | None
    contact_name: str
    contact_phone_masked: str
    subject: str
    text: str
    status: str
    status_display: str
    owner: str | None
    handler: str | None
    created_at: dt.datetime
    first_response_due: dt.datetime
    resolution_due: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resolution_met: bool | None
    rating: int | None
    merged_into_id: int | None
    tracking_url: str = Field(description="客户查询进度的链接（不可猜测）")


class TicketDetailOut(TicketOut):
    events: list[EventOut] = Field(description="客户可见的办理过程")


class TicketPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TicketOut]


class TicketIn(Schema):
    kind: str = Field(description="inquiry / complaint / suggestion / report")
    category: str = Field(description="诉求类别名称，如“货源供应”")
    unit_id: int | None = Field(None, description="受理单位；给出客户时可省略")
    customer_id: int | None = None
    contact_name: str
    contact_phone: str = ""
    subject: str
    text: str
    priority: str = "normal"


def _out(t: Ticket) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "kind": t.kind,
        "priority": t.priority,
        "category": t.category.name,
        "channel": t.channel,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "customer_id": t.customer_id,
        "contact_name": t.contact_name,
        "contact_phone_masked": t.contact_phone_masked,
        "subject": t.subject,
        "text": t.text,
        "status": t.status,
        "status_display": str(t.get_status_display()),
        "owner": str(t.owner) if t.owner_id else None,
        "handler": str(t.handler) if t.handler_id else None,
        "created_at": t.created_at,
        "first_response_due": t.first_response_due,
        "resolution_due": t.resolution_due,
        "first_response_at": t.first_response_at,
        "resolved_at": t.resolved_at,
        "closed_at": t.closed_at,
        "resolution_met": t.resolution_met,
        "rating": t.rating,
        "merged_into_id": t.merged_into_id,
        "tracking_url": services.tracking_url(t),
    }


def _detail(actor, pk: int) -> dict:
    ticket = selectors.ticket_for(actor, pk)
    if ticket is None:
        raise Http404
    out = _out(ticket)
    out["events"] = [
        {"at": e.at, "kind": e.kind, "kind_display": str(e.get_kind_display()), "text": e.text}
        for e in selectors.public_events(ticket)
    ]
    return out


@router.get("/tickets", response=TicketPage, summary="诉求工单列表")
def ticket_list(request, filters: Query[TicketFilters]):
    tickets = (
        selectors.ticket_list(
            request.auth,
            query=filters.q,
            mine=filters.mine,
            status=filters.status,
            kind=filters.kind,
        )
        .select_related("unit", "category", "owner", "handler")
        .order_by("-created_at", "-pk")
    )
    return page(tickets, filters, lambda rows: [_out(t) for t in rows])


@router.get(
    "/tickets/{ticket_id}", response={200: TicketDetailOut, 404: ErrorOut}, summary="诉求工单详情"
)
def ticket_detail(request, ticket_id: int):
    return _detail(request.auth, ticket_id)


@router.post(
    "/tickets", response={201: TicketDetailOut, **WRITE_ERRORS}, summary="外部系统登记诉求"
)
def ticket_create(request, payload: TicketIn):
    actor = request.auth
    if not user_can(actor, "add", Ticket):
        raise PermissionDenied(_("您无权登记诉求工单"))
    errors: dict[str, list[str]] = {}
    category = TicketCategory.objects.filter(name=payload.category.strip(), is_active=True).first()
    if category is None:
        errors["category"] = [_("诉求类别不存在或已停用")]
    customer = None
    if payload.customer_id is not None:
        customer = (
            RetailCustomer.objects.restrict(actor, "view").filter(pk=payload.customer_id).first()
        )
        if customer is None:
            errors["customer_id"] = [_("所选客户不存在或不在您的权限范围内")]
    unit = None
    if payload.unit_id is not None:
        unit = selectors.units_for(actor, "add").filter(pk=payload.unit_id).first()
        if unit is None:
            errors["unit_id"] = [_("受理单位不存在或不在您的权限范围内")]
    if errors:
        raise PayloadInvalid(errors)
    try:
        ticket = services.ticket_create(
            actor=actor,
            channel=Ticket.Channel.API,
            kind=payload.kind,
            priority=payload.priority,
            category=category,
            unit=unit,
            customer=customer,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            subject=payload.subject,
            text=payload.text,
        )
    except ValidationError as exc:
        raise PayloadInvalid(exc.message_dict) from exc
    return Status(201, _detail(actor, ticket.pk))
