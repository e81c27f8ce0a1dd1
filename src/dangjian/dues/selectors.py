"""Reads of the dues ledger.

The due of a member-month is never stored as truth: it is computed from the base in force
that month (``DuesBase``) and the rule values of that date (rulebook), so a payment row's
``due`` is only the snapshot taken when it was recorded. Lists load bases and payments of all
members at once (one query each) and compute in memory — no per-member queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.scoping import grants_for, model_label, user_can
from dangjian.rulebook.selectors import RuleBook

from . import rules
from .models import ArrearsFlag, DuesBase, DuesPayment, ExtraPayment

RULE_KEYS = (
    "dues.brackets.employed",
    "dues.brackets.retired",
    "dues.fixed.student",
    "dues.fixed.relief",
)

# Month states in a ledger.
PAID, UNPAID, EXEMPT, UNDERPAID, OPEN, NO_BASE, OUTSIDE = (
    "paid",
    "unpaid",
    "exempt",
    "underpaid",
    "open",  # the current month or later, not paid yet: not in arrears
    "no_base",
    "outside",  # before the member's first due month
)


def current_month(today: dt.date | None = None) -> dt.date:
    return rules.month_start(today or timezone.localdate())


class DueCalculator:
    """Computes dues of member-months from loaded bases, with the rule book loaded once."""

    def __init__(self, book: RuleBook | None = None):
        self.book = book or RuleBook.load()
        self._values: dict[tuple[dt.date, int | None], dict] = {}

    def values(self, month: dt.date, org: PartyOrg | None) -> dict:
        key = (month, getattr(org, "pk", None))
        if key not in self._values:
            self._values[key] = {k: self.book.value(k, on=month, org=org) for k in RULE_KEYS}
        return self._values[key]

    @staticmethod
    def base_for(bases: list[DuesBase], month: dt.date) -> DuesBase | None:
        """The base in force in ``month``: bases sorted by effective month, ascending."""
        found = None
        for base in bases:
            if base.effective_month <= month:
                found = base
            else:
                break
        return found

    def due(self, bases: list[DuesBase], month: dt.date, org=None) -> Decimal | None:
        base = self.base_for(bases, month)
        if base is None:
            return None
        return base.computation(self.values(month, org)).amount


def first_due_month(membership: Membership | None, bases: list[DuesBase]) -> dt.date | None:
    """The first month a member owes dues in this ledger: from the month the 支部大会
    accepted him (``joined_on``) and not before his first recorded base."""
    if membership is None or not bases:
        return None
    return max(rules.month_start(membership.joined_on), bases[0].effective_month)


@dataclass
class MonthCell:
    month: dt.date
    state: str
    due: Decimal | None = None
    payment: DuesPayment | None = None

    @property
    def paid(self) -> Decimal | None:
        return self.payment.amount if self.payment else None

    @property
    def settled(self) -> bool:
        return self.state in (PAID, EXEMPT, OUTSIDE)


@dataclass
class MemberLedger:
    person: Person
    membership: Membership | None
    bases: list[DuesBase]
    cells: list[MonthCell] = field(default_factory=list)
    start: dt.date | None = None

    @property
    def due_total(self) -> Decimal:
        return sum((c.due for c in self.cells if c.due and c.state != OUTSIDE), Decimal("0.00"))

    @property
    def paid_total(self) -> Decimal:
        return sum((c.paid for c in self.cells if c.paid), Decimal("0.00"))

    @property
    def arrears(self) -> list[MonthCell]:
        return [c for c in self.cells if c.state in (UNPAID, UNDERPAID)]

    @property
    def arrears_total(self) -> Decimal:
        return sum(((c.due or 0) - (c.paid or 0) for c in self.arrears), Decimal("0.00"))

    @property
    def current_base(self) -> DuesBase | None:
        return self.bases[-1] if self.bases else None

    @property
    def trailing_unpaid(self) -> tuple[int, dt.date | None]:
        closed = [c for c in self.cells if c.state not in (OPEN, OUTSIDE)]
        by_month = {c.month: c for c in closed}
        return rules.trailing_unpaid_run([c.month for c in closed], lambda m: by_month[m].settled)


def _cell(month, *, start, due, payment, this_month) -> MonthCell:
    if start is None or month < start:
        return MonthCell(month, OUTSIDE, payment=payment)
    if due is None:
        return MonthCell(month, NO_BASE, payment=payment)
    if payment is not None:
        state = PAID if payment.amount >= due else UNDERPAID
        return MonthCell(month, state, due, payment)
    if due == 0:
        return MonthCell(month, EXEMPT, due)
    return MonthCell(month, OPEN if month >= this_month else UNPAID, due)


def build_ledgers(
    people: list[Person],
    months: list[dt.date],
    *,
    calculator: DueCalculator | None = None,
    today: dt.date | None = None,
) -> list[MemberLedger]:
    """Ledgers of ``people`` over ``months`` in three queries (memberships come with people
    through select_related; bases; payments of those months)."""
    calculator = calculator or DueCalculator()
    this_month = current_month(today)
    ids = [p.pk for p in people]
    bases: dict[int, list[DuesBase]] = defaultdict(list)
    for base in DuesBase.objects.filter(person_id__in=ids).order_by("effective_month"):
        bases[base.person_id].append(base)
    payments: dict[tuple[int, dt.date], DuesPayment] = {}
    if months:
        for payment in DuesPayment.objects.filter(
            person_id__in=ids, month__gte=months[0], month__lte=months[-1]
        ):
            payments[(payment.person_id, payment.month)] = payment
    ledgers = []
    for person in people:
        membership = getattr(person, "membership", None)
        own_bases = bases.get(person.pk, [])
        start = first_due_month(membership, own_bases)
        org = membership.branch if membership else None
        ledger = MemberLedger(person, membership, own_bases, start=start)
        for month in months:
            due = calculator.due(own_bases, month, org) if start and month >= start else None
            ledger.cells.append(
                _cell(
                    month,
                    start=start,
                    due=due,
                    payment=payments.get((person.pk, month)),
                    this_month=this_month,
                )
            )
        ledgers.append(ledger)
    return ledgers


def _people_with_membership(qs):
    return qs.select_related("membership", "membership__branch").order_by("name_pinyin", "pk")


# ------------------------------------------------------------------- for other apps


def dues_paid_through(person: Person, *, today: dt.date | None = None) -> dt.date | None:
    """The first day of the last month up to which the member's dues are fully paid without
    a gap (for the transfer letter's 「党费交至」), or None when not even the first due month
    is paid. Exempt months (approved amount 0) count as settled up to the current month;
    months paid ahead (按季) count too. A system read: the caller has already checked that
    its actor may see the person.
    """
    membership = Membership.objects.filter(person_id=person.pk).select_related("branch").first()
    bases = list(DuesBase.objects.filter(person_id=person.pk).order_by("effective_month"))
    start = first_due_month(membership, bases)
    if start is None:
        return None
    paid = dict(
        DuesPayment.objects.filter(person_id=person.pk, month__gte=start).values_list(
            "month", "amount"
        )
    )
    this_month = current_month(today)
    end = max([this_month, *paid.keys()])
    calculator = DueCalculator()
    through = None
    for month in rules.month_range(start, end):
        due = calculator.due(bases, month, membership.branch)
        amount = paid.get(month)
        if (
            amount is not None
            and due is not None
            and amount >= due
            or due == 0
            and month <= this_month
        ):
            through = month
        else:
            break
    return through


# ------------------------------------------------------------------- scoped reads


def visible_members(actor, *, branch: PartyOrg | None = None):
    """People with a membership whose dues ``actor`` may see (optionally of one branch).

    Dues rows hang on the same path as the member (his branch, or himself for own-only
    roles), so the member's own scoping decides, once the role may read dues at all."""
    if not user_can(actor, "view", DuesBase):
        return Person.objects.none()
    qs = Person.objects.restrict(actor, "view").filter(membership__isnull=False)
    if branch is not None:
        qs = qs.filter(membership__branch=branch)
    return qs


def member_ledger(
    actor, person: Person, *, year: int, today: dt.date | None = None
) -> MemberLedger:
    """One member's ledger for ``year`` (the caller got ``person`` through restrict)."""
    months = rules.month_range(dt.date(year, 1, 1), dt.date(year, 12, 1))
    person = _people_with_membership(Person.objects.filter(pk=person.pk)).get()
    return build_ledgers([person], months, today=today)[0]


def member_payments(actor, person: Person):
    return (
        DuesPayment.objects.restrict(actor, "view")
        .filter(person=person)
        .select_related("recorded_by", "decision", "quarterly_consent")
        .order_by("-month")
    )


def member_extras(actor, person: Person):
    return ExtraPayment.objects.restrict(actor, "view").filter(person=person).order_by("-paid_on")


def member_bases(actor, person: Person):
    return (
        DuesBase.objects.restrict(actor, "view").filter(person=person).order_by("-effective_month")
    )


def branch_ledger(
    actor, branch: PartyOrg, *, year: int, today: dt.date | None = None
) -> list[MemberLedger]:
    """The branch's ledger for ``year``: its current members × 12 months."""
    people = list(_people_with_membership(visible_members(actor, branch=branch)))
    months = rules.month_range(dt.date(year, 1, 1), dt.date(year, 12, 1))
    return build_ledgers(people, months, today=today)


def branch_month_rows(
    actor, branch: PartyOrg, month: dt.date, *, today: dt.date | None = None
) -> list[MemberLedger]:
    """One month of a branch for bulk entry: one ledger with one cell per member."""
    people = list(_people_with_membership(visible_members(actor, branch=branch)))
    return build_ledgers(people, [month], today=today)


ARREARS_WINDOW_MONTHS = 24


def branch_arrears(actor, branch: PartyOrg, *, today: dt.date | None = None) -> list[MemberLedger]:
    """Members of ``branch`` with unpaid closed months in the last two years, most behind
    first."""
    this_month = current_month(today)
    months = rules.month_range(rules.add_months(this_month, -ARREARS_WINDOW_MONTHS), this_month)
    people = list(_people_with_membership(visible_members(actor, branch=branch)))
    ledgers = [lg for lg in build_ledgers(people, months, today=today) if lg.arrears]
    ledgers.sort(key=lambda lg: (-lg.trailing_unpaid[0], -len(lg.arrears), lg.person.name_pinyin))
    return ledgers


def company_arrears(actor, *, today: dt.date | None = None) -> list[dict]:
    """Per visible branch: members, members not paid for the last closed month, open
    flags. Aggregated in SQL (one GROUP BY) for thousands of branches.

    A member is behind when his latest base up to the last closed month exists and is not a
    hardship exemption (approved 0 元), and he has no payment for that month or later. Each
    condition is an uncorrelated ``IN (…)`` that PostgreSQL hashes once, instead of one
    correlated lookup per member (50 000 members: ~50 ms instead of seconds).
    """
    last_closed = rules.add_months(current_month(today), -1)
    based = DuesBase.objects.filter(effective_month__lte=last_closed).values("person_id")
    later_base = DuesBase.objects.filter(
        person_id=OuterRef("person_id"),
        effective_month__gt=OuterRef("effective_month"),
        effective_month__lte=last_closed,
    )
    exempt = (
        DuesBase.objects.filter(
            category=rules.HARDSHIP, approved_amount=0, effective_month__lte=last_closed
        )
        .exclude(Exists(later_base))
        .values("person_id")
    )
    paid = DuesPayment.objects.filter(month__gte=last_closed).values("person_id")
    visible_people = Person.objects.restrict(actor, "view").values("pk")
    counts = {
        row["branch_id"]: row
        for row in Membership.objects.filter(person__in=visible_people)
        .values("branch_id")  # grouped by the id alone: names and paths joined below
        .annotate(
            members=Count("pk"),
            behind=Count(
                "pk",
                filter=Q(person_id__in=based) & ~Q(person_id__in=exempt) & ~Q(person_id__in=paid),
            ),
        )
        .order_by()
    }
    rows = [
        {"branch_id": pk, "branch__name": name, "branch__path": path, **counts[pk]}
        for pk, name, path in PartyOrg.objects.filter(pk__in=list(counts))
        .order_by("path")
        .values_list("pk", "name", "path")
    ]
    flags = dict(
        ArrearsFlag.objects.restrict(actor, "view")
        .filter(resolved_on__isnull=True)
        .values("person__membership__branch_id")
        .annotate(n=Count("pk"))
        .values_list("person__membership__branch_id", "n")
    )
    result = []
    for row in rows:
        row["flags"] = flags.get(row["branch_id"], 0)
        result.append(row)
    return result


def open_flags(actor, *, branch: PartyOrg | None = None):
    qs = (
        ArrearsFlag.objects.restrict(actor, "view")
        .filter(resolved_on__isnull=True)
        .select_related("person", "person__membership__branch")
        .order_by("-months", "person__name_pinyin")
    )
    if branch is not None:
        qs = qs.filter(person__membership__branch=branch)
    return qs


def sees_branch_dues(actor, action: str = "view") -> bool:
    """Whether ``actor`` may ``action`` dues of whole branches (not only his own)."""
    if getattr(actor, "is_superuser", False):
        return True
    label = model_label(DuesPayment)
    return any(g.allows(label, action) and label not in g.own_only for g in grants_for(actor))


def visible_branches(actor):
    """Branches whose dues ``actor`` may see (for the branch pickers)."""
    return (
        PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH).order_by("path")
    )


def member_corrections(actor, person: Person):
    """Corrections of ``person``'s recorded payments ``actor`` may see, newest first."""
    from .models import DuesCorrection

    return (
        DuesCorrection.objects.restrict(actor, "view")
        .filter(person=person)
        .select_related("corrected_by", "reversed_recorded_by")
        .order_by("-corrected_at", "-pk")
    )
