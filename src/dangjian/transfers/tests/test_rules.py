import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangjian.transfers import rules

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


def test_month_ends_are_clamped():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert rules.add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


@given(d=dates, a=st.integers(-60, 60), b=st.integers(-60, 60))
def test_adding_months_is_monotonic_and_keeps_the_month_arithmetic(d, a, b):
    x, y = rules.add_months(d, a), rules.add_months(d, b)
    assert (x.year * 12 + x.month) - (d.year * 12 + d.month) == a
    assert (a <= b) == (x <= y) or x == y
    assert x.day <= d.day


def test_validity_limits_follow_rules_5():
    assert rules.max_validity_months(False) == 3
    assert rules.max_validity_months(True) == 6
    assert rules.max_validity_months(False, within=2) == 2


@given(issued=dates, months=st.integers(1, 6))
def test_a_letter_is_valid_for_exactly_its_months(issued, months):
    until = rules.letter_valid_until(issued, months)
    assert until < rules.add_months(issued, months)
    assert until >= rules.add_months(issued, months) - dt.timedelta(days=1)
    assert not rules.is_overdue(until, until, received=False)
    assert rules.is_overdue(until, until + dt.timedelta(days=1), received=False)
    assert not rules.is_overdue(until, until + dt.timedelta(days=400), received=True)


def test_six_months_away_is_the_transfer_threshold():
    start = dt.date(2026, 3, 1)
    assert rules.needs_transfer(start, dt.date(2026, 9, 1))
    assert not rules.needs_transfer(start, dt.date(2026, 8, 31))


@given(start=dates, days=st.integers(0, 800), months=st.integers(1, 12))
def test_needs_transfer_exactly_from_the_threshold(start, days, months):
    until = start + dt.timedelta(days=days)
    assert rules.needs_transfer(start, until, months) == (until >= rules.add_months(start, months))


@given(since=dates, days=st.integers(0, 800))
def test_untransferred_flag_after_more_than_six_months(since, days):
    today = since + dt.timedelta(days=days)
    assert rules.untransferred_too_long(since, today) == (today > rules.add_months(since, 6))
