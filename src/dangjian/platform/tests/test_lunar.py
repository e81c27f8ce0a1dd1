"""Lunar birthdays and festivals, checked against known dates."""

import datetime as dt

import pytest

from dangjian.platform.lunar import (
    LunarDay,
    LunarRangeError,
    festival_date,
    festivals,
    lunar_birthday,
    lunar_to_solar,
    next_lunar_birthday,
    solar_to_lunar,
)

D = dt.date


def test_festivals_of_2026():
    assert festival_date(2026, "chunjie") == D(2026, 2, 17)
    assert festival_date(2026, "zhongqiu") == D(2026, 9, 25)
    assert festival_date(2026, "duanwu") == D(2026, 6, 19)
    assert festival_date(2026, "chongyang") == D(2026, 10, 18)
    assert festival_date(2026, "chuxi") == D(2026, 2, 16)


def test_festivals_are_in_date_order_with_chinese_names():
    names = [f.name for f in festivals(2026)]
    assert names == ["除夕", "春节", "元宵节", "端午节", "七夕", "中秋节", "重阳节"]


def test_spring_festival_2025_and_mid_autumn_2024():
    assert festival_date(2025, "chunjie") == D(2025, 1, 29)
    assert festival_date(2024, "zhongqiu") == D(2024, 9, 17)


def test_round_trip_between_solar_and_lunar():
    assert solar_to_lunar(D(2026, 2, 17)) == LunarDay(2026, 1, 1, False)
    assert lunar_to_solar(2026, 8, 15) == D(2026, 9, 25)


def test_a_leap_month_is_recognised_and_labelled():
    # 2025 has a 闰六月; its first day is 2025-07-25.
    day = solar_to_lunar(D(2025, 7, 25))
    assert day.is_leap_month and day.month == 6
    assert day.label == "闰六月初一"
    assert lunar_to_solar(2025, 6, 1, leap=True) == D(2025, 7, 25)


def test_a_birthday_in_a_leap_month_is_kept_in_the_ordinary_month():
    # Born 闰六月初十 → celebrated on 六月初十 (the ordinary month), not 30 days later.
    assert lunar_birthday(2025, 6, 10) == lunar_to_solar(2025, 6, 10)
    assert lunar_birthday(2025, 6, 10) < lunar_to_solar(2025, 6, 10, leap=True)


def test_day_thirty_in_a_short_month_falls_on_day_twenty_nine():
    # In 2026 the second lunar month has 29 days; the first has 30.
    with pytest.raises(ValueError, match="没有"):
        lunar_to_solar(2026, 2, 30)
    assert lunar_birthday(2026, 2, 30) == lunar_to_solar(2026, 2, 29)
    assert lunar_birthday(2026, 1, 30) == D(2026, 3, 18)


def test_next_birthday_in_the_twelfth_month_falls_in_january():
    # 腊月廿三 (小年) of lunar 2025 is 2026-02-10; from 2026-03-01 the next one is in 2027.
    assert next_lunar_birthday(12, 23, on_or_after=D(2026, 1, 1)) == D(2026, 2, 10)
    nxt = next_lunar_birthday(12, 23, on_or_after=D(2026, 3, 1))
    assert nxt.year == 2027 and solar_to_lunar(nxt).label == "腊月廿三"


def test_next_birthday_on_the_day_itself_is_that_day():
    assert next_lunar_birthday(8, 15, on_or_after=D(2026, 9, 25)) == D(2026, 9, 25)


def test_out_of_range_years_and_bad_input_are_clear_errors():
    with pytest.raises(LunarRangeError, match="1900"):
        festivals(2150)
    with pytest.raises(ValueError):
        lunar_birthday(2026, 13, 1)


def test_label_and_str_are_chinese():
    assert str(LunarDay(2026, 12, 23)) == "农历2026年腊月廿三"
