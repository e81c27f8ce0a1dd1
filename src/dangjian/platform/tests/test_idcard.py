"""ID numbers (GB 11643): checksum, birth date, gender, age."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.platform import idcard


def test_a_known_valid_number_parses():
    assert idcard.parse("11010519491231002X") == (dt.date(1949, 12, 31), "F")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194913310020", "出生日期无效"),
        ("110105299912310027", "超出合理范围"),
    ],
)
def test_invalid_numbers_get_a_chinese_reason(number, message):
    with pytest.raises(ValidationError, match=message):
        idcard.parse(number)


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_made_numbers_parse_back_to_their_birth_date_and_gender(birth, seq):
    number = idcard.make("360102", birth, seq)
    assert idcard.parse(number) == (birth, "M" if seq % 2 else "F")


def test_normalise_uppercases_and_strips_spaces():
    assert idcard.normalise(" 11010519491231002x ") == "11010519491231002X"


def test_age_counts_whole_years():
    assert idcard.age_on(dt.date(1990, 3, 7), dt.date(2026, 3, 6)) == 35
    assert idcard.age_on(dt.date(1990, 3, 7), dt.date(2026, 3, 7)) == 36
