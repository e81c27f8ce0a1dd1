"""API: the dues calculator and the scoped ledger."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, PayloadInvalid, page
from dangjian.platform.scoping import user_can

from . import rules
from .models import DuesPayment

router = Router(tags=["党费"])


class CalculatorOut(Schema):
    amount: str = Field(description="每月应交党费（元，两位小数）")
    rule: str = Field(description="适用的规定及档次")
    category: str
    base: str


@router.get(
    "/dues/calculator",
    response={200: CalculatorOut, 422: ErrorOut},
    summary="党费计算器",
    description="按 RULES §3 计算每月党费。base：月收入基数（元）；category："
    "employed 在职 / retired 离退休 / student 学生 / farmer 农民 / relief 下岗失业、低保。",
)
def calculator(request, base: str | None = None, category: str | None = None):
    # Parameters are read as text so «三千», «-1» or a missing value get our own message.
    errors: dict[str, list[str]] = {}
    amount = None
    try:
        amount = rules.parse_base(base)
    except rules.DuesInputError as exc:
        errors["base"] = [_("参数 base（月收入基数）：%(m)s") % {"m": exc}]
    if not category:
        errors["category"] = [_("参数 category（党员类别）：请填写")]
    elif category not in rules.CALCULATOR_CATEGORIES:
        errors["category"] = [
            _("参数 category（党员类别）：未知的类别“%(c)s”，可选 %(all)s")
            % {"c": category, "all": " / ".join(rules.CALCULATOR_CATEGORIES)}
        ]
    if errors:
        raise PayloadInvalid(errors)
    result = rules.compute_dues(amount, category)
    return {
        "amount": f"{result.amount:.2f}",
        "rule": result.rule,
        "category": category,
        "base": f"{amount:.2f}",
    }


class LedgerFilters(PageParams):
    person: int | None = Field(None, description="党员（人员 id）")
    branch: int | None = Field(None, description="支部 id")
    year: int | None = Field(None, ge=2000, le=2100, description="年度")


class PaymentOut(Schema):
    id: int
    person_id: int
    person_name: str
    branch_id: int | None
    month: dt.date
    due: str
    amount: str
    paid_on: dt.date
    method: str
    proxy_name: str = Field(description="代缴人（空：本人交纳）")
    quarterly: bool
    back_payment_decision_id: int | None


class PaymentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PaymentOut]


def _out(rows) -> list[dict]:
    return [
        {
            "id": p.pk,
            "person_id": p.person_id,
            "person_name": p.person.name,
            "branch_id": getattr(getattr(p.person, "membership", None), "branch_id", None),
            "month": p.month,
            "due": f"{p.due:.2f}",
            "amount": f"{p.amount:.2f}",
            "paid_on": p.paid_on,
            "method": p.method,
            "proxy_name": p.proxy_name,
            "quarterly": p.quarterly_consent_id is not None,
            "back_payment_decision_id": p.decision_id,
        }
        for p in rows
    ]


@router.get("/dues/payments", response=PaymentPage, summary="党费交纳记录（按权限范围）")
def payments(request, filters: Query[LedgerFilters]):
    actor = request.auth
    qs = (
        DuesPayment.objects.restrict(actor, "view")
        if user_can(actor, "view", DuesPayment)
        else (DuesPayment.objects.none())
    )
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.branch:
        qs = qs.filter(person__membership__branch_id=filters.branch)
    if filters.year:
        qs = qs.filter(month__year=filters.year)
    qs = qs.select_related("person", "person__membership").order_by("person_id", "month")
    return page(qs, filters, _out)
