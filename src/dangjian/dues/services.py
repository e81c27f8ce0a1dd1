"""Writes to the dues ledger: one transaction each, checked against RULES §3, audited.

Refusals are ``ValidationError``s keyed by the form field they concern, with a message that
cites the rule where a rule is the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import user_can
from dangjian.rulebook.selectors import RuleBook, applied_rule

from . import rules
from .models import (
    ArrearsFlag,
    BackPaymentDecision,
    Category,
    DuesBase,
    DuesCorrection,
    DuesPayment,
    ExtraPayment,
    Method,
    QuarterlyConsent,
)
from .selectors import DueCalculator, current_month, first_due_month


def _ym(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _person_for(actor, person: Person, action: str, model=DuesPayment) -> Person:
    """The person, if ``actor`` may ``action`` his dues records; PermissionDenied otherwise."""
    if not user_can(actor, action, model):
        raise PermissionDenied(_("您没有登记党费的权限"))
    found = (
        Person.objects.restrict(actor, "view")
        .filter(pk=person.pk, membership__isnull=False)
        .select_related("membership", "membership__branch")
        .first()
    )
    if found is None:
        raise PermissionDenied(_("该党员不在您的权限范围内"))
    return found


def _money(value, field: str, label: str) -> Decimal:
    try:
        return rules.parse_base(value)
    except rules.DuesInputError as exc:
        raise ValidationError({field: f"{label}：{exc}"}) from None


# ------------------------------------------------------------------------ bases


@transaction.atomic
def dues_base_add(
    *,
    actor,
    person: Person,
    effective_month: dt.date,
    category: str,
    amount,
    approved_amount=None,
    branch_agreed_on: dt.date | None = None,
    committee_approval: str = "",
    committee_approved_on: dt.date | None = None,
    note: str = "",
) -> DuesBase:
    """Record a member's new dues base from ``effective_month`` on.

    Hardship (少交或免交) needs the branch's agreement and the higher committee's approval on
    record; a farmer's amount must lie in the farmer range. A base cannot start in a month
    already paid (the paid months were settled under the old base).
    """
    person = _person_for(actor, person, "add", DuesBase)
    month = rules.month_start(effective_month)
    amount = _money(amount, "amount", _("交纳基数"))
    if category not in Category.values:
        raise ValidationError({"category": _("未知的党员类别")})
    approved = None
    if approved_amount not in (None, ""):
        approved = _money(approved_amount, "approved_amount", _("核定月交金额"))
    errors = {}
    if category == Category.HARDSHIP:
        if approved is None:
            errors["approved_amount"] = _("生活困难党员须填写批准后的月交金额（免交填 0）")
        if not branch_agreed_on:
            errors["branch_agreed_on"] = _("少交或免交须经支部同意，请填写支部同意日期")
        if not committee_approval.strip() or not committee_approved_on:
            errors["committee_approval"] = _("少交或免交须报上级党委批准，请填写批准文号及日期")
    elif category != Category.FARMER and approved is not None:
        errors["approved_amount"] = _("只有农民党员和生活困难党员填写核定月交金额")
    if errors:
        raise ValidationError(errors)
    base = DuesBase(
        person=person,
        effective_month=month,
        category=category,
        amount=amount,
        approved_amount=approved,
        branch_agreed_on=branch_agreed_on,
        committee_approval=committee_approval.strip(),
        committee_approved_on=committee_approved_on,
        note=note.strip(),
        created_by=actor,
    )
    try:
        due = base.computation().amount
    except rules.DuesInputError as exc:
        raise ValidationError({"approved_amount": str(exc)}) from None
    if DuesBase.objects.filter(person=person, effective_month=month).exists():
        raise ValidationError(
            {"effective_month": _("%(m)s 已有基数记录，请选择其他起始月份") % {"m": _ym(month)}}
        )
    paid_after = (
        DuesPayment.objects.filter(person=person, month__gte=month).order_by("-month").first()
    )
    if paid_after is not None:
        raise ValidationError(
            {
                "effective_month": _("%(m)s 的党费已按原基数交纳，新基数只能从 %(next)s 起执行")
                % {"m": _ym(paid_after.month), "next": _ym(rules.add_months(paid_after.month, 1))}
            }
        )
    base.save()
    record_event(
        actor=actor,
        verb="dues.base_add",
        target=base,
        summary=f"{person} {_ym(month)} {base.get_category_display()} {amount} → {due}",
        data={"amount": str(amount), "category": category, "due": str(due)},
    )
    return base


# ------------------------------------------------------------------------ payments


@dataclass
class PaymentCheck:
    """What a payment for a member-month was checked against (shared by single and bulk)."""

    person: Person
    month: dt.date
    due: Decimal
    consent: QuarterlyConsent | None
    decision: BackPaymentDecision | None


def _check_payment(
    *,
    person: Person,
    month: dt.date,
    amount: Decimal,
    paid_on: dt.date,
    today: dt.date,
    calculator: DueCalculator,
    bases: list[DuesBase],
    existing: set[dt.date],
    consents: list[QuarterlyConsent],
    decisions: list[BackPaymentDecision],
) -> PaymentCheck:
    membership: Membership = person.membership
    branch = membership.branch
    if paid_on > today:
        raise ValidationError({"paid_on": _("交纳日期不能晚于今天")})
    joined = rules.month_start(membership.joined_on)
    if month < joined:
        raise ValidationError(
            {
                "month": _(
                    "%(m)s 早于入党（支部大会接收）的月份 %(j)s，无须交纳；预备党员从支部大会通过之月起交纳党费"
                )
                % {"m": _ym(month), "j": _ym(joined)}
            }
        )
    start = first_due_month(membership, bases)
    due = calculator.due(bases, month, branch) if start and month >= start else None
    if due is None:
        raise ValidationError(
            {"month": _("%(m)s 没有核定的党费基数，请先登记基数") % {"m": _ym(month)}}
        )
    if month in existing:
        raise ValidationError(
            {"month": _("%(m)s 的党费已经登记交纳，不能重复交纳") % {"m": _ym(month)}}
        )
    if due == 0:
        raise ValidationError({"month": _("%(m)s 经批准免交党费，无须登记") % {"m": _ym(month)}})
    if amount < due:
        raise ValidationError(
            {"amount": _("实交 %(a)s 元少于应交 %(d)s 元") % {"a": amount, "d": due}}
        )
    if amount > due:
        raise ValidationError(
            {
                "amount": _("实交 %(a)s 元多于应交 %(d)s 元：超出部分请登记为自愿多交党费")
                % {"a": amount, "d": due}
            }
        )
    consent = None
    paid_month = rules.month_start(paid_on)
    if month > paid_month:
        consent = next((c for c in consents if c.agreed_on <= paid_on), None)
        if consent is None or month > rules.quarter_end(paid_month):
            rule = applied_rule("dues.back_payment_max_months", on=paid_on, org=branch)
            raise ValidationError(
                {
                    "month": _(
                        "党费按月交纳，经支部同意可按季度交纳（只能预交本季度）；%(m)s 尚未到期。依据：%(c)s"
                    )
                    % {"m": _ym(month), "c": rule.source_document}
                }
            )
    decision = None
    rule = applied_rule("dues.back_payment_max_months", on=paid_on, org=branch)
    if rules.needs_back_payment_decision(month, paid_on, rule.value):
        decision = next((d for d in decisions if d.covers(month)), None)
        if decision is None:
            raise ValidationError(
                {
                    "month": _(
                        "%(m)s 的党费已欠交 %(n)s 个月，超过补交期限 %(max)s 个月，须先登记支部的补交决定。依据：%(c)s"
                    )
                    % {
                        "m": _ym(month),
                        "n": rules.back_payment_months(month, paid_on),
                        "max": rule.value,
                        "c": rule.citation,
                    }
                }
            )
    return PaymentCheck(person, month, due, consent, decision)


def _payment_context(people: list[Person]):
    ids = [p.pk for p in people]
    bases, existing, consents, decisions = (
        defaultdict(list),
        defaultdict(set),
        defaultdict(list),
        defaultdict(list),
    )
    for base in DuesBase.objects.filter(person_id__in=ids).order_by("effective_month"):
        bases[base.person_id].append(base)
    for pid, month in DuesPayment.objects.filter(person_id__in=ids).values_list(
        "person_id", "month"
    ):
        existing[pid].add(month)
    for consent in QuarterlyConsent.objects.filter(person_id__in=ids).order_by("-agreed_on"):
        consents[consent.person_id].append(consent)
    for decision in BackPaymentDecision.objects.filter(person_id__in=ids):
        decisions[decision.person_id].append(decision)
    return bases, existing, consents, decisions


def _write_payment(*, actor, check: PaymentCheck, amount, paid_on, method, proxy_name, note):
    if method not in Method.values:
        raise ValidationError({"method": _("请选择交纳方式")})
    payment = DuesPayment.objects.create(
        person=check.person,
        month=check.month,
        due=check.due,
        amount=amount,
        paid_on=paid_on,
        method=method,
        proxy_name=(proxy_name or "").strip(),
        quarterly_consent=check.consent,
        decision=check.decision,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    summary = f"{check.person} {_ym(check.month)} {amount}"
    if payment.proxy_name:
        summary += _("（%(name)s 代缴）") % {"name": payment.proxy_name}
    record_event(
        actor=actor,
        verb="dues.payment_add",
        target=payment,
        summary=summary,
        data={"month": check.month.isoformat(), "amount": str(amount), "proxy": payment.proxy_name},
    )
    return payment


@transaction.atomic
def dues_payment_add(
    *,
    actor,
    person: Person,
    month: dt.date,
    amount,
    paid_on: dt.date,
    method: str,
    proxy_name: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> DuesPayment:
    """Record the dues of one member-month (paid by the member or by ``proxy_name``, 代缴).

    Refused: a month before the member joined or without a base, a month already paid, an
    amount other than the due, a future month without the branch's quarterly consent (or
    beyond the current quarter), a month older than the back-payment limit without a
    recorded branch decision.
    """
    person = _person_for(actor, person, "add")
    amount = _money(amount, "amount", _("实交金额"))
    if amount <= 0:
        raise ValidationError({"amount": _("实交金额必须大于 0")})
    bases, existing, consents, decisions = _payment_context([person])
    check = _check_payment(
        person=person,
        month=rules.month_start(month),
        amount=amount,
        paid_on=paid_on,
        today=today or timezone.localdate(),
        calculator=DueCalculator(),
        bases=bases[person.pk],
        existing=existing[person.pk],
        consents=consents[person.pk],
        decisions=decisions[person.pk],
    )
    return _write_payment(
        actor=actor,
        check=check,
        amount=amount,
        paid_on=paid_on,
        method=method,
        proxy_name=proxy_name,
        note=note,
    )


@transaction.atomic
def dues_payment_correct(
    *,
    actor,
    payment: DuesPayment,
    reason: str,
    reverse_only: bool = False,
    month: dt.date | None = None,
    amount=None,
    paid_on: dt.date | None = None,
    method: str = "",
    proxy_name: str = "",
    today: dt.date | None = None,
) -> DuesCorrection:
    """Correct a recorded payment: reverse it and (unless ``reverse_only``) record the right
    one in its place — as a new entry with a reason, never an edit of the old row.

    The new payment passes the same checks as any payment (the due of its month, the
    back-payment limit, quarterly consent); the reversed values stay in the correction.
    Only those who may change the member's ledger (branch secretary / committee, office).
    """
    if not DuesPayment.objects.restrict(actor, "change").filter(pk=payment.pk).exists():
        raise PermissionDenied(_("您没有更正该党员党费记录的权限"))
    payment = DuesPayment.objects.select_for_update().get(pk=payment.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因")})
    person = _person_for(actor, payment.person, "add")
    correction = DuesCorrection(
        person=person,
        reason=reason,
        reversed_month=payment.month,
        reversed_due=payment.due,
        reversed_amount=payment.amount,
        reversed_paid_on=payment.paid_on,
        reversed_method=payment.method,
        reversed_proxy_name=payment.proxy_name,
        reversed_recorded_by=payment.recorded_by,
        reversed_recorded_at=payment.recorded_at,
        corrected_by=actor,
    )
    new_payment = None
    if not reverse_only:
        month = rules.month_start(month or payment.month)
        amount = _money(amount, "amount", _("实交金额"))
        if amount <= 0:
            raise ValidationError({"amount": _("实交金额必须大于 0")})
        if paid_on is None:
            raise ValidationError({"paid_on": _("请填写交纳日期")})
        proxy_name = (proxy_name or "").strip()
        unchanged = (month, amount, paid_on, method, proxy_name) == (
            payment.month,
            payment.amount,
            payment.paid_on,
            payment.method,
            payment.proxy_name,
        )
        if unchanged:
            raise ValidationError(_("更正后的内容与原记录相同，没有需要更正的地方"))
        bases, existing, consents, decisions = _payment_context([person])
        check = _check_payment(
            person=person,
            month=month,
            amount=amount,
            paid_on=paid_on,
            today=today or timezone.localdate(),
            calculator=DueCalculator(),
            bases=bases[person.pk],
            existing=existing[person.pk] - {payment.month},  # the reversed row makes room
            consents=consents[person.pk],
            decisions=decisions[person.pk],
        )
    payment.delete()
    if not reverse_only:
        new_payment = _write_payment(
            actor=actor,
            check=check,
            amount=amount,
            paid_on=paid_on,
            method=method,
            proxy_name=proxy_name,
            note=_("更正：%(r)s") % {"r": reason[:180]},
        )
        correction.new_month = new_payment.month
        correction.new_amount = new_payment.amount
        correction.new_paid_on = new_payment.paid_on
        correction.new_method = new_payment.method
        correction.new_proxy_name = new_payment.proxy_name
    correction.save()
    summary = _("%(p)s %(m)s 原登记 %(a)s 元已冲销") % {
        "p": person,
        "m": _ym(correction.reversed_month),
        "a": correction.reversed_amount,
    }
    if new_payment is not None:
        summary += _("，更正为 %(m)s %(a)s 元") % {
            "m": _ym(new_payment.month),
            "a": new_payment.amount,
        }
    record_event(
        actor=actor,
        verb="dues.payment_correct",
        target=correction,
        summary=f"{summary}；{reason}",
        data={
            "reversed": {
                "month": correction.reversed_month.isoformat(),
                "amount": str(correction.reversed_amount),
                "paid_on": correction.reversed_paid_on.isoformat(),
                "method": correction.reversed_method,
                "proxy": correction.reversed_proxy_name,
            },
            "new": None
            if new_payment is None
            else {
                "month": new_payment.month.isoformat(),
                "amount": str(new_payment.amount),
                "paid_on": new_payment.paid_on.isoformat(),
                "method": new_payment.method,
                "proxy": new_payment.proxy_name,
            },
            "reason": reason,
        },
    )
    return correction


class BulkRejected(Exception):
    """Bulk entry refused: ``errors`` maps a person id to its row's messages."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__(_("有 %(n)s 行未通过检查，全部未保存") % {"n": len(errors)})
        self.errors = errors


