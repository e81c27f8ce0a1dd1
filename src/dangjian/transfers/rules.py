"""Pure rule computations for transfers (RULES §5): no database access, rule values passed in."""

from __future__ import annotations

import calendar
import datetime as dt

from dangjian.rulebook.registry import national


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus ``months`` calendar months; the day is clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def max_validity_months(
    cross_province: bool, within: int | None = None, across: int | None = None
) -> int:
    """The longest validity a letter may carry (3 months, 6 across provinces)."""
    if cross_province:
        return (
            national("transfer.letter_validity_months_cross_province") if across is None else across
        )
    return national("transfer.letter_validity_months") if within is None else within


def letter_valid_until(issued_on: dt.date, months: int) -> dt.date:
    """The last day a letter is valid: ``months`` after issue, minus one day."""
    return add_months(issued_on, months) - dt.timedelta(days=1)


def is_overdue(valid_until: dt.date, today: dt.date, received: bool) -> bool:
    """A letter not received by the end of its validity is overdue."""
    return not received and today > valid_until


def needs_transfer(away_from: dt.date, away_until: dt.date, away_months: int | None = None) -> bool:
    """Away at least ``away_months`` (6) → transfer the relationship; less → 流动党员."""
    if away_months is None:
        away_months = national("transfer.away_months")
    return away_until >= add_months(away_from, away_months)


def untransferred_too_long(since: dt.date, today: dt.date, flag_months: int | None = None) -> bool:
    """A 流动党员 away for more than ``flag_months`` (6) without a transfer is flagged."""
    if flag_months is None:
        flag_months = national("transfer.untransferred_flag_months")
    return today > add_months(since, flag_months)
