"""Pure rules of a 三评 campaign (RULES §4, SPEC §2.3): weights, score bounds, when a campaign
takes ratings. No database access; tested with hypothesis in ``tests/test_rules.py``."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext as _

# The weights of the rater kinds taking part make up the final score: they must sum to this.
WEIGHTS_TOTAL = Decimal("100")


def weights_problem(weights: dict[str, Decimal]) -> str | None:
    """Why a set of rater-kind weights is refused (None when it is fine)."""
    if any(w < 0 for w in weights.values()):
        return _("权重不能为负数")
    if not any(w > 0 for w in weights.values()):
        return _("至少要有一类评议主体的权重大于0")
    total = sum(weights.values(), Decimal("0"))
    if total != WEIGHTS_TOTAL:
        return _("各评议主体权重之和须为100，现为%(total)s") % {"total": total.normalize()}
    return None


def score_problem(value, bounds: tuple[int, int]) -> str | None:
    """Why a score is refused: not a whole number, or outside the campaign's scale."""
    low, high = bounds
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,6}", text):
        return _("请填写%(low)s–%(high)s之间的整数") % {"low": low, "high": high}
    if not low <= int(text) <= high:
        return _("分数须在%(low)s–%(high)s之间") % {"low": low, "high": high}
    return None


def closed_reason(status: str, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> str | None:
    """Why a campaign takes no rating today (None while it is open and in its schedule)."""
    if status in ("closed", "graded"):
        return _("本次评议已截止，感谢您的关注")
    if status != "open":
        return _("本次评议尚未开始")
    if today < starts_on:
        return _("本次评议将于%(d)s开始") % {"d": starts_on.isoformat()}
    if today > ends_on:
        return _("本次评议已于%(d)s截止，感谢您的关注") % {"d": ends_on.isoformat()}
    return None