@dataclass
class BulkRow:
    person: Person
    amount: object
    paid_on: dt.date
    method: str
    proxy_name: str = ""


@transaction.atomic
def dues_payments_bulk(
    *, actor, branch: PartyOrg, month: dt.date, rows: list[BulkRow], today: dt.date | None = None
) -> list[DuesPayment]:
    """Record a branch's month in one go: every row is checked, and all are saved or none."""
    month = rules.month_start(month)
    today = today or timezone.localdate()
    people = []
    errors: dict[int, list[str]] = {}
    for row in rows:
        try:
            person = _person_for(actor, row.person, "add")
        except PermissionDenied as exc:
            errors[row.person.pk] = [str(exc)]
            continue
        if person.membership.branch_id != branch.pk:
            errors[row.person.pk] = [_("不是本支部党员")]
            continue
        people.append(person)
    bases, existing, consents, decisions = _payment_context(people)
    calculator = DueCalculator()
    checked = []
    by_id = {p.pk: p for p in people}
    for row in rows:
        person = by_id.get(row.person.pk)
        if person is None:
            continue
        try:
            amount = _money(row.amount, "amount", _("实交金额"))
            if amount <= 0:
                raise ValidationError({"amount": _("实交金额必须大于 0")})
            if row.method not in Method.values:
                raise ValidationError({"method": _("请选择交纳方式")})
            check = _check_payment(
                person=person,
                month=month,
                amount=amount,
                paid_on=row.paid_on,
                today=today,
                calculator=calculator,
                bases=bases[person.pk],
                existing=existing[person.pk],
                consents=consents[person.pk],
                decisions=decisions[person.pk],
            )
        except ValidationError as exc:
            errors[person.pk] = exc.messages
            continue
        checked.append((check, amount, row))
    if errors:
        raise BulkRejected(errors)
    return [
        _write_payment(
            actor=actor,
            check=check,
            amount=amount,
            paid_on=row.paid_on,
            method=row.method,
            proxy_name=row.proxy_name,
            note="",
        )
        for check, amount, row in checked
    ]


