import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangjian.disclosure import rules
from dangjian.platform import workdays

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31))


def test_five_working_days_from_a_monday_end_on_friday():
    assert rules.public_period_end(dt.date(2026, 11, 2), 5).value == dt.date(2026, 11, 6)


def test_the_national_day_holiday_stretches_the_period():
    # 9-28, 9-29, 9-30 count; the National Day holiday does not; the period ends after it.
    end = rules.public_period_end(dt.date(2026, 9, 28), 5)
    assert end.value > dt.date(2026, 10, 2)
    assert not end.provisional


def test_a_start_on_a_day_off_counts_from_the_next_working_day():
    saturday = dt.date(2026, 11, 7)
    assert rules.public_period_end(saturday, 1).value == dt.date(2026, 11, 9)


def test_a_year_the_calendar_does_not_cover_is_provisional():
    end = rules.public_period_end(dt.date(2031, 3, 3), 5)
    assert end.provisional
    assert "2031" in end.reason


@given(start=dates, n=st.integers(min_value=1, max_value=30))
def test_the_period_holds_exactly_n_working_days(start, n):
    end = rules.public_period_end(start, n).value
    counted = workdays.working_days_between(start - dt.timedelta(days=1), end).value
    assert counted == n
    assert workdays.is_working_day(end).value
    assert end >= start


@given(start=dates, n=st.integers(min_value=1, max_value=20))
def test_a_longer_period_never_ends_earlier(start, n):
    assert rules.public_period_end(start, n + 1).value > rules.public_period_end(start, n).value


@given(kind=st.sampled_from(["pre_appointment", "party_affairs"]), minimum=st.integers(1, 15))
def test_minimum_days_apply_only_to_pre_appointment_notices(kind, minimum):
    expected = minimum if kind == "pre_appointment" else 1
    assert rules.min_working_days(kind, minimum) == expected


def test_national_pre_appointment_minimum_is_five():
    assert rules.min_working_days("pre_appointment") == 5


@given(start=dates, length=st.integers(0, 40), offset=st.integers(-10, 50))
def test_objection_window_is_the_period_inclusive(start, length, offset):
    end = start + dt.timedelta(days=length)
    today = start + dt.timedelta(days=offset)
    assert rules.objection_window_open(start, end, today) == (0 <= offset <= length)


@given(end=dates, offset=st.integers(-5, 5), open_count=st.integers(0, 3))
def test_result_only_after_the_period_and_without_open_objections(end, offset, open_count):
    today = end + dt.timedelta(days=offset)
    assert rules.result_may_be_recorded(end, today, open_count) == (offset > 0 and open_count == 0)
