"""Pure rules of 增值服务: which birthdays and festivals fall on a day, which days may be
booked off-duty. No database access; tested in ``tests/test_rules.py``.

Birthdays (a customer's ``birthday`` and ``birthday_is_lunar``, as the customer registry
stores them):

- a **solar** birthday is greeted on the same month and day every year; a 29 February
  birthday on 28 February in common years;
- a **lunar** birthday: the registry keeps the lunar month and day in the date's month and
  day (``农历 5月12日`` is stored as ``YYYY-05-12``; the year is the year of birth). It is
  greeted on the solar date of that lunar month and day *in the current lunar year*:
  a person born in a leap month (闰月) is greeted in the ordinary month of the same number
  (a leap month's days are never a greeting day, so nobody is greeted twice); a birthday on
  the 30th is greeted on the 29th in a year whose month has only 29 days. A stored day 31
  is no lunar date and is never greeted (the registry cannot store 二月三十, which becomes
  day 29 through the same rule when entered as 二月廿九).

The greeting year of a lunar birthday is the lunar year (a 腊月 birthday can fall twice in
one solar year: January and late December); for every other occasion, the solar year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dangjian.platform import lunar, workdays


@dataclass(frozen=True)
class BirthdaysOn:
    """Which stored birthdays are greeted on one solar day."""

    solar: tuple[tuple[int, int], ...]  # (month, day) of solar birthdays
    solar_year: int
    lunar: tuple[tuple[int, int], ...]  # (month, day) of lunar birthdays
    lunar_year: int


def _has_day_30(lunar_year: int, month: int) -> bool:
    try:
        lunar.lunar_to_solar(lunar_year, month, 30)
    except ValueError:
        return False
    return True


def birthdays_on(day: dt.date) -> BirthdaysOn:
    """The (month, day) pairs whose birthday is greeted on ``day`` (see the module rules)."""
    solar = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        solar.append((2, 29))
    today = lunar.solar_to_lunar(day)
    lunar_pairs: list[tuple[int, int]] = []
    if not today.is_leap_month:
        lunar_pairs.append((today.month, today.day))
        if today.day == 29 and not _has_day_30(today.year, today.month):
            lunar_pairs.append((today.month, 30))
    return BirthdaysOn(tuple(solar), day.year, tuple(lunar_pairs), today.year)


def birthday_greeting_date(month: int, day: int, *, is_lunar: bool, year: int) -> dt.date | None:
    """The day a birthday stored as (month, day) is greeted in (solar or lunar) ``year``;
    None when the stored pair is no date of that calendar."""
    if not is_lunar:
        if (month, day) == (2, 29) and not calendar.isleap(year):
            return dt.date(year, 2, 28)
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    return lunar.lunar_birthday(year, month, day)


def festival_keys_on(day: dt.date) -> list[str]:
    """Keys of the lunar festivals (``platform.lunar.festivals``) that fall on ``day``."""
    return [f.key for f in lunar.festivals(day.year) if f.date == day]


# -- 非工作日预约 ------------------------------------------------------------------------------


def booking_day_problem(
    day: dt.date,
    *,
    today: dt.date,
    horizon_days: int,
    extra_holidays=(),
    extra_workdays=(),
) -> str:
    """Why ``day`` cannot be booked off-duty ("" when it can).

    Only non-working days count: weekends and statutory holidays of the official calendar
    and the unit's own holidays; an adjusted working day (调休上班日) is a working day even
    on a Saturday, and is refused as such.
    """
    if day < today:
        return _("不能预约今天之前的日期")
    if day > today + dt.timedelta(days=horizon_days):
        return _("只能预约%(n)s天内的日期") % {"n": horizon_days}
    info = workdays.day_info(day, extra_holidays, extra_workdays)
    if info.kind == workdays.DayKind.ADJUSTED_WORKDAY:
        return _("%(day)s是调休上班日，不是非工作日，请在工作时间到窗口办理") % {
            "day": day.strftime("%Y-%m-%d")
        }
    if info.is_working:
        return _("%(day)s是工作日，不是非工作日，请在工作时间到窗口办理") % {
            "day": day.strftime("%Y-%m-%d")
        }
    return ""


def roster_day_problem(day: dt.date, *, extra_holidays=(), extra_workdays=()) -> str:
    """Why a holiday duty roster cannot be set on ``day`` ("" when it can)."""
    info = workdays.day_info(day, extra_holidays, extra_workdays)
    if info.kind == workdays.DayKind.ADJUSTED_WORKDAY:
        return _("%(day)s是调休上班日，窗口正常上班，无需节假日值班") % {
            "day": day.strftime("%Y-%m-%d")
        }
    if info.is_working:
        return _("%(day)s是工作日，节假日值班只能排在周末或法定节假日") % {
            "day": day.strftime("%Y-%m-%d")
        }
    return ""


def slots_problem(slots: list[tuple[dt.time, dt.time, int]]) -> str:
    """Why a day's slots (start, end, capacity) are not acceptable ("" when they are)."""
    if not slots:
        return _("请至少设置一个预约时段")
    previous_end = None
    for start, end, capacity in sorted(slots):
        if start >= end:
            return _("时段 %(s)s 的结束时间应晚于开始时间") % {"s": start.strftime("%H:%M")}
        if previous_end is not None and start < previous_end:
            return _("时段 %(s)s 与前一时段重叠") % {"s": start.strftime("%H:%M")}
        if not 1 <= capacity <= 200:
            return _("时段 %(s)s 的可预约人数应为1—200") % {"s": start.strftime("%H:%M")}
        previous_end = end
    return ""