@transaction.atomic
def dues_extra_add(
    *, actor, person: Person, amount, paid_on: dt.date, method: str, note: str = ""
) -> ExtraPayment:
    """Record a voluntary payment beyond the dues (自愿多交), kept apart from the ledger."""
    person = _person_for(actor, person, "add", ExtraPayment)
    amount = _money(amount, "amount", _("金额"))
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于 0")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("交纳日期不能晚于今天")})
    if method not in Method.values:
        raise ValidationError({"method": _("请选择交纳方式")})
    extra = ExtraPayment.objects.create(
        person=person,
        amount=amount,
        paid_on=paid_on,
        method=method,
        note=note.strip(),
        recorded_by=actor,
    )
    record_event(actor=actor, verb="dues.extra_add", target=extra, summary=f"{person} {amount}")
    return extra


@transaction.atomic
def dues_consent_add(
    *, actor, person: Person, agreed_on: dt.date, decision: str
) -> QuarterlyConsent:
    """Record the branch's consent that ``person`` pays by the quarter."""
    person = _person_for(actor, person, "add", QuarterlyConsent)
    if not decision.strip():
        raise ValidationError({"decision": _("请填写支部决定（会议及日期）")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("同意日期不能晚于今天")})
    consent = QuarterlyConsent.objects.create(
        person=person, agreed_on=agreed_on, decision=decision.strip(), recorded_by=actor
    )
    record_event(actor=actor, verb="dues.consent_add", target=consent, summary=str(consent))
    return consent


