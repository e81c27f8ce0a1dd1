"""Lunar (农历) dates: lunar birthdays and the traditional festivals, on ``lunardate``.

Rules for a lunar birthday (a date stored as lunar month and day):

- a leap month (闰月) is celebrated in the ordinary month of the same number — a person born
  in 闰四月 has the birthday in 四月 every year;
- day 30 in a year where the month has only 29 days falls on day 29.

The library covers lunar years 1900–2099; outside them :class:`LunarRangeError` (a
``ValueError`` with a Chinese message) is raised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lunardate import LunarDate

MIN_YEAR, MAX_YEAR = 1900, 2099

MONTH_NAMES = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
DAY_NAMES = (
    ["初" + c for c in "一二三四五六七八九十"]
    + ["十" + c for c in "一二三四五六七八九"]
    + ["二十"]
    + ["廿" + c for c in "一二三四五六七八九"]
    + ["三十"]
)


class LunarRangeError(ValueError):
    pass


@dataclass(frozen=True)
class LunarDay:
    year: int
    month: int
    day: int
    is_leap_month: bool = False

    @property
    def label(self) -> str:
        """ "闰四月初八", "腊月廿三"."""
        leap = _("闰") if self.is_leap_month else ""
        return f"{leap}{MONTH_NAMES[self.month - 1]}月{DAY_NAMES[self.day - 1]}"

    def __str__(self):
        return _("农历%(year)s年%(label)s") % {"year": self.year, "label": self.label}


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise LunarRangeError(_("农历换算仅支持%(lo)s—%(hi)s年") % {"lo": MIN_YEAR, "hi": MAX_YEAR})


def _check_month_day(month: int, day: int) -> None:
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(_("农历月份应为1—12，日期应为1—30"))


def lunar_to_solar(year: int, month: int, day: int, *, leap: bool = False) -> dt.date:
    """The solar date of an exact lunar date; ValueError if it does not exist that year."""
    _check_year(year)
    _check_month_day(month, day)
    try:
        return LunarDate(year, month, day, leap).to_solar_date()
    except ValueError as exc:
        raise ValueError(
            _("农历%(year)s年没有%(label)s")
            % {"year": year, "label": LunarDay(year, month, day, leap).label}
        ) from exc


def solar_to_lunar(d: dt.date) -> LunarDay:
    """The lunar date of a solar date."""
    try:
        lunar = LunarDate.from_solar_date(d.year, d.month, d.day)
    except ValueError as exc:
        raise LunarRangeError(
            _("农历换算仅支持%(lo)s—%(hi)s年") % {"lo": MIN_YEAR, "hi": MAX_YEAR}
        ) from exc
    return LunarDay(lunar.year, lunar.month, lunar.day, bool(lunar.is_leap_month))


def lunar_birthday(year: int, month: int, day: int) -> dt.date:
    """The solar date on which a lunar birthday (month, day) falls in lunar year ``year``.

    A birthday in a leap month is given with the ordinary month's number; day 30 becomes
    day 29 when that year's month is short.
    """
    _check_year(year)
    _check_month_day(month, day)
    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:
        if day == 30:
            return LunarDate(year, month, 29).to_solar_date()
        raise


def next_lunar_birthday(month: int, day: int, *, on_or_after: dt.date) -> dt.date:
    """The first solar date on or after ``on_or_after`` that is the lunar birthday (for
    greetings and reminders: a 腊月 birthday of lunar year Y falls in January of Y + 1)."""
    lunar_year = solar_to_lunar(on_or_after).year
    for year in (lunar_year - 1, lunar_year, lunar_year + 1):
        if MIN_YEAR <= year <= MAX_YEAR:
            candidate = lunar_birthday(year, month, day)
            if candidate >= on_or_after:
                return candidate
    raise LunarRangeError(_("农历换算仅支持%(lo)s—%(hi)s年") % {"lo": MIN_YEAR, "hi": MAX_YEAR})


# (key, Chinese name, lunar month, lunar day); 除夕 is the eve of the next 春节.
FESTIVALS = (
    ("chunjie", "春节", 1, 1),
    ("yuanxiao", "元宵节", 1, 15),
    ("duanwu", "端午节", 5, 5),
    ("qixi", "七夕", 7, 7),
    ("zhongqiu", "中秋节", 8, 15),
    ("chongyang", "重阳节", 9, 9),
)


@dataclass(frozen=True)
class Festival:
    key: str
    name: str
    date: dt.date


def festivals(year: int) -> list[Festival]:
    """The traditional festivals of solar year ``year`` in date order, 除夕 included.

    Months 1–9 of lunar year Y always fall in solar year Y; 除夕 in solar year Y is the eve
    of Y's 春节 (the last day of the previous lunar year).
    """
    _check_year(year)
    result = [
        Festival(key, _(name), LunarDate(year, month, day).to_solar_date())
        for key, name, month, day in FESTIVALS
    ]
    if year > MIN_YEAR:
        eve = result[0].date - dt.timedelta(days=1)
        result.append(Festival("chuxi", _("除夕"), eve))
    return sorted(result, key=lambda f: f.date)


def festival_date(year: int, key: str) -> dt.date:
    """The solar date of one festival (``"chunjie"``, ``"zhongqiu"``, …) in ``year``."""
    for festival in festivals(year):
        if festival.key == key:
            return festival.date
    raise KeyError(key)
