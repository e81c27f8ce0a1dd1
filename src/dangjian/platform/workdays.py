"""Working-day and business-hour arithmetic on the official Chinese calendar.

Statutory holidays (法定节假日) and adjusted working days (调休上班日) come from the
``chinese_calendar`` package; on top of them a caller passes local extras (a unit's extra
holidays and extra working days, see the ``workcalendar`` app).

**One API: every function returns a** :class:`Reckoning` — ``value`` (the answer),
``provisional`` (True when the answer depends on a year the official data does not cover)
and ``reason`` (why, in Chinese, for the UI's "暂定" badge). For a year without official
data the calendar falls back to "Saturday and Sunday are off" and marks the answer
provisional; nothing raises for an uncovered year.

Conventions:

- ``add_working_days(start, n)``: the n-th working day *after* ``start`` (``start`` itself
  never counts; ``n = 0`` returns ``start``; negative ``n`` counts backwards). A notice
  received on 2026-09-28 with "5 working days" ends on 2026-10-10 (an adjusted Saturday).
- ``working_days_between(a, b)``: working days in ``(a, b]`` — so
  ``working_days_between(a, add_working_days(a, n).value).value == n`` for n >= 0; it is
  antisymmetric (negative if b < a), so going back n days from a *working* day and
  counting gives -n.
- Local extras: a date in ``extra_holidays`` is off even when the official calendar says
  work; a date in ``extra_workdays`` is a working day even on a weekend. When a date is in
  both, the holiday wins (a unit cannot force people to work on a day it declared off).
- Business hours: aware datetimes, computed in Asia/Shanghai; only working days have hours.
  ``add_business_hours(start, hours)`` returns the earliest instant at which ``hours`` of
  business time have passed since ``start`` (so 08:30 + 3.5 h = 12:00, not 14:00).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as official
from django.utils.translation import gettext as _

T = TypeVar("T")

TZ = ZoneInfo("Asia/Shanghai")
ONE_DAY = dt.timedelta(days=1)


def _covered_years() -> range:
    years = {d.year for d in official.holidays} | {d.year for d in official.workdays}
    return range(min(years), max(years) + 1)


COVERED_YEARS = _covered_years()


@dataclass(frozen=True)
class Reckoning(Generic[T]):
    """An answer from the calendar and whether it is only provisional."""

    value: T
    provisional: bool = False
    reason: str = ""

    def __iter__(self):  # allows ``value, provisional, reason = reckoning``
        return iter((self.value, self.provisional, self.reason))


def is_covered(year: int) -> bool:
    """Whether the official calendar has data (holidays and 调休) for ``year``."""
    return year in COVERED_YEARS


def provisional_reason(years: Iterable[int]) -> str:
    missing = sorted({y for y in years if not is_covered(y)})
    if not missing:
        return ""
    return _("%(years)s年的法定节假日安排尚未收录，暂按周末推算") % {
        "years": "、".join(str(y) for y in missing)
    }


def _reckon(value, years: Iterable[int]) -> Reckoning:
    reason = provisional_reason(years)
    return Reckoning(value, bool(reason), reason)


# ---------------------------------------------------------------------------------------
# One day
# ---------------------------------------------------------------------------------------


class DayKind:
    """What a day is, in the order a calendar legend lists them."""

    WORKDAY = "workday"  # 工作日
    WEEKEND = "weekend"  # 周末
    HOLIDAY = "holiday"  # 法定节假日
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班日
    LOCAL_HOLIDAY = "local_holiday"  # 本单位放假
    LOCAL_WORKDAY = "local_workday"  # 本单位上班

    WORKING = frozenset({WORKDAY, ADJUSTED_WORKDAY, LOCAL_WORKDAY})


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    kind: str
    holiday_name: str  # Chinese name of the statutory holiday, or ""
    provisional: bool

    @property
    def is_working(self) -> bool:
        return self.kind in DayKind.WORKING


_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _official_kind(d: dt.date) -> tuple[str, str]:
    """The official kind of ``d`` and the holiday's name; weekends only outside the data."""
    if is_covered(d.year):
        if d in official.holidays:
            name = official.holidays[d]
            return DayKind.HOLIDAY, _HOLIDAY_NAMES.get(name, name or "")
        if d in official.workdays:
            name = official.workdays[d]
            return DayKind.ADJUSTED_WORKDAY, _HOLIDAY_NAMES.get(name, name or "")
    if d.weekday() >= 5:
        return DayKind.WEEKEND, ""
    return DayKind.WORKDAY, ""


def day_info(d: dt.date, extra_holidays=(), extra_workdays=()) -> DayInfo:
    """Classify one day (for calendar grids); local extras override the official kind."""
    kind, name = _official_kind(d)
    if d in extra_holidays:
        kind = DayKind.LOCAL_HOLIDAY
    elif d in extra_workdays and kind not in DayKind.WORKING:
        kind = DayKind.LOCAL_WORKDAY
    return DayInfo(d, kind, name, not is_covered(d.year))