@transaction.atomic
def dues_decision_add(
    *,
    actor,
    person: Person,
    first_month: dt.date,
    last_month: dt.date,
    decided_on: dt.date,
    decision: str,
) -> BackPaymentDecision:
    """Record the branch's decision allowing back payment of older months."""
    person = _person_for(actor, person, "add", BackPaymentDecision)
    first, last = rules.month_start(first_month), rules.month_start(last_month)
    if first > last:
        raise ValidationError({"last_month": _("截止月份不能早于起始月份")})
    if not decision.strip():
        raise ValidationError({"decision": _("请填写支部决定（会议、日期及理由）")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("决定日期不能晚于今天")})
    row = BackPaymentDecision.objects.create(
        person=person,
        first_month=first,
        last_month=last,
        decided_on=decided_on,
        decision=decision.strip(),
        recorded_by=actor,
    )
    record_event(actor=actor, verb="dues.decision_add", target=row, summary=str(row))
    return row


# ------------------------------------------------------------------------ arrears flags


def _secretaries(branch_ids) -> dict[int, list]:
    found = defaultdict(list)
    for grant in RoleGrant.objects.filter(
        role=Role.SECRETARY, party_org_id__in=list(branch_ids)
    ).select_related("user"):
        if grant.user.is_active:
            found[grant.party_org_id].append(grant.user)
    return found


