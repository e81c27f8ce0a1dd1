"""Pure rule functions of organisational life: periods, due dates, compliance, quorum, cadres.

No database access: rule values (a kind's period in months, the quorum fraction) are passed
in, defaulting to the national values of ``rulebook.registry``. The services and selectors
load the values that govern a branch (``RuleBook``) and call these.

Periods are aligned on the calendar year: a period of ``n`` months covers months
``k*n+1 … min(12, (k+1)*n)`` of a year (1 → month, 3 → quarter, 12 → year). A kind's
requirement for a period is met by one held meeting dated inside it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

from dangjian.rulebook.registry import national

GENERAL_MEETING = "general_meeting"
COMMITTEE_MEETING = "committee_meeting"
GROUP_MEETING = "group_meeting"
PARTY_LECTURE = "party_lecture"
THEME_DAY = "theme_day"
ORG_LIFE_MEETING = "org_life_meeting"
LEADERSHIP_LIFE_MEETING = "leadership_life_meeting"
HEART_TO_HEART_TALK = "heart_to_heart_talk"

KINDS = (
    GENERAL_MEETING,
    COMMITTEE_MEETING,
    GROUP_MEETING,
    PARTY_LECTURE,
    THEME_DAY,
    ORG_LIFE_MEETING,
    LEADERSHIP_LIFE_MEETING,
    HEART_TO_HEART_TALK,
)
SANHUI_YIKE = (GENERAL_MEETING, COMMITTEE_MEETING, GROUP_MEETING, PARTY_LECTURE)
# What a branch is checked on (民主生活会 is the leadership team's, i.e. a party committee's).
BRANCH_KINDS = SANHUI_YIKE + (THEME_DAY, ORG_LIFE_MEETING, HEART_TO_HEART_TALK)
COMMITTEE_KINDS = (LEADERSHIP_LIFE_MEETING,)

# Hours credited to each present attendee by default; the recorder may change them per
# meeting (a half-day 党课 is not a one-hour 支委会). Not a national rule: a house default.
DEFAULT_STUDY_HOURS: dict[str, Decimal] = {
    GENERAL_MEETING: Decimal("2"),
    COMMITTEE_MEETING: Decimal("1"),
    GROUP_MEETING: Decimal("1.5"),
    PARTY_LECTURE: Decimal("3"),
    THEME_DAY: Decimal("3"),
    ORG_LIFE_MEETING: Decimal("3"),
    LEADERSHIP_LIFE_MEETING: Decimal("4"),
    HEART_TO_HEART_TALK: Decimal("0.5"),
}

# Compliance states of one kind in one period.
DONE = "done"  # held inside the period
DUE = "due"  # the period is open and nothing is held yet
LATE = "late"  # the latest period that ended without a meeting: being chased now
MISSING = "missing"  # an older period that ended without a meeting
FUTURE = "future"  # the period has not begun
NOT_REQUIRED = "not_required"  # e.g. 党小组会 for a branch without party groups

SEVERITY = {NOT_REQUIRED: 0, FUTURE: 1, DONE: 2, DUE: 3, LATE: 4, MISSING: 5}

# Titles that make a person a cadre (支部书记、副书记、支委委员): they have the higher study
# minimum and count toward the 支委会 quorum.
CADRE_TITLE_WORDS = ("书记", "委员")


def period_key(kind: str) -> str:
    return f"orglife.period.{kind}"


def period_bounds(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """First and last day of the ``months``-long period (aligned on the year) holding ``day``."""
    if months < 1:
        raise ValueError("a period lasts at least one month")
    months = min(months, 12)
    first_month = (day.month - 1) // months * months + 1
    last_month = min(12, first_month + months - 1)
    last_day = calendar.monthrange(day.year, last_month)[1]
    return dt.date(day.year, first_month, 1), dt.date(day.year, last_month, last_day)


def periods_of_year(year: int, months: int) -> list[tuple[dt.date, dt.date]]:
    """Every period of ``months`` months in ``year``, in order."""
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        start, end = period_bounds(day, months)
        out.append((start, end))
        day = end + dt.timedelta(days=1)
    return out


def previous_period(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    start, _end = period_bounds(day, months)
    return period_bounds(start - dt.timedelta(days=1), months)


def next_due(months: int, last_held: dt.date | None, today: dt.date) -> dt.date:
    """The date by which the next meeting of a kind with a ``months`` period must be held.

    If one was already held in today's period, the end of the following period; otherwise
    the end of today's period (which may already have passed only if today is after it —
    never: today's period ends on or after today).
    """
    start, end = period_bounds(today, months)
    if last_held is not None and start <= last_held <= end:
        return period_bounds(end + dt.timedelta(days=1), months)[1]
    return end


def period_status(
    start: dt.date,
    end: dt.date,
    held: int,
    today: dt.date,
    *,
    latest_ended: bool = False,
    required: bool = True,
) -> str:
    """The compliance state of one kind in the period ``start``–``end``.

    ``held``: meetings held in it; ``latest_ended``: whether this is the most recent period
    that has ended (a miss there is LATE — still chased and escalated — older ones MISSING).
    """
    if not required:
        return NOT_REQUIRED
    if held > 0:
        return DONE
    if today < start:
        return FUTURE
    if today <= end:
        return DUE
    return LATE if latest_ended else MISSING


def month_status(
    year: int,
    month: int,
    kinds_months: dict[str, int],
    held_by_kind_month: dict[tuple[str, int], int],
    today: dt.date,
    *,
    not_required: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, dict[str, str]]:
    """The state of one month of a branch's calendar, and each kind's part in it.

    A kind with a period longer than a month counts in the month if it was held anywhere in
    that month's period (done), or — when it was not — only in the period's last month,
    where its state is the period's (a quarterly 党员大会 is not missing in January).
    The month's state is the worst of its parts; a month that has not begun is FUTURE.
    """
    day = dt.date(year, month, 1)
    parts: dict[str, str] = {}
    if day > today:
        return FUTURE, parts
    for kind, months in kinds_months.items():
        if kind in not_required:
            continue
        start, end = period_bounds(day, months)
        held = sum(held_by_kind_month.get((kind, m), 0) for m in range(start.month, end.month + 1))
        if held == 0 and end.month != month:
            continue
        latest_ended = end < today and period_bounds(today, months)[0] == end + dt.timedelta(days=1)
        parts[kind] = period_status(start, end, held, today, latest_ended=latest_ended)
    if not parts:
        return (FUTURE if day > today else NOT_REQUIRED), parts
    worst = max(parts.values(), key=SEVERITY.__getitem__)
    return worst, parts


def theme_day_date(year: int, month: int, day_of_month: int) -> dt.date:
    """The branch's fixed 主题党日 in a month (the last day when the month is shorter)."""
    return dt.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def voting_quorum_met(present: int, voters: int, fraction: Fraction | None = None) -> bool:
    """支部党员大会: more than ``fraction`` (½) of the members with a vote are present."""
    fraction = national("orglife.quorum.general_meeting") if fraction is None else fraction
    if voters <= 0:
        return False
    return Fraction(present, voters) > fraction


def committee_quorum_met(present: int, members: int, fraction: Fraction | None = None) -> bool:
    """支委会: at least ``fraction`` (½) of the committee members are present."""
    fraction = national("orglife.quorum.committee_meeting") if fraction is None else fraction
    if members <= 0:
        return False
    return Fraction(present, members) >= fraction


def is_cadre(title: str) -> bool:
    """Whether a person with this 职务 is a branch secretary or committee member."""
    return any(word in (title or "") for word in CADRE_TITLE_WORDS)


def study_hours_target(
    title: str, *, member_minimum: int | None = None, cadre_minimum: int | None = None
) -> int:
    """The yearly 学时 minimum for a person with this 职务 (32 for members, 56 for cadres)."""
    if is_cadre(title):
        return national("orglife.study_hours.cadre") if cadre_minimum is None else cadre_minimum
    return national("orglife.study_hours.member") if member_minimum is None else member_minimum