def _working(d: dt.date, holidays: frozenset, workdays: frozenset) -> bool:
    if d in holidays:
        return False
    if d in workdays:
        return True
    return _official_kind(d)[0] in DayKind.WORKING


def is_working_day(d: dt.date, extra_holidays=(), extra_workdays=()) -> Reckoning[bool]:
    """Whether people work on ``d``."""
    return _reckon(_working(d, frozenset(extra_holidays), frozenset(extra_workdays)), [d.year])


def is_non_working_day(d: dt.date, extra_holidays=(), extra_workdays=()) -> Reckoning[bool]:
    """Whether ``d`` is a weekend, statutory holiday or local holiday (and not 调休)."""
    result = is_working_day(d, extra_holidays, extra_workdays)
    return Reckoning(not result.value, result.provisional, result.reason)


# ---------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------


def add_working_days(
    start: dt.date, n: int, extra_holidays=(), extra_workdays=()
) -> Reckoning[dt.date]:
    """The ``n``-th working day after ``start`` (before it for negative ``n``)."""
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    step = ONE_DAY if n >= 0 else -ONE_DAY
    current, remaining, years = start, abs(n), {start.year}
    while remaining:
        current += step
        years.add(current.year)
        if _working(current, holidays, workdays):
            remaining -= 1
    return _reckon(current, years)


def working_days_between(
    a: dt.date, b: dt.date, extra_holidays=(), extra_workdays=()
) -> Reckoning[int]:
    """Working days in ``(a, b]``; negative when ``b`` is before ``a``."""
    if b < a:
        result = working_days_between(b, a, extra_holidays, extra_workdays)
        return Reckoning(-result.value, result.provisional, result.reason)
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    count, current = 0, a
    while current < b:
        current += ONE_DAY
        count += _working(current, holidays, workdays)
    return _reckon(count, range(a.year, b.year + 1))


# ---------------------------------------------------------------------------------------
# Business hours (SLA clocks)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessHours:
    """Opening periods of a working day, in local time, in order and not overlapping."""

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(14, 0), dt.time(17, 30)),
    )

    def __post_init__(self):
        previous_end = None
        for begin, end in self.periods:
            if begin >= end or (previous_end is not None and begin < previous_end):
                raise ValueError(_("办公时间段必须按时间先后排列且互不重叠"))
            previous_end = end
        if not self.periods:
            raise ValueError(_("至少需要一个办公时间段"))

    @property
    def per_day(self) -> dt.timedelta:
        return sum(
            (_at(dt.date(2000, 1, 1), e) - _at(dt.date(2000, 1, 1), b) for b, e in self.periods),
            dt.timedelta(),
        )


DEFAULT_HOURS = BusinessHours()


def _at(d: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(d, t, tzinfo=TZ)


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("business-hour arithmetic needs aware datetimes")
    return value.astimezone(TZ)


def _as_timedelta(hours) -> dt.timedelta:
    if isinstance(hours, dt.timedelta):
        return hours
    if isinstance(hours, Decimal):
        return dt.timedelta(seconds=int(hours * 3600))
    return dt.timedelta(hours=hours)


def add_business_hours(
    start: dt.datetime,
    hours,
    hours_config: BusinessHours = DEFAULT_HOURS,
    extra_holidays=(),
    extra_workdays=(),
) -> Reckoning[dt.datetime]:
    """The instant when ``hours`` (number or timedelta, not negative) of business time have
    passed since ``start``; the clock only runs inside opening periods of working days."""
    remaining = _as_timedelta(hours)
    if remaining < dt.timedelta():
        raise ValueError("hours must not be negative")
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    now = _local(start)
    day, years = now.date(), {now.year}
    if not remaining:
        return _reckon(now, years)
    while True:
        years.add(day.year)
        if _working(day, holidays, workdays):
            for begin, end in hours_config.periods:
                b, e = max(_at(day, begin), now), _at(day, end)
                if b >= e:
                    continue
                if remaining <= e - b:
                    return _reckon(b + remaining, years)
                remaining -= e - b
        day += ONE_DAY


def business_hours_between(
    a: dt.datetime,
    b: dt.datetime,
    hours_config: BusinessHours = DEFAULT_HOURS,
    extra_holidays=(),
    extra_workdays=(),
) -> Reckoning[dt.timedelta]:
    """Business time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    a, b = _local(a), _local(b)
    if b < a:
        result = business_hours_between(b, a, hours_config, extra_holidays, extra_workdays)
        return Reckoning(-result.value, result.provisional, result.reason)
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    total, day = dt.timedelta(), a.date()
    while day <= b.date():
        if _working(day, holidays, workdays):
            for begin, end in hours_config.periods:
                lo, hi = max(_at(day, begin), a), min(_at(day, end), b)
                if hi > lo:
                    total += hi - lo
        day += ONE_DAY
    return _reckon(total, range(a.year, b.year + 1))
