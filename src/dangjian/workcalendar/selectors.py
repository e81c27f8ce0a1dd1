"""Reads of the work calendar: which units an actor may see or manage, and a unit's
effective calendar (official days + local days of the unit and its ancestors + hours)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from dangjian.orgs.models import Unit
from dangjian.platform import workdays
from dangjian.platform.scoping import grants_for, model_label

from .models import BusinessHours, LocalDay


def units_where(actor, action: str, model=LocalDay):
    """Units on which ``actor`` may ``action`` the calendar ``model`` (pickers and checks).

    Unit grants reach their subtree; party grants reach the units their branches cover.
    """
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return Unit.objects.all()
    label = model_label(model)
    condition = None
    for grant in grants_for(actor):
        if not grant.allows(label, action):
            continue
        part = Q(pk__in=grant.subtree) if grant.tree == "unit" else Q(party_orgs__in=grant.subtree)
        condition = part if condition is None else condition | part
    if condition is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=Unit.objects.filter(condition).values("pk"))


def _lineage(unit: Unit):
    """The unit and its ancestors, root first — one indexed query on the path."""
    step = Unit.steplen
    paths = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
    return Unit.objects.filter(path__in=paths).order_by("depth")


@dataclass
class UnitCalendar:
    """The calendar a unit works by; methods wrap :mod:`dangjian.platform.workdays`."""

    unit: Unit | None
    local_days: dict[dt.date, LocalDay] = field(default_factory=dict)
    hours: workdays.BusinessHours = workdays.DEFAULT_HOURS
    hours_from: Unit | None = None  # the unit whose hours apply (None: the defaults)

    @property
    def extra_holidays(self) -> frozenset[dt.date]:
        return frozenset(d for d, x in self.local_days.items() if x.kind == LocalDay.Kind.HOLIDAY)

    @property
    def extra_workdays(self) -> frozenset[dt.date]:
        return frozenset(d for d, x in self.local_days.items() if x.kind == LocalDay.Kind.WORKDAY)

    def day_info(self, d: dt.date) -> workdays.DayInfo:
        return workdays.day_info(d, self.extra_holidays, self.extra_workdays)

    def is_working_day(self, d: dt.date):
        return workdays.is_working_day(d, self.extra_holidays, self.extra_workdays)

    def add_working_days(self, start: dt.date, n: int):
        return workdays.add_working_days(start, n, self.extra_holidays, self.extra_workdays)

    def working_days_between(self, a: dt.date, b: dt.date):
        return workdays.working_days_between(a, b, self.extra_holidays, self.extra_workdays)

    def add_business_hours(self, start: dt.datetime, hours):
        return workdays.add_business_hours(
            start, hours, self.hours, self.extra_holidays, self.extra_workdays
        )

    def business_hours_between(self, a: dt.datetime, b: dt.datetime):
        return workdays.business_hours_between(
            a, b, self.hours, self.extra_holidays, self.extra_workdays
        )


def _hours_of(row: BusinessHours) -> workdays.BusinessHours:
    return workdays.BusinessHours(
        periods=((row.morning_start, row.morning_end), (row.afternoon_start, row.afternoon_end))
    )


def unit_calendar(
    unit: Unit | None, *, start: dt.date | None = None, end: dt.date | None = None
) -> UnitCalendar:
    """The effective calendar of ``unit`` (None: the official calendar and default hours).

    Local days of the unit and of its ancestors apply; on the same date the nearest unit
    wins. Hours come from the nearest unit that set them. ``start``/``end`` limit the local
    days loaded (inclusive). A system read for deadline and SLA computations: callers that
    show it to a user must have checked that the user may see ``unit``.
    """
    if unit is None:
        return UnitCalendar(unit=None)
    lineage = list(_lineage(unit))
    depth = {u.pk: u.depth for u in lineage}
    days = LocalDay.objects.filter(unit__in=lineage).select_related("unit")
    if start is not None:
        days = days.filter(date__gte=start)
    if end is not None:
        days = days.filter(date__lte=end)
    local: dict[dt.date, LocalDay] = {}
    for day in sorted(days, key=lambda x: depth[x.unit_id]):
        local[day.date] = day  # deeper (nearer) units overwrite their ancestors
    calendar = UnitCalendar(unit=unit, local_days=local)
    rows = sorted(BusinessHours.objects.filter(unit__in=lineage), key=lambda r: depth[r.unit_id])
    if rows:
        calendar.hours, calendar.hours_from = _hours_of(rows[-1]), rows[-1].unit
    return calendar


def local_day_history(unit: Unit, *, limit: int = 20):
    """Recent additions and removals of the unit's own local days, newest first."""
    return (
        LocalDay.history.filter(unit_id=unit.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
