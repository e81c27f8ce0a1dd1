"""Visit-plan rules as pure functions (no database): which plans match a customer, how often
he is due, when, and whether he is overdue. The selectors express the same rules in SQL
(``selectors.interval_case``); the tests hold both to these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

# When the office has switched off every plan that matches a customer (even the default).
FALLBACK_EVERY_DAYS = 30


@dataclass(frozen=True)
class PlanRule:
    every_days: int
    tier_min: int | None = None
    tier_max: int | None = None
    segment: str = ""

    @property
    def is_default(self) -> bool:
        return self.tier_min is None and self.tier_max is None and not self.segment

    def matches(self, tier: int, segments: Iterable[str]) -> bool:
        if self.tier_min is not None and tier < self.tier_min:
            return False
        if self.tier_max is not None and tier > self.tier_max:
            return False
        return not self.segment or self.segment in set(segments)


def visit_interval(tier: int, segments: Iterable[str], plans: Iterable[PlanRule]) -> int:
    """Days between visits for a customer: the smallest interval of the plans that match him
    (the strictest plan wins), else ``FALLBACK_EVERY_DAYS``."""
    segments = list(segments)
    days = [p.every_days for p in plans if p.matches(tier, segments)]
    return min(days) if days else FALLBACK_EVERY_DAYS


def due_on(last_visit: dt.date | None, every_days: int, *, today: dt.date) -> dt.date:
    """The date the next visit is due; a customer never visited is due today."""
    if last_visit is None:
        return today
    return last_visit + dt.timedelta(days=every_days)


def days_overdue(last_visit: dt.date | None, every_days: int, *, today: dt.date) -> int:
    """How many days past due (0 when due today or not yet due)."""
    return max(0, (today - due_on(last_visit, every_days, today=today)).days)


def is_due(
    last_visit: dt.date | None, every_days: int, *, today: dt.date, within_days: int = 0
) -> bool:
    """Due (or overdue) today, or within the next ``within_days`` days."""
    return due_on(last_visit, every_days, today=today) <= today + dt.timedelta(days=within_days)


def tier_range_problem(tier_min: int | None, tier_max: int | None) -> str:
    """An empty message when the range makes sense, else why not (for the plan form)."""
    if tier_min is not None and tier_max is not None and tier_min > tier_max:
        return _("档位下限不能大于上限")
    return ""
