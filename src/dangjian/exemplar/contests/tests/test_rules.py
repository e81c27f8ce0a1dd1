"""Ranking and score parsing (pure functions)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.exemplar.contests.rules import competition_ranks, parse_score

SCORES = st.dictionaries(
    st.integers(1, 500),
    st.one_of(st.none(), st.decimals(0, 100, places=1, allow_nan=False)),
    max_size=25,
)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranks = competition_ranks(
        {"a": Decimal(90), "b": Decimal(95), "c": Decimal(90), "d": Decimal(80)}
    )
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_lower_is_better_for_a_timed_event():
    assert competition_ranks(
        {"a": Decimal("12.5"), "b": Decimal("11.9")}, higher_is_better=False
    ) == {"b": 1, "a": 2}


# The shared test machine is often busy: slow generation is not a failure here.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(SCORES, st.booleans())
def test_ranks_follow_the_scores(scores, higher):
    ranks = competition_ranks(scores, higher_is_better=higher)
    assert set(ranks) == set(scores)
    for key, score in scores.items():
        if score is None:
            assert ranks[key] is None
            continue
        better = sum(
            1
            for other in scores.values()
            if other is not None and (other > score if higher else other < score)
        )
        assert ranks[key] == better + 1


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("92.5", Decimal("92.5")),
        (" 100 ", Decimal("100")),
        ("0", Decimal("0")),
        ("88，5", Decimal("88.5")),
    ],
)
def test_scores_parse(text, value):
    assert parse_score(text, max_score=Decimal(100)) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写成绩"),
        ("九十", "成绩应为数字"),
        ("101", "0 至 100"),
        ("-1", "0 至 100"),
        ("9.999", "两位小数"),
        ("NaN", "成绩应为数字"),
        ("Infinity", "成绩应为数字"),
    ],
)
def test_bad_scores_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_score(text, max_score=Decimal(100))
