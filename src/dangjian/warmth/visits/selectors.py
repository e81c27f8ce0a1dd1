"""Reads of 日常服务 within the actor's scope: visit lists (per customer, staff member, unit),
the due-visit list, overdue customers per market area, open follow-ups, 私人定制 coverage and
the "假如我是服务对象" discussions."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.customers.selectors import search_q as customer_search_q
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.scoping import grants_for, model_label

from .models import Discussion, TailoredServiceType, Visit, VisitKind, VisitPlan
from .rules import FALLBACK_EVERY_DAYS, PlanRule


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` rewritten onto a relation (``customer__``)."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            clone.children.append((prefix + key, value))
    return clone


def person_of(actor) -> Person | None:
    """The actor's own staff record (an account manager's), if any."""
    if not getattr(actor, "is_authenticated", False):
        return None
    cached = getattr(actor, "_visits_person", False)
    if cached is False:
        cached = Person.objects.filter(user=actor).first()
        actor._visits_person = cached
    return cached


# ----------------------------------------------------------------------------- visits


DISPLAY_RELATED = ("customer", "staff", "kind", "service_type", "unit")


def visit_list(
    actor,
    *,
    action: str = "view",
    query: str = "",
    customer: RetailCustomer | None = None,
    staff: Person | None = None,
    unit: Unit | None = None,
    kind: VisitKind | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    month: dt.date | None = None,
    follow_up: str = "",
    related: bool = True,
):
    """Visits the actor may see, newest first, filtered; each filter maps onto one of the
    indexes (customer, date), (staff, date), (unit, date). ``related=False`` leaves out the
    joins for display (a list counts and pages on the bare rows, then loads its page)."""
    visits = Visit.objects.restrict(actor, action)
    if related:
        visits = visits.select_related(*DISPLAY_RELATED)
    if customer is not None:
        visits = visits.filter(customer=customer)
    if staff is not None:
        visits = visits.filter(staff=staff)
    if unit is not None:
        if unit.kind == Unit.Kind.MARKET_AREA:
            visits = visits.filter(unit=unit)
        else:
            visits = visits.filter(unit__in=unit.subtree_ids())
    if kind is not None:
        visits = visits.filter(kind=kind)
    if month is not None:
        start = month.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        visits = visits.filter(visited_on__gte=start, visited_on__lt=end)
    if date_from is not None:
        visits = visits.filter(visited_on__gte=date_from)
    if date_to is not None:
        visits = visits.filter(visited_on__lte=date_to)
    if follow_up == "open":
        visits = visits.filter(follow_up_on__isnull=False, follow_up_done_on__isnull=True)
    elif follow_up == "done":
        visits = visits.filter(follow_up_done_on__isnull=False)
    if query:
        visits = visits.filter(_prefixed(customer_search_q(query), "customer__"))
    return visits


def open_follow_ups(actor, *, staff: Person | None = None, unit: Unit | None = None):
    """Follow-ups not done yet, the earliest first (the partial index serves a staff member's)."""
    visits = visit_list(actor, staff=staff, unit=unit, follow_up="open")
    return visits.order_by("follow_up_on", "pk")


def customers_in_reach(actor, action: str = "add"):
    """Customers for whom ``actor`` may ``action`` visits — the visit scope applied to the
    customer (the picker's queryset; ``visit_record`` checks the same)."""
    customers = RetailCustomer.objects.filter(is_active=True)
    if getattr(actor, "is_superuser", False):
        return customers
    label = model_label(Visit)
    condition = None
    for grant in grants_for(actor):
        if not grant.allows(label, action):
            continue
        if label in grant.own_only:
            part = Q(account_manager__user=actor)
        elif grant.tree == "unit":
            part = Q(unit__in=grant.subtree)
        else:
            part = Q(unit__party_orgs__in=grant.subtree)
        condition = part if condition is None else condition | part
    if condition is None:
        return customers.none()
    return customers.filter(pk__in=RetailCustomer.objects.filter(condition).values("pk"))


def staff_in_reach(actor):
    """People the actor may name as the one who made a visit: himself, and for the office
    the staff of the units he reaches."""
    from dangjian.platform.scoping import user_can

    own = Person.objects.filter(user=actor) if actor.is_authenticated else Person.objects.none()
    if user_can(actor, "view", Person) and user_can(actor, "change", Visit):
        reach = Person.objects.restrict(actor, "view").filter(left_on__isnull=True)
        return Person.objects.filter(Q(pk__in=reach.values("pk")) | Q(pk__in=own.values("pk")))
    return own


def managers_in_reach(actor):
    """Account managers of the customers the actor sees (the due list's manager filter)."""
    managed = RetailCustomer.objects.restrict(actor, "view").values("account_manager")
    return Person.objects.filter(pk__in=managed)


def units_in_reach(actor):
    """Units whose visits the actor sees (the unit filter's queryset)."""
    return Unit.objects.restrict(actor, "view").filter(
        kind__in=[Unit.Kind.COMPANY, Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA]
    )


# ------------------------------------------------------------------------- visit plans


def plan_rules() -> list[PlanRule]:
    return [
        PlanRule(p.every_days, p.tier_min, p.tier_max, p.segment)
        for p in VisitPlan.objects.filter(is_active=True).order_by("every_days", "pk")
    ]


def _plan_q(rule: PlanRule, prefix: str = "") -> Q:
    q = Q()
    if rule.tier_min is not None:
        q &= Q(**{f"{prefix}tier__gte": rule.tier_min})
    if rule.tier_max is not None:
        q &= Q(**{f"{prefix}tier__lte": rule.tier_max})
    if rule.segment:
        q &= Q(**{f"{prefix}{rule.segment}": True})
    return q


def _plan_branches(rules: list[PlanRule]):
    """(plans that can decide, the default interval): ascending by interval, so the first
    match is the smallest interval (``rules.visit_interval``). With a default plan, only
    shorter plans can beat it; without one, every plan matches first and the fallback is
    for customers no plan matches."""
    ordered = sorted(rules, key=lambda r: r.every_days)
    defaults = [r.every_days for r in ordered if r.is_default]
    default = min(defaults) if defaults else FALLBACK_EVERY_DAYS
    deciding = [r for r in ordered if not r.is_default and (not defaults or r.every_days < default)]
    return deciding, default


def interval_case(rules: list[PlanRule], prefix: str = ""):
    """SQL for ``rules.visit_interval``."""
    deciding, default = _plan_branches(rules)
    if not deciding:
        return Value(default, output_field=IntegerField())
    whens = [When(_plan_q(r, prefix), then=Value(r.every_days)) for r in deciding]
    return Case(*whens, default=Value(default), output_field=IntegerField())


def _threshold_case(rules: list[PlanRule], today: dt.date, within_days: int):
    """The latest last-visit date that makes a customer due (per matching plan): constants,
    so the comparison needs no date arithmetic in SQL."""
    deciding, default = _plan_branches(rules)
    horizon = today + dt.timedelta(days=within_days)

    def limit(days):
        return Value(horizon - dt.timedelta(days=days), output_field=DateField())

    if not deciding:
        return limit(default)
    whens = [When(_plan_q(r), then=limit(r.every_days)) for r in deciding]
    return Case(*whens, default=limit(default), output_field=DateField())


def due_list(
    actor,
    *,
    manager: Person | None = None,
    unit: Unit | None = None,
    within_days: int = 0,
    today: dt.date | None = None,
    query: str = "",
):
    """Customers due or overdue for a visit (or due within ``within_days``), most overdue
    first: one query over the customers joined to their ``LastVisit``."""
    today = today or timezone.localdate()
    rules = plan_rules()
    customers = RetailCustomer.objects.restrict(actor, "view").filter(is_active=True)
    if manager is not None:
        customers = customers.filter(account_manager=manager)
    if unit is not None:
        customers = customers.filter(unit__in=unit.subtree_ids())
    if query:
        customers = customers.filter(customer_search_q(query))
    threshold = _threshold_case(rules, today, within_days)
    interval = interval_case(rules)
    return (
        customers.annotate(
            last_visited_on=F("last_visit__visited_on"),
            every_days=interval,
            due_threshold=threshold,
        )
        .filter(Q(last_visit__isnull=True) | Q(last_visit__visited_on__lte=F("due_threshold")))
        .annotate(
            due_on=ExpressionWrapper(
                F("last_visit__visited_on")
                + ExpressionWrapper(F("every_days") * dt.timedelta(days=1), DurationField()),
                output_field=DateField(),
            )
        )
        .select_related("unit", "account_manager")
    )


def due_count(actor, *, manager: Person, today: dt.date | None = None) -> int:
    return due_list(actor, manager=manager, today=today).count()


def overdue_by_area(actor, *, today: dt.date | None = None, unit: Unit | None = None):
    """Per market area: active customers and how many are overdue (due before today)."""
    today = today or timezone.localdate()
    rules = plan_rules()
    customers = RetailCustomer.objects.restrict(actor, "view").filter(is_active=True)
    if unit is not None:
        customers = customers.filter(unit__in=unit.subtree_ids())
    threshold = _threshold_case(rules, today - dt.timedelta(days=1), 0)
    overdue = Q(last_visit__isnull=True) | Q(last_visit__visited_on__lte=threshold)
    rows = (
        customers.order_by()
        .values("unit", "unit__name", "unit__path")
        .annotate(customers=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("unit__path")
    )
    return list(rows)


# --------------------------------------------------------------------- 私人定制 coverage


def coverage(
    actor,
    *,
    segment: str,
    year: int,
    unit: Unit | None = None,
):
    """For one segment: its customers in scope, those who received a 私人定制 service in
    ``year`` and those who did not, and how often each service type was delivered."""
    customers = RetailCustomer.objects.restrict(actor, "view").filter(
        is_active=True, **{segment: True}
    )
    if unit is not None:
        customers = customers.filter(unit__in=unit.subtree_ids())
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tailored = Visit.objects.restrict(actor, "view").filter(
        kind__is_tailored=True, visited_on__gte=start, visited_on__lte=end
    )
    served = Exists(tailored.filter(customer=OuterRef("pk")))
    customers = customers.annotate(served=served)
    total = customers.count()
    served_count = customers.filter(served=True).count()
    types = list(TailoredServiceType.objects.filter(segment=segment).order_by("sort_order", "pk"))
    counts = dict(
        tailored.filter(customer__in=customers.values("pk"), service_type__segment=segment)
        .order_by()
        .values_list("service_type")
        .annotate(n=Count("pk"))
    )
    for t in types:
        t.delivered = counts.get(t.pk, 0)
    return {
        "segment": segment,
        "segment_label": SEGMENTS[segment],
        "total": total,
        "served": served_count,
        "unserved": total - served_count,
        "rate": round(100 * served_count / total) if total else 0,
        "types": types,
        "customers": customers.select_related("unit", "account_manager"),
    }


def coverage_summary(actor, *, year: int) -> list[dict]:
    """Every segment's totals (the coverage page's header cards)."""
    rows = []
    for segment in SEGMENTS:
        data = coverage(actor, segment=segment, year=year)
        rows.append({k: data[k] for k in ("segment", "segment_label", "total", "served", "rate")})
    return rows


# ------------------------------------------------------------------------- discussions


def discussion_list(actor, *, query: str = "", branch=None, year: int | None = None):
    discussions = Discussion.objects.restrict(actor, "view").select_related("branch")
    if branch is not None:
        discussions = discussions.filter(branch=branch)
    if year:
        discussions = discussions.filter(held_on__year=year)
    if query:
        discussions = discussions.filter(Q(topics__icontains=query) | Q(measures__icontains=query))
    return discussions


def active_kinds():
    return VisitKind.objects.filter(is_active=True)


def active_service_types():
    return TailoredServiceType.objects.filter(is_active=True)
