"""Resident ID numbers (GB 11643-1999): checksum, embedded birth date and gender."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def parse(value: str) -> tuple[dt.date, str]:
    """(birth date, gender "M"/"F") of a valid 18-digit ID number, or ValidationError."""
    number = normalise(value)
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise ValidationError("身份证号应为18位，前17位为数字，末位为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError("身份证号中的出生日期无效") from exc
    if birth.year < 1900 or birth > dt.date.today():
        raise ValidationError("身份证号中的出生日期超出合理范围")
    if check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号校验位错误")
    return birth, ("M" if int(number[16]) % 2 else "F")


def make(region: str, birth: dt.date, sequence: int) -> str:
    """A valid ID number (for demo and test data): region code, birth date, 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
