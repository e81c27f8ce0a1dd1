import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.warmth.visits.rules import (
    FALLBACK_EVERY_DAYS,
    PlanRule,
    days_overdue,
    due_on,
    is_due,
    tier_range_problem,
    visit_interval,
)

PLANS = [
    PlanRule(7, tier_min=25, tier_max=30),
    PlanRule(14, segment="vulnerable"),
    PlanRule(30),
]
SEGMENTS = ["modern_terminal", "vulnerable", "strong_operator", "prime_location"]


def test_high_tier_customers_are_visited_weekly():
    assert visit_interval(27, [], PLANS) == 7


def test_vulnerable_customers_fortnightly_and_the_strictest_plan_wins():
    assert visit_interval(10, ["vulnerable"], PLANS) == 14
    assert visit_interval(28, ["vulnerable"], PLANS) == 7


def test_everyone_else_gets_the_default_and_without_plans_the_fallback():
    assert visit_interval(10, ["strong_operator"], PLANS) == 30
    assert visit_interval(10, [], []) == FALLBACK_EVERY_DAYS


def test_a_customer_never_visited_is_due_today():
    today = dt.date(2026, 11, 24)
    assert due_on(None, 30, today=today) == today
    assert is_due(None, 30, today=today)
    assert days_overdue(None, 30, today=today) == 0


def test_overdue_days_count_from_the_due_date():
    today = dt.date(2026, 11, 24)
    assert days_overdue(dt.date(2026, 10, 1), 30, today=today) == 24
    assert not is_due(dt.date(2026, 11, 20), 7, today=today)
    assert is_due(dt.date(2026, 11, 20), 7, today=today, within_days=3)


def test_a_reversed_tier_range_is_refused():
    assert tier_range_problem(20, 10)
    assert not tier_range_problem(10, 20)
    assert not tier_range_problem(None, 20)


plans = st.lists(
    st.builds(
        PlanRule,
        every_days=st.integers(1, 366),
        tier_min=st.none() | st.integers(1, 30),
        tier_max=st.none() | st.integers(1, 30),
        segment=st.sampled_from(["", *SEGMENTS]),
    ),
    max_size=6,
)


# A shared, loaded test machine makes generation slow; the property is what matters.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@RELAXED
@given(plans, st.integers(1, 30), st.lists(st.sampled_from(SEGMENTS), unique=True))
def test_the_interval_is_one_of_the_matching_plans_and_never_longer_than_any(rules, tier, segments):
    days = visit_interval(tier, segments, rules)
    matching = [p.every_days for p in rules if p.matches(tier, segments)]
    if matching:
        assert days == min(matching)
    else:
        assert days == FALLBACK_EVERY_DAYS


@RELAXED
@given(
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.integers(1, 366),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
)
def test_due_exactly_when_the_interval_has_passed(last, every, today):
    assert is_due(last, every, today=today) == ((today - last).days >= every)
