"""Rule definitions: typed national values, display, and which way is stricter."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from dangjian.rulebook.registry import RULES, definition, national
from dangjian.rulebook.services import parse_value


def test_every_definition_parses_its_national_value():
    for d in RULES.values():
        value = d.national
        assert d.display(value)
        if d.default is not None:
            assert value is not None


def test_national_values_match_the_rules_document():
    assert national("dev.min_age") == 18
    assert national("dev.activist_min_months") == 12
    assert national("dev.notice_working_days") == 5
    assert national("orglife.study_hours.cadre") == 56
    assert national("orglife.quorum.general_meeting") == Fraction(1, 2)
    assert national("dues.brackets.employed")[0] == (Decimal("3000"), Decimal("0.005"))
    assert national("dues.brackets.employed")[-1] == (None, Decimal("0.02"))
    assert national("appraisal.excellent_max_fraction") == Fraction(1, 3)


def test_min_rules_are_stricter_when_larger_and_max_rules_when_smaller():
    activist = definition("dev.activist_min_months")
    assert activist.stricter_or_equal(18, 12)
    assert not activist.stricter_or_equal(6, 12)
    talk = definition("dev.talk_within_months")
    assert talk.stricter_or_equal(Fraction(1, 2), 1) or talk.stricter_or_equal(0, 1)
    assert not talk.stricter_or_equal(2, 1)
    assert definition("dev.application_min_months").stricter_or_equal(6, None)


def test_display_reads_like_the_document():
    assert definition("dev.probation_months").display(12) == "12 个月"
    brackets = definition("dues.brackets.retired")
    assert brackets.display(brackets.national) == "≤5,000 元 0.5%；以上 1%"
    assert definition("dev.application_min_months").display(None) == "未规定"


@pytest.mark.parametrize(
    ("key", "text", "stored"),
    [
        ("dev.activist_min_months", "18", 18),
        ("orglife.quorum.general_meeting", "2/3", "2/3"),
        ("orglife.quorum.general_meeting", "0.5", "1/2"),
        ("dues.fixed.student", "0.2", "0.2"),
        ("dues.brackets.retired", "5000:0.005\n*:0.01", [["5000", "0.005"], [None, "0.01"]]),
    ],
)
def test_values_typed_in_a_form_are_stored_as_json(key, text, stored):
    assert parse_value(definition(key), text) == stored


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("dev.activist_min_months", "-1"),
        ("dev.activist_min_months", "一年"),
        ("orglife.quorum.general_meeting", "3/2"),
        ("dues.fixed.student", "NaN"),
        ("dues.brackets.retired", "5000:0.005"),
        ("dev.min_age", ""),
    ],
)
def test_bad_values_are_refused_naming_the_field(key, text):
    with pytest.raises(ValidationError) as exc:
        parse_value(definition(key), text)
    assert "value" in exc.value.error_dict
