"""The pure dues rules, to the fen (RULES §3)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.dues import rules
from dangjian.dues.rules import DuesInputError, monthly_dues
from dangjian.rulebook.registry import national

D = Decimal


@pytest.mark.parametrize(
    "base,expected",
    [
        ("0", "0.00"),
        ("0.01", "0.00"),
        ("1", "0.01"),  # 0.005 → 0.01 half up
        ("2999.99", "15.00"),  # 14.99995 → 15.00
        ("3000.00", "15.00"),
        ("3000.01", "30.00"),  # 30.0001
        ("4999.99", "50.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # 75.00015
        ("9999.99", "150.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # 200.0002
        ("12345.67", "246.91"),
    ],
)
def test_employed_bracket_bounds(base, expected):
    assert monthly_dues(D(base), "employed") == D(expected)


@pytest.mark.parametrize(
    "base,expected",
    [
        ("5000", "25.00"),
        ("5000.01", "50.00"),
        ("4999.99", "25.00"),
        ("3000", "15.00"),
        ("8000", "80.00"),
    ],
)
def test_retired_bracket_bounds(base, expected):
    assert monthly_dues(D(base), "retired") == D(expected)


@pytest.mark.parametrize("category", ["student", "relief"])
def test_fixed_amounts(category):
    assert monthly_dues(D("9999"), category) == D("0.20")


def test_farmer_default_and_range():
    assert monthly_dues(D("0"), "farmer") == D("0.20")
    assert monthly_dues(D("0"), "farmer", approved=D("1.00")) == D("1.00")
    with pytest.raises(DuesInputError, match="0.20–1.00"):
        monthly_dues(D("0"), "farmer", approved=D("1.50"))


def test_hardship_is_the_approved_amount():
    assert monthly_dues(D("2000"), "hardship", approved=D("0")) == D("0.00")
    assert monthly_dues(D("2000"), "hardship", approved=D("2.5")) == D("2.50")
    with pytest.raises(DuesInputError):
        monthly_dues(D("2000"), "hardship")


@pytest.mark.parametrize(
    "bad", [D("-1"), D("-0.01"), "三千", None, D("NaN"), D("Infinity"), 3000.0]
)
def test_bad_base_refused(bad):
    with pytest.raises(DuesInputError):
        monthly_dues(bad, "employed")


def test_unknown_category():
    with pytest.raises(DuesInputError, match="未知"):
        monthly_dues(D("100"), "pensioner")


def test_rule_text_names_the_bracket_and_source():
    c = rules.compute_dues(D("3000.01"), "employed")
    assert "3,000.00 元以上至 5,000.00 元（含）" in c.rule
    assert "1%" in c.rule and "党费" in c.rule and "第一条" in c.rule
    assert "3,000.00 元及以下" in rules.compute_dues(D("10"), "employed").rule
    assert "10,000.00 元以上" in rules.compute_dues(D("20000"), "employed").rule
    assert "养老金" in rules.compute_dues(D("10"), "retired").rule


def test_local_brackets_are_passed_in():
    table = ((D("1000"), D("0.01")), (None, D("0.03")))
    assert monthly_dues(D("1000"), "employed", table) == D("10.00")
    assert monthly_dues(D("1000.01"), "employed", table) == D("30.00")


def _expected(base: Decimal, table) -> Decimal:
    for upper, rate in table:
        if upper is None or base <= upper:
            return (base * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    raise AssertionError


money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)


@given(money)
def test_employed_is_whole_base_times_its_bracket_rate(base):
    assert monthly_dues(base, "employed") == _expected(base, national("dues.brackets.employed"))


@given(money)
def test_retired_is_whole_base_times_its_bracket_rate(base):
    assert monthly_dues(base, "retired") == _expected(base, national("dues.brackets.retired"))


@given(money, money)
def test_dues_never_decrease_with_the_base(a, b):
    low, high = sorted((a, b))
    for category in ("employed", "retired"):
        assert monthly_dues(low, category) <= monthly_dues(high, category)


@given(money)
def test_amount_is_exact_to_the_fen_and_not_more_than_two_percent(base):
    amount = monthly_dues(base, "employed")
    assert amount == amount.quantize(D("0.01"))
    assert D("0") <= amount <= (base * D("0.02")).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(st.text(max_size=12))
def test_parse_base_accepts_only_plain_non_negative_money(text):
    try:
        value = rules.parse_base(text)
    except DuesInputError:
        return
    assert value >= 0 and value == value.quantize(D("0.01"))


@pytest.mark.parametrize(
    "text,value", [("3000", "3000.00"), (" 3,000.5 ", "3000.50"), ("0", "0.00")]
)
def test_parse_base_good(text, value):
    assert rules.parse_base(text) == D(value)


@pytest.mark.parametrize(
    "text,message",
    [("-1", "负数"), ("三千", "不是数字"), ("", "请填写"), ("1.234", "两位小数"), ("1e12", "过大")],
)
def test_parse_base_bad(text, message):
    with pytest.raises(DuesInputError, match=message):
        rules.parse_base(text)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(-200, 200)
)
def test_month_arithmetic_round_trips(day, n):
    month = rules.month_start(day)
    later = rules.add_months(month, n)
    assert later.day == 1
    assert rules.months_between(month, later) == n
    assert len(rules.month_range(month, later)) == (n + 1 if n >= 0 else 0)


def test_back_payment_limit():
    month = dt.date(2025, 1, 1)
    assert not rules.needs_back_payment_decision(month, dt.date(2025, 7, 31))  # 6 months
    assert rules.needs_back_payment_decision(month, dt.date(2025, 8, 1))  # 7 months
    assert not rules.needs_back_payment_decision(month, dt.date(2025, 8, 1), max_months=7)
    assert rules.back_payment_months(dt.date(2025, 3, 1), dt.date(2025, 1, 1)) == 0


def test_quarter_end():
    assert rules.quarter_end(dt.date(2025, 4, 1)) == dt.date(2025, 6, 1)
    assert rules.quarter_end(dt.date(2025, 12, 1)) == dt.date(2025, 12, 1)


def test_trailing_unpaid_run():
    months = rules.month_range(dt.date(2025, 1, 1), dt.date(2025, 8, 1))
    paid = {dt.date(2025, 1, 1), dt.date(2025, 2, 1)}
    assert rules.trailing_unpaid_run(months, lambda m: m in paid) == (6, dt.date(2025, 3, 1))
    assert rules.trailing_unpaid_run(months, lambda m: True) == (0, None)
