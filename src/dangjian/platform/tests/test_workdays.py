"""Working days and business hours on the official calendar (2026 data, 2027 provisional)."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.platform.workdays import (
    TZ,
    BusinessHours,
    DayKind,
    add_business_hours,
    add_working_days,
    business_hours_between,
    day_info,
    is_non_working_day,
    is_working_day,
    working_days_between,
)

D = dt.date


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_the_library_has_national_day_2026_from_october_1_to_7_with_october_10_worked():
    for day in range(1, 8):
        assert chinese_calendar.get_holiday_detail(D(2026, 10, day))[1] == "National Day"
        assert not chinese_calendar.is_workday(D(2026, 10, day))
    assert chinese_calendar.is_workday(D(2026, 10, 10))  # a Saturday, 调休


def test_five_working_days_after_september_28_land_on_the_adjusted_saturday_october_10():
    # 29, 30 Sep; 8, 9, 10 Oct (the 10th is a Saturday worked in lieu of the holiday).
    result = add_working_days(D(2026, 9, 28), 5)
    assert result.value == D(2026, 10, 10)
    assert not result.provisional
    assert result.reason == ""


def test_counting_back_over_the_holiday():
    assert add_working_days(D(2026, 10, 10), -5).value == D(2026, 9, 28)


def test_zero_working_days_is_the_start_itself():
    assert add_working_days(D(2026, 10, 3), 0).value == D(2026, 10, 3)


def test_statutory_holiday_weekend_and_adjusted_workday():
    assert is_non_working_day(D(2026, 10, 1)).value
    assert is_non_working_day(D(2026, 10, 11)).value  # Sunday
    assert is_working_day(D(2026, 10, 10)).value  # 调休 Saturday
    assert is_working_day(D(2026, 9, 28)).value


def test_local_holidays_and_local_workdays_override_the_official_calendar():
    tuesday, saturday = D(2026, 11, 10), D(2026, 11, 14)
    assert not is_working_day(tuesday, extra_holidays=[tuesday]).value
    assert is_working_day(saturday, extra_workdays=[saturday]).value
    # a day declared both ways stays off
    assert not is_working_day(tuesday, extra_holidays=[tuesday], extra_workdays=[tuesday]).value
    assert add_working_days(D(2026, 11, 9), 1, extra_holidays=[tuesday]).value == D(2026, 11, 11)


def test_a_year_without_official_data_falls_back_to_weekends_and_is_provisional():
    result = is_working_day(D(2027, 10, 1))  # a Friday; the real 2027 holiday is unknown
    assert result.value is True
    assert result.provisional
    assert "2027" in result.reason and "暂" in result.reason
    assert is_non_working_day(D(2027, 10, 2)).value  # Saturday


def test_a_deadline_crossing_into_an_uncovered_year_is_provisional():
    result = add_working_days(D(2026, 12, 28), 5)
    assert result.provisional
    # weekends only: 29, 30, 31 Dec, Friday 1 Jan (its holiday is not known yet), Monday 4 Jan
    assert result.value == D(2027, 1, 4)
    assert working_days_between(D(2026, 12, 1), D(2027, 1, 10)).provisional


def test_years_before_the_data_are_provisional_too_and_never_raise():
    assert add_working_days(D(1990, 5, 1), 3).provisional


def test_working_days_between_is_the_count_in_the_half_open_interval():
    assert working_days_between(D(2026, 9, 28), D(2026, 10, 10)).value == 5
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 28)).value == -5
    assert working_days_between(D(2026, 9, 28), D(2026, 9, 28)).value == 0


def test_day_info_names_the_holiday_in_chinese():
    info = day_info(D(2026, 10, 1))
    assert info.kind == DayKind.HOLIDAY and info.holiday_name == "国庆节"
    assert day_info(D(2026, 10, 10)).kind == DayKind.ADJUSTED_WORKDAY
    assert day_info(D(2026, 10, 11)).kind == DayKind.WEEKEND
    assert day_info(D(2026, 11, 10), extra_holidays={D(2026, 11, 10)}).kind == (
        DayKind.LOCAL_HOLIDAY
    )
    assert day_info(D(2027, 3, 1)).provisional


dates_2026 = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 11, 30))
any_dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2029, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=any_dates, n=st.integers(min_value=0, max_value=60))
def test_adding_then_counting_gives_n_back(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end.value).value == n
    if n:
        assert is_working_day(end.value).value
    assert end.provisional == any(y not in range(2004, 2027) for y in {start.year, end.value.year})


@settings(max_examples=200, deadline=None)
@given(start=any_dates, n=st.integers(min_value=0, max_value=60))
def test_going_back_from_a_working_day_and_forward_again_returns_to_it(start, n):
    if not is_working_day(start).value:
        start = add_working_days(start, 1).value
    back = add_working_days(start, -n).value
    assert add_working_days(back, n).value == start
    assert working_days_between(start, back).value == -n


@settings(max_examples=100, deadline=None)
@given(start=dates_2026, n=st.integers(min_value=1, max_value=40))
def test_working_days_are_never_fewer_than_calendar_days_would_allow(start, n):
    end = add_working_days(start, n).value
    assert (end - start).days >= n


# ---------------------------------------------------------------------------------------
# Business hours
# ---------------------------------------------------------------------------------------


def test_default_hours_are_seven_a_day():
    assert BusinessHours().per_day == dt.timedelta(hours=7)


def test_morning_fills_up_to_noon_not_to_the_afternoon_opening():
    assert add_business_hours(at(2026, 11, 9, 8, 30), 3.5).value == at(2026, 11, 9, 12, 0)
    assert add_business_hours(at(2026, 11, 9, 8, 30), 4).value == at(2026, 11, 9, 14, 30)


def test_clock_started_outside_hours_begins_at_the_next_opening():
    # Wednesday evening before the National Day break → Thursday 8 October.
    result = add_business_hours(at(2026, 9, 30, 18, 0), 1)
    assert result.value == at(2026, 10, 8, 9, 30)
    assert not result.provisional


def test_eight_hours_from_friday_afternoon_skip_the_weekend():
    # 1.5 h on Friday, 6.5 h on Monday (08:30–12:00, 14:00–17:00)
    assert add_business_hours(at(2026, 11, 13, 16, 0), 8).value == at(2026, 11, 16, 17, 0)


def test_hours_between_over_a_holiday():
    a, b = at(2026, 9, 30, 16, 0), at(2026, 10, 8, 10, 0)
    assert business_hours_between(a, b).value == dt.timedelta(hours=3, minutes=0)
    assert business_hours_between(b, a).value == -dt.timedelta(hours=3)


def test_custom_hours_and_bad_hours():
    summer = BusinessHours(
        periods=((dt.time(8, 0), dt.time(12, 0)), (dt.time(15, 0), dt.time(18, 0)))
    )
    assert add_business_hours(at(2026, 11, 9, 8, 0), 5, summer).value == at(2026, 11, 9, 16, 0)
    with pytest.raises(ValueError):
        BusinessHours(periods=((dt.time(12, 0), dt.time(8, 0)),))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_hours(dt.datetime(2026, 11, 9, 9, 0), 1)


def test_other_time_zones_are_converted_to_shanghai():
    utc = dt.datetime(2026, 11, 9, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    assert add_business_hours(utc, 1).value == at(2026, 11, 9, 9, 30)


def test_business_hours_into_2027_are_provisional():
    assert add_business_hours(at(2026, 12, 31, 17, 0), 2).provisional


datetimes = st.datetimes(
    min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 1, 31)
).map(lambda d: d.replace(tzinfo=TZ, microsecond=0))


@settings(max_examples=200, deadline=None)
@given(start=datetimes, minutes=st.integers(min_value=0, max_value=60 * 80))
def test_adding_business_hours_then_measuring_gives_them_back(start, minutes):
    hours = dt.timedelta(minutes=minutes)
    end = add_business_hours(start, hours).value
    assert end >= start
    assert business_hours_between(start, end).value == hours
