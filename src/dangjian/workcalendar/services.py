"""Writes to the work calendar: one transaction each, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.orgs.models import Unit
from dangjian.platform.audit import record_event

from .models import BusinessHours, LocalDay
from .selectors import units_where


def _require(actor, action: str, model, unit: Unit) -> None:
    if not units_where(actor, action, model).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("该单位不在您的权限范围内"))


@transaction.atomic
def local_day_add(
    *, actor, unit: Unit, date: dt.date, kind: str, name: str, note: str = ""
) -> LocalDay:
    """Declare ``date`` a local holiday or working day of ``unit`` (and its subtree)."""
    _require(actor, "add", LocalDay, unit)
    day = LocalDay(unit=unit, date=date, kind=kind, name=name, note=note)
    day.full_clean()
    day.save()
    record_event(
        actor=actor,
        verb="workcalendar.local_day.add",
        target=day,
        summary=f"{unit.name} {day}",
        data={"unit": unit.pk, "date": date.isoformat(), "kind": kind},
    )
    return day


@transaction.atomic
def local_day_remove(*, actor, local_day: LocalDay) -> None:
    """Remove a local day; its history row records who removed it."""
    if not LocalDay.objects.restrict(actor, "delete").filter(pk=local_day.pk).exists():
        raise PermissionDenied(_("该单位不在您的权限范围内"))
    record_event(
        actor=actor,
        verb="workcalendar.local_day.remove",
        target=local_day,
        summary=f"{local_day.unit.name} {local_day}",
        data={"unit": local_day.unit_id, "date": local_day.date.isoformat()},
    )
    local_day._history_user = actor  # simple_history: attribute the deletion
    local_day.delete()


@transaction.atomic
def business_hours_set(
    *,
    actor,
    unit: Unit,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
) -> BusinessHours:
    """Set the opening hours of ``unit`` (its subtree inherits them)."""
    _require(actor, "change", BusinessHours, unit)
    row = BusinessHours.objects.filter(unit=unit).first() or BusinessHours(unit=unit)
    row.morning_start, row.morning_end = morning_start, morning_end
    row.afternoon_start, row.afternoon_end = afternoon_start, afternoon_end
    row.full_clean()
    row.save()
    record_event(
        actor=actor,
        verb="workcalendar.hours.set",
        target=row,
        summary=str(row),
    )
    return row