def dues_arrears_scan(*, today: dt.date | None = None) -> dict:
    """Flag members with ``dues.arrears_flag_months`` consecutive closed months unpaid, and
    tell each branch's secretary once (a flag is notified when created, never again).

    Candidates are found in SQL (no payment in the last N closed months); each is then
    checked exactly (exempt months, months before joining, the branch's rule value).
    """
    today = today or timezone.localdate()
    this_month = current_month(today)
    last_closed = rules.add_months(this_month, -1)
    book = RuleBook.load()
    widest = max(
        [book.value("dues.arrears_flag_months", on=today)]
        + [r.value for r in book.versions("dues.arrears_flag_months") if r.value]
    )
    window_start = rules.add_months(this_month, -int(widest))
    recent = DuesPayment.objects.filter(month__gte=window_start, month__lte=last_closed)
    candidates = list(
        Person.objects.filter(
            membership__isnull=False,
            membership__standing=Membership.Standing.NORMAL,
            dues_bases__isnull=False,
        )
        .exclude(pk__in=recent.values("person_id"))
        .exclude(pk__in=ArrearsFlag.objects.filter(resolved_on__isnull=True).values("person_id"))
        .select_related("membership", "membership__branch")
        .distinct()
    )
    from .selectors import build_ledgers  # local: selectors imports nothing from here

    calculator = DueCalculator(book)
    months = rules.month_range(rules.add_months(this_month, -36), this_month)
    created = []
    for ledger in build_ledgers(candidates, months, calculator=calculator, today=today):
        branch = ledger.membership.branch
        limit = book.value("dues.arrears_flag_months", on=today, org=branch)
        run, first = ledger.trailing_unpaid
        if run >= limit:
            created.append(
                ArrearsFlag(
                    person=ledger.person, first_unpaid_month=first, months=run, flagged_on=today
                )
            )
    with transaction.atomic():
        ArrearsFlag.objects.bulk_create(created)
    by_branch = defaultdict(list)
    for flag in created:
        by_branch[flag.person.membership.branch].append(flag)
    secretaries = _secretaries(b.pk for b in by_branch)
    notified = 0
    for branch, flags in by_branch.items():
        users = secretaries.get(branch.pk, [])
        if users:
            names = "、".join(f"{f.person.name}（{f.months}个月）" for f in flags)
            notify(
                kind="notice",
                recipients=users,
                context={
                    "title": _("【党费】%(b)s 有党员连续未交党费") % {"b": branch.name},
                    "content": _(
                        "以下党员已连续六个月及以上未交纳党费，请支部研究处理（按规定无正当理由连续六个月不交纳党费的，按自行脱党处理程序提交支部研究）：%(names)s"
                    )
                    % {"names": names},
                },
            )
            notified += 1
        ArrearsFlag.objects.filter(pk__in=[f.pk for f in flags if f.pk]).update(
            notified_at=timezone.now()
        )
    return {"flagged": len(created), "branches_notified": notified}


@transaction.atomic
def arrears_flag_resolve(*, actor, flag: ArrearsFlag, resolution: str) -> ArrearsFlag:
    """Close a flag with the branch's conclusion (paid up, good reason, 自行脱党 procedure …)."""
    if (
        not user_can(actor, "change", ArrearsFlag)
        or not ArrearsFlag.objects.restrict(actor, "change").filter(pk=flag.pk).exists()
    ):
        raise PermissionDenied(_("该提示不在您的权限范围内"))
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写处理结果")})
    flag.resolution = resolution.strip()
    flag.resolved_on = timezone.localdate()
    flag.save(update_fields=["resolution", "resolved_on"])
    record_event(actor=actor, verb="dues.flag_resolve", target=flag, summary=flag.resolution)
    return flag
