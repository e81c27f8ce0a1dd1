"""The pure rules: which birthdays fall on a day (solar, lunar, 闰月, the 30th), and which
days may be booked off duty on the official calendar."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.platform import lunar
from dangjian.warmth.outreach import rules

D = dt.date


def test_a_solar_birthday_is_greeted_on_its_month_and_day():
    assert (5, 12) in rules.birthdays_on(D(2026, 5, 12)).solar


def test_a_29_february_birthday_is_greeted_on_28_february_in_common_years():
    assert (2, 29) in rules.birthdays_on(D(2026, 2, 28)).solar
    assert (2, 29) not in rules.birthdays_on(D(2028, 2, 28)).solar
    assert (2, 29) in rules.birthdays_on(D(2028, 2, 29)).solar


def test_a_lunar_birthday_falls_on_this_years_lunar_date():
    # 2026-11-24 is 农历十月十六.
    on = rules.birthdays_on(D(2026, 11, 24))
    assert on.lunar == ((10, 16),)
    assert on.lunar_year == 2026
    assert rules.birthday_greeting_date(10, 16, is_lunar=True, year=2026) == D(2026, 11, 24)


def test_nobody_is_greeted_on_the_days_of_a_leap_month():
    # 2025 has a 闰六月: 2025-08-03 is 闰六月初十; a 六月初十 birthday was greeted on 07-04.
    assert lunar.solar_to_lunar(D(2025, 8, 3)).is_leap_month
    assert rules.birthdays_on(D(2025, 8, 3)).lunar == ()
    assert (6, 10) in rules.birthdays_on(D(2025, 7, 4)).lunar


def test_a_30th_birthday_falls_on_the_29th_of_a_short_month():
    # 农历2026年四月 has 29 days: 四月廿九 (2026-06-14) greets the 29th and the 30th.
    on = rules.birthdays_on(D(2026, 6, 14))
    assert set(on.lunar) == {(4, 29), (4, 30)}
    assert rules.birthday_greeting_date(4, 30, is_lunar=True, year=2026) == D(2026, 6, 14)
    # 三月 has 30 days: its 29th is the 29th only.
    assert rules.birthdays_on(D(2026, 5, 15)).lunar == ((3, 29),)


def test_a_stored_day_31_is_no_lunar_date():
    assert rules.birthday_greeting_date(1, 31, is_lunar=True, year=2026) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 30), st.integers(1950, 2090))
def test_every_lunar_birthday_is_greeted_exactly_once_a_lunar_year(month, day, year):
    greeted_on = rules.birthday_greeting_date(month, day, is_lunar=True, year=year)
    on = rules.birthdays_on(greeted_on)
    assert (month, day) in on.lunar and on.lunar_year == year


def test_festivals_fall_on_their_real_dates():
    assert rules.festival_keys_on(D(2026, 2, 17)) == ["chunjie"]
    assert rules.festival_keys_on(D(2026, 9, 25)) == ["zhongqiu"]
    assert rules.festival_keys_on(D(2026, 6, 19)) == ["duanwu"]
    assert rules.festival_keys_on(D(2026, 6, 18)) == []


def test_an_adjusted_working_saturday_cannot_be_booked():
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休).
    problem = rules.booking_day_problem(D(2026, 10, 10), today=D(2026, 10, 1), horizon_days=60)
    assert "调休" in problem and "不是非工作日" in problem


def test_weekends_and_statutory_holidays_can_be_booked():
    assert rules.booking_day_problem(D(2026, 10, 3), today=D(2026, 10, 1), horizon_days=60) == ""
    assert rules.booking_day_problem(D(2026, 10, 17), today=D(2026, 10, 1), horizon_days=60) == ""


def test_working_days_past_days_and_far_days_cannot_be_booked():
    assert "工作日" in rules.booking_day_problem(
        D(2026, 10, 12), today=D(2026, 10, 1), horizon_days=60
    )
    assert "之前" in rules.booking_day_problem(
        D(2026, 9, 26), today=D(2026, 10, 1), horizon_days=60
    )
    assert "60天" in rules.booking_day_problem(
        D(2026, 12, 26), today=D(2026, 10, 1), horizon_days=60
    )


def test_a_local_holiday_is_bookable_and_a_local_working_saturday_is_not():
    day = D(2026, 10, 14)  # a Wednesday
    assert (
        rules.booking_day_problem(day, today=D(2026, 10, 1), horizon_days=60, extra_holidays={day})
        == ""
    )
    saturday = D(2026, 10, 17)
    assert rules.booking_day_problem(
        saturday, today=D(2026, 10, 1), horizon_days=60, extra_workdays={saturday}
    )


def test_slots_must_not_overlap_and_need_a_capacity():
    t = dt.time
    assert rules.slots_problem([]) != ""
    assert rules.slots_problem([(t(9), t(11), 5), (t(10), t(12), 5)]) != ""
    assert rules.slots_problem([(t(11), t(9), 5)]) != ""
    assert rules.slots_problem([(t(9), t(11), 0)]) != ""
    assert rules.slots_problem([(t(9), t(11), 5), (t(14), t(16), 5)]) == ""
