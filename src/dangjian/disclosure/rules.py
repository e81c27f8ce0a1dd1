"""Pure rule computations for notices: no database access, rule values passed in."""

from __future__ import annotations

import datetime as dt

from dangjian.platform import workdays
from dangjian.rulebook.registry import national


def public_period_end(
    starts_on: dt.date, working_days: int, extra_holidays=(), extra_workdays=()
) -> workdays.Reckoning[dt.date]:
    """The last day of a public period of ``working_days`` working days from ``starts_on``.

    The start day counts when it is a working day (公示 from Monday for 5 working days ends
    on Friday); a start on a day off counts from the next working day. ``provisional`` when
    the official calendar does not cover a year the period touches.
    """
    if working_days < 1:
        raise ValueError("a public period has at least one working day")
    return workdays.add_working_days(
        starts_on - dt.timedelta(days=1), working_days, extra_holidays, extra_workdays
    )


def min_working_days(kind: str, pre_appointment_min: int | None = None) -> int:
    """The shortest public period a notice of ``kind`` may have (任前公示: the rule's minimum)."""
    if kind == "pre_appointment":
        if pre_appointment_min is None:
            pre_appointment_min = national("disclosure.pre_appointment_min_working_days")
        return pre_appointment_min
    return 1


def objection_window_open(starts_on: dt.date, ends_on: dt.date, today: dt.date) -> bool:
    """Objections are taken from the first to the last day of the public period, inclusive."""
    return starts_on <= today <= ends_on


def result_may_be_recorded(ends_on: dt.date, today: dt.date, open_objections: int) -> bool:
    """A result is recorded only after the period ended and once every objection is answered."""
    return today > ends_on and open_objections == 0
