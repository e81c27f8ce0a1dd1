"""API: licensed retail customers.

The phone is masked in every response; ``POST …/reveal`` shows it in clear for a role that
may, and logs it. Writes go through CustomerForm and ``services.customer_save``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dangjian.orgs.models import Unit
from dangjian.platform.api import (
    ErrorOut,
    PageParams,
    PayloadInvalid,
    RevealIn,
    RevealOut,
    add_model_errors,
    form_data,
    only_sent_fields,
    page,
    raise_form_errors,
    register_field_labels,
    reveal,
)
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import CustomerForm
from .models import RetailCustomer

router = Router(tags=["零售客户"])
register_field_labels("customers", RetailCustomer)

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Segment = Literal[
    "", "modern_terminal", "vulnerable", "strong_operator", "prime_location", "special"
]


class CustomerFilters(PageParams):
    q: str = Field("", description="许可证号（前缀）、手机号、经营者/店名、拼音或首字母")
    unit: int | None = Field(None, description="县局或片区 id（含下级）")
    business_format: str = Field("", description="业态代码，如 Z 食杂店、B 便利店")
    segment: Segment = Field(
        "",
        description="modern_terminal 现代终端 / vulnerable 弱势群体 / strong_operator "
        "经营能力强 / prime_location 位置优越 / special 有特殊需求",
    )


class CustomerOut(Schema):
    id: int
    licence_no: str
    shop_name: str
    owner_name: str
    phone_masked: str = Field(description="联系电话（脱敏）")
    address: str
    unit_id: int
    unit_name: str
    account_manager_id: int | None
    account_manager_name: str | None
    business_format: str
    business_format_display: str
    market: str
    size: str
    code: str = Field(description="组合编码，如 CZ1")
    tier: int
    credit_grade: str
    segments: list[str]
    needs: list[str]
    modern_terminal: bool
    vulnerable: bool
    strong_operator: bool
    prime_location: bool
    elderly: bool
    disabled: bool
    ill: bool
    birthday: dt.date | None
    birthday_is_lunar: bool
    licence_expires_on: dt.date | None
    is_active: bool


class CustomerPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CustomerOut]


class CustomerIn(Schema):
    """Fields left out keep their current value (on create: the default)."""

    licence_no: str | None = Field(None, description="12位许可证号")
    shop_name: str | None = None
    owner_name: str | None = None
    phone: str | None = None
    address: str | None = None
    unit: int | None = Field(None, description="县局或片区 id")
    account_manager: int | None = Field(None, description="客户经理（人员 id）")
    business_format: str | None = None
    market: str | None = Field(None, description="C 城镇 / X 乡村")
    size: str | None = Field(None, description="1 大型 / 2 中型 / 3 小型")
    tier: int | None = Field(None, description="档位 1–30")
    credit_grade: str | None = None
    licence_expires_on: dt.date | None = None
    birthday: dt.date | None = None
    birthday_is_lunar: bool | None = None
    modern_terminal: bool | None = None
    vulnerable: bool | None = None
    strong_operator: bool | None = None
    prime_location: bool | None = None
    elderly: bool | None = None
    disabled: bool | None = None
    ill: bool | None = None
    is_active: bool | None = None


def _customer_out(c: RetailCustomer) -> dict:
    return {
        "id": c.pk,
        "licence_no": c.licence_no,
        "shop_name": c.shop_name,
        "owner_name": c.owner_name,
        "phone_masked": c.phone_masked,
        "address": c.address,
        "unit_id": c.unit_id,
        "unit_name": c.unit.name,
        "account_manager_id": c.account_manager_id,
        "account_manager_name": c.account_manager.name if c.account_manager_id else None,
        "business_format": c.business_format,
        "business_format_display": str(c.get_business_format_display()),
        "market": c.market,
        "size": c.size,
        "code": c.code,
        "tier": c.tier,
        "credit_grade": c.credit_grade,
        "segments": c.segments,
        "needs": c.needs,
        "modern_terminal": c.modern_terminal,
        "vulnerable": c.vulnerable,
        "strong_operator": c.strong_operator,
        "prime_location": c.prime_location,
        "elderly": c.elderly,
        "disabled": c.disabled,
        "ill": c.ill,
        "birthday": c.birthday,
        "birthday_is_lunar": c.birthday_is_lunar,
        "licence_expires_on": c.licence_expires_on,
        "is_active": c.is_active,
    }


def _customers_out(customers) -> list[dict]:
    return [_customer_out(c) for c in customers]


RELATED = ("unit", "account_manager")


def _save(request, customer: RetailCustomer, payload: CustomerIn, *, action: str):
    """Validate with the web form, save through the service, and stay inside the scope."""
    actor = request.auth
    sent = payload.model_dump(exclude_unset=True)
    updating = customer.pk is not None
    form = CustomerForm(form_data(customer, CustomerForm, sent), instance=customer, actor=actor)
    if updating:
        only_sent_fields(form, sent)
    form.is_valid()
    raise_form_errors((form, ""))
    try:
        with transaction.atomic():
            saved = services.customer_save(actor=actor, customer=form.save(commit=False))
            if not RetailCustomer.objects.restrict(actor, action).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("保存后的客户不在您的权限范围内，请检查所属县局/片区"))
    except ValidationError as exc:
        add_model_errors(exc, form)
        raise_form_errors((form, ""))
        raise
    except PermissionDenied as exc:
        raise PayloadInvalid({"__all__": [str(exc)]}) from exc
    return saved


def _detail(actor, pk: int) -> dict:
    customer = get_restricted_or_404(
        RetailCustomer.objects.select_related(*RELATED), actor, "view", pk=pk
    )
    return _customer_out(customer)


@router.get("/customers", response=CustomerPage, summary="零售客户列表")
def customer_list(request, filters: Query[CustomerFilters]):
    unit = None
    if filters.unit is not None:
        unit = Unit.objects.restrict(request.auth, "view").filter(pk=filters.unit).first()
        if unit is None:
            return page(RetailCustomer.objects.none(), filters, _customers_out)
    customers = (
        selectors.customer_list(
            request.auth,
            query=filters.q,
            unit=unit,
            business_format=filters.business_format,
            segment=filters.segment,
        )
        .select_related(*RELATED)
        .order_by("licence_no")
    )
    return page(customers, filters, _customers_out)


@router.get(
    "/customers/{customer_id}", response={200: CustomerOut, 404: ErrorOut}, summary="零售客户详情"
)
def customer_detail(request, customer_id: int):
    return _detail(request.auth, customer_id)


@router.post("/customers", response={201: CustomerOut, **WRITE_ERRORS}, summary="新增零售客户")
def customer_create(request, payload: CustomerIn):
    if not user_can(request.auth, "add", RetailCustomer):
        raise PermissionDenied(_("您无权新增零售客户"))
    saved = _save(request, RetailCustomer(), payload, action="add")
    return Status(201, _detail(request.auth, saved.pk))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **WRITE_ERRORS},
    summary="修改零售客户",
)
def customer_update(request, customer_id: int, payload: CustomerIn):
    customer = get_restricted_or_404(RetailCustomer, request.auth, "change", pk=customer_id)
    saved = _save(request, customer, payload, action="change")
    return _detail(request.auth, saved.pk)


@router.post(
    "/customers/{customer_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="显示联系电话明文（记入访问日志）",
)
def customer_reveal(request, customer_id: int, payload: RevealIn):
    return reveal(request, RetailCustomer, customer_id, payload.field)
