"""Pure rules: weights, score bounds, schedule."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.appraisal import rules


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=5))
def test_weights_pass_exactly_when_they_sum_to_100(values):
    weights = {f"k{i}": Decimal(v) for i, v in enumerate(values)}
    assert (rules.weights_problem(weights) is None) == (sum(values) == 100)


def test_all_zero_weights_are_refused():
    assert rules.weights_problem({"a": Decimal(0)}) is not None


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(min_value=-1000, max_value=1000))
def test_scores_pass_exactly_inside_the_bounds(value):
    assert (rules.score_problem(value, (1, 5)) is None) == (1 <= value <= 5)
    assert (rules.score_problem(str(value), (0, 100)) is None) == (0 <= value <= 100)


def test_non_numbers_are_refused():
    for value in ("abc", "3.5", "", "１", "5;drop"):
        assert rules.score_problem(value, (1, 5)) is not None


def test_schedule():
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    assert rules.closed_reason("open", start, end, dt.date(2026, 11, 15)) is None
    assert rules.closed_reason("open", start, end, dt.date(2026, 12, 1))
    assert rules.closed_reason("open", start, end, dt.date(2026, 10, 31))
    assert rules.closed_reason("draft", start, end, dt.date(2026, 11, 15))
    assert rules.closed_reason("closed", start, end, dt.date(2026, 11, 15))
