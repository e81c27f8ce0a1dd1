"""Ranking rules of 比业绩: pure functions, no database."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _


def competition_ranks(
    scores: Mapping[Hashable, Decimal | None], *, higher_is_better: bool = True
) -> dict[Hashable, int | None]:
    """Standard competition ranking ("1224"): equal scores share a rank and the next rank
    skips as many places as were shared. A missing score (None) has no rank."""
    scored = [(key, score) for key, score in scores.items() if score is not None]
    scored.sort(key=lambda item: item[1], reverse=higher_is_better)
    ranks: dict[Hashable, int | None] = dict.fromkeys(scores)
    previous = None
    rank = 0
    for position, (key, score) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[key] = rank
    return ranks


def parse_score(text, *, max_score: Decimal) -> Decimal:
    """A typed score → Decimal with at most two decimals in ``0 … max_score``, or ValueError
    with a message for the user."""
    raw = str(text if text is not None else "").strip().replace("，", ".").replace(",", ".")
    if not raw:
        raise ValueError(_("请填写成绩"))
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ValueError(_("成绩应为数字，如 92.5")) from None
    if not value.is_finite():
        raise ValueError(_("成绩应为数字，如 92.5"))
    if value.as_tuple().exponent < -2:
        raise ValueError(_("成绩最多保留两位小数"))
    if value < 0 or value > max_score:
        raise ValueError(_("成绩应在 0 至 %(max)s 之间") % {"max": f"{max_score.normalize():f}"})
    return value
