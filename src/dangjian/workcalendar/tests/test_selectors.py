"""A unit's effective calendar: inherited local days, nearest unit wins, inherited hours."""

import datetime as dt

from dangjian.platform.workdays import TZ
from dangjian.workcalendar.models import BusinessHours, LocalDay
from dangjian.workcalendar.selectors import unit_calendar, units_where

D = dt.date


def test_a_bureau_holiday_reaches_its_market_area_but_not_the_other_bureau(city):
    LocalDay.objects.create(unit=city.east, date=D(2026, 11, 10), kind="holiday", name="县庆")
    area = unit_calendar(city.east_area)
    assert D(2026, 11, 10) in area.extra_holidays
    assert not area.is_working_day(D(2026, 11, 10)).value
    assert unit_calendar(city.west).is_working_day(D(2026, 11, 10)).value


def test_the_nearest_unit_wins_on_the_same_date(city):
    day = D(2026, 11, 10)
    LocalDay.objects.create(unit=city.company, date=day, kind="holiday", name="公司活动")
    LocalDay.objects.create(unit=city.east, date=day, kind="workday", name="县局值班")
    assert unit_calendar(city.east_area).is_working_day(day).value
    assert not unit_calendar(city.west_area).is_working_day(day).value


def test_local_days_shift_deadlines(city):
    LocalDay.objects.create(unit=city.east, date=D(2026, 9, 29), kind="holiday", name="防汛调休")
    assert unit_calendar(city.east).add_working_days(D(2026, 9, 28), 5).value == D(2026, 10, 12)
    assert unit_calendar(None).add_working_days(D(2026, 9, 28), 5).value == D(2026, 10, 10)


def test_hours_are_inherited_from_the_nearest_unit_that_set_them(city):
    cal = unit_calendar(city.east_area)
    assert cal.hours_from is None
    assert cal.hours.per_day == dt.timedelta(hours=7)
    BusinessHours.objects.create(
        unit=city.east,
        morning_start=dt.time(8, 0),
        morning_end=dt.time(12, 0),
        afternoon_start=dt.time(14, 30),
        afternoon_end=dt.time(18, 0),
    )
    cal = unit_calendar(city.east_area)
    assert cal.hours_from == city.east
    start = dt.datetime(2026, 11, 9, 8, 0, tzinfo=TZ)
    assert cal.add_business_hours(start, 5).value == dt.datetime(2026, 11, 9, 15, 30, tzinfo=TZ)
    assert cal.business_hours_between(start, start + dt.timedelta(hours=8)).value == (
        dt.timedelta(hours=5, minutes=30)
    )


def test_who_may_manage_which_units(cast):
    city = cast.city
    assert units_where(cast.office, "add").count() == 5
    assert not units_where(cast.secretary, "add").exists()
    assert set(units_where(cast.secretary, "view")) == {city.east, city.east_area}
    assert set(units_where(cast.manager, "view")) == {city.east_area}
    assert set(units_where(cast.outsider, "view")) == {city.west, city.west_area}
    assert not units_where(cast.auditor, "delete").exists()
