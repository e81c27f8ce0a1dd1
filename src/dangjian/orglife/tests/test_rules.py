"""The pure rule functions, tried exhaustively (hypothesis) and on the rule table's cases."""

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dangjian.orglife import rules

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
periods = st.sampled_from([1, 2, 3, 4, 6, 12])


@given(days, periods)
def test_a_period_holds_its_day_and_stays_in_the_year(day, months):
    start, end = rules.period_bounds(day, months)
    assert start <= day <= end
    assert start.year == end.year == day.year
    assert start.day == 1
    assert (end + dt.timedelta(days=1)).day == 1


@given(st.integers(2000, 2099), periods)
def test_the_periods_of_a_year_tile_it_without_gaps(year, months):
    spans = rules.periods_of_year(year, months)
    assert spans[0][0] == dt.date(year, 1, 1)
    assert spans[-1][1] == dt.date(year, 12, 31)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start == end + dt.timedelta(days=1)


def test_quarters_and_months_follow_the_calendar():
    assert rules.period_bounds(dt.date(2026, 5, 17), 3) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert rules.period_bounds(dt.date(2024, 2, 3), 1) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )
    assert rules.period_bounds(dt.date(2026, 11, 3), 12) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    assert rules.previous_period(dt.date(2026, 1, 10), 1) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
    )


@given(days, periods, st.one_of(st.none(), days))
def test_next_due_is_never_before_today_and_ends_a_period(today, months, last_held):
    due = rules.next_due(months, last_held, today)
    assert due >= today
    assert rules.period_bounds(due, months)[1] == due


def test_next_due_moves_on_once_this_period_is_done():
    today = dt.date(2026, 11, 24)
    assert rules.next_due(1, None, today) == dt.date(2026, 11, 30)
    assert rules.next_due(1, dt.date(2026, 11, 3), today) == dt.date(2026, 12, 31)
    assert rules.next_due(3, dt.date(2026, 9, 30), today) == dt.date(2026, 12, 31)
    # The period after December's is next year's first.
    assert rules.next_due(1, dt.date(2026, 12, 2), dt.date(2026, 12, 5)) == dt.date(2027, 1, 31)


@given(days, days, st.integers(0, 5), st.booleans())
def test_period_status_is_one_of_the_states(start, today, held, latest):
    end = rules.period_bounds(start, 1)[1]
    status = rules.period_status(start, end, held, today, latest_ended=latest)
    if held:
        assert status == rules.DONE
    elif today < start:
        assert status == rules.FUTURE
    elif today <= end:
        assert status == rules.DUE
    else:
        assert status == (rules.LATE if latest else rules.MISSING)
    assert rules.period_status(start, end, held, today, required=False) == rules.NOT_REQUIRED


MONTHLY = {"committee_meeting": 1, "theme_day": 1, "general_meeting": 3}


def test_a_month_turns_green_when_its_monthly_meetings_are_held():
    today = dt.date(2026, 11, 24)
    held = {("committee_meeting", 11): 1}
    status, parts = rules.month_status(2026, 11, MONTHLY, held, today)
    assert status == rules.DUE and parts == {"committee_meeting": "done", "theme_day": "due"}
    held[("theme_day", 11)] = 1
    status, parts = rules.month_status(2026, 11, MONTHLY, held, today)
    # The quarterly 党员大会 is not yet due in November (the quarter ends in December).
    assert status == rules.DONE and "general_meeting" not in parts


def test_a_quarter_without_its_meeting_is_red_in_its_last_month_only():
    today = dt.date(2026, 11, 24)
    held = {("committee_meeting", m): 1 for m in range(1, 13)} | {
        ("theme_day", m): 1 for m in range(1, 13)
    }
    assert rules.month_status(2026, 8, MONTHLY, held, today)[0] == rules.DONE
    status, parts = rules.month_status(2026, 9, MONTHLY, held, today)
    assert status == rules.LATE and parts["general_meeting"] == rules.LATE
    status, _ = rules.month_status(2026, 6, MONTHLY, held, today)
    assert status == rules.MISSING
    # Held in any month of the quarter: done in every month of it.
    held[("general_meeting", 4)] = 1
    assert rules.month_status(2026, 6, MONTHLY, held, today)[1]["general_meeting"] == rules.DONE
    assert rules.month_status(2026, 5, MONTHLY, held, today)[1]["general_meeting"] == rules.DONE


def test_future_months_are_future_and_not_required_kinds_are_skipped():
    today = dt.date(2026, 3, 2)
    assert rules.month_status(2026, 7, MONTHLY, {}, today)[0] == rules.FUTURE
    status, parts = rules.month_status(
        2026, 2, {"group_meeting": 1}, {}, today, not_required={"group_meeting"}
    )
    assert parts == {} and status == rules.NOT_REQUIRED


@given(st.integers(0, 60), st.integers(0, 60))
def test_general_meeting_quorum_is_more_than_half_of_the_voters(present, voters):
    met = rules.voting_quorum_met(present, voters)
    assert met == (voters > 0 and 2 * present > voters)


def test_quorum_bounds():
    assert not rules.voting_quorum_met(5, 10)  # exactly half is not more than half
    assert rules.voting_quorum_met(6, 10)
    assert rules.voting_quorum_met(2, 3)
    assert not rules.voting_quorum_met(0, 0)
    assert rules.voting_quorum_met(7, 10, Fraction(2, 3))
    assert not rules.voting_quorum_met(6, 9, Fraction(2, 3))
    assert rules.committee_quorum_met(2, 4) and not rules.committee_quorum_met(1, 4)


@given(st.integers(1, 31), st.integers(2000, 2099), st.integers(1, 12))
def test_theme_day_is_in_the_month(day, year, month):
    date = rules.theme_day_date(year, month, day)
    assert (date.year, date.month) == (year, month)
    assert date.day == day or date.day < day


def test_cadres_are_secretaries_and_committee_members():
    assert rules.is_cadre("党支部书记") and rules.is_cadre("组织委员") and rules.is_cadre("副书记")
    assert not rules.is_cadre("客户经理") and not rules.is_cadre("")
    assert rules.study_hours_target("党支部书记") == 56
    assert rules.study_hours_target("") == 32
    assert rules.study_hours_target("", member_minimum=40) == 40
