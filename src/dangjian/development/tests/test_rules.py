"""The pure rule functions of RULES §1, tested exhaustively."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangjian.development import rules
from dangjian.platform import idcard

D = dt.date
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@given(dates, st.integers(min_value=0, max_value=36))
def test_add_months_lands_in_the_right_month_never_past_the_day(day, months):
    result = rules.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


def test_add_months_clamps_to_month_end():
    assert rules.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert rules.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2008, 12, 31)), dates)
def test_age_on_application_from_the_id_number(birth, applied_on):
    number = idcard.make("360102", birth, 11)
    expected = idcard.age_on(birth, applied_on)
    assert rules.age_on_application(number, applied_on) == expected
    assert rules.old_enough(number, applied_on) == (expected >= 18)


def test_eighteenth_birthday_is_old_enough_day_before_is_not():
    number = idcard.make("360102", D(2008, 3, 1), 3)
    assert rules.old_enough(number, D(2026, 3, 1))
    assert not rules.old_enough(number, D(2026, 2, 28))


@given(counts, counts, counts, counts, counts, counts, counts, counts)
def test_vote_passes_exactly_when_yes_is_more_than_half_of_entitled(e, p, y, n, a, wy, wn, wa):
    result = rules.vote_passes(e, p, y, n, a, wy, wn, wa)
    consistent = e > 0 and p <= e and y <= p and y + n + a <= p and wy + wn + wa <= e - p
    if not consistent:
        assert result.error and not result.passes
    else:
        assert not result.error
        assert result.passes == (2 * (y + wy) > e)


def test_vote_bounds():
    assert rules.vote_passes(9, 9, 5, 4, 0).passes
    assert not rules.vote_passes(10, 10, 5, 5, 0).passes  # exactly half is not more than half
    assert rules.vote_passes(10, 8, 5, 3, 0, written_yes=1).passes
    assert rules.vote_passes(9, 5, 6, 0, 0).error == "赞成票不能多于实到人数"


@given(dates, st.integers(min_value=0, max_value=12))
def test_probation_end_is_a_year_plus_extension(admitted, ext):
    end = rules.probation_end(admitted, extension_months=ext)
    assert end == rules.add_months(admitted, 12 + ext)


@given(st.integers(min_value=0, max_value=24), st.booleans())
def test_extension_once_6_to_12(months, already):
    problem = rules.extension_problem(months, already)
    assert (problem == "") == (not already and 6 <= months <= 12)


@given(dates, dates)
def test_party_years_count_from_full_member_date(full_on, today):
    years = rules.party_years(full_on, today)
    if today < full_on:
        assert years == 0
    else:
        assert years == idcard.age_on(full_on, today)


@given(st.one_of(st.none(), counts), st.one_of(st.none(), counts))
def test_training_three_days_or_24_hours(days, hours):
    assert rules.training_sufficient(days, hours) == ((days or 0) >= 3 or (hours or 0) >= 24)


@given(dates, st.lists(dates, max_size=4))
def test_next_assessment_half_a_year_after_the_latest(activist_on, assessments):
    due = rules.next_assessment_due(activist_on, assessments)
    assert due == rules.add_months(max([activist_on, *assessments]), 6)


@given(dates)
def test_approval_deadlines_3_and_6_months(meeting):
    normal, absolute = rules.approval_deadlines(meeting)
    assert normal == rules.add_months(meeting, 3) and absolute == rules.add_months(meeting, 6)


@given(dates)
def test_candidate_after_a_year(activist_on):
    assert rules.earliest_candidate_date(activist_on) == rules.add_months(activist_on, 12)


def _facts(upto, **extra):
    d = {n: D(2022, 1, 1) + dt.timedelta(days=10 * n) for n in range(1, upto + 1)}
    facts = rules.Facts(id_number=idcard.make("360102", D(1990, 1, 1), 1), dates=d, last_step=upto)
    for k, v in extra.items():
        setattr(facts, k, v)
    return facts


@given(st.integers(min_value=1, max_value=24), st.integers(min_value=1, max_value=25))
def test_only_the_next_step_may_be_recorded(last, number):
    facts = _facts(last, results={n: True for n in rules.RESULT_STEPS})
    violations = rules.check_step(number, D(2030, 1, 1), facts)
    order = [v for v in violations if "按顺序" in v.message]
    allowed = rules.expected_steps(facts)
    assert bool(order) == (number not in allowed)


def test_step_dated_before_the_previous_one_refused():
    facts = _facts(2)
    violations = rules.check_step(3, D(2022, 1, 20), facts)
    assert any("不能早于上一步骤" in v.message for v in violations)


def test_local_rule_values_tighten_the_check():
    facts = _facts(2)
    strict = rules.rule_values(**{"dev__application_min_months": 6})
    assert any(
        v.key == "dev.application_min_months"
        for v in rules.check_step(3, D(2022, 2, 1), facts, strict)
    )
    assert not rules.check_step(3, D(2022, 2, 1), facts)


def test_deadlines_follow_the_case():
    facts = _facts(1)
    assert [d.label for d in rules.deadlines(facts)] == ["派人谈话"]
    facts = _facts(17, results={15: True, 17: True})
    labels = [d.label for d in rules.deadlines(facts)]
    assert labels == ["提出转正申请"]
