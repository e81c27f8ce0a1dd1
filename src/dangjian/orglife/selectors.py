"""Reads of organisational life within the actor's scope: meeting lists, the compliance
calendar of a branch, the company matrix (branches × months) and study hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Person
from dangjian.rulebook.selectors import RuleBook

from . import rules
from .models import Attendance, Meeting, MeetingKind
from .services import roll_for

KIND_LABELS = dict(MeetingKind.choices)


def meeting_list(
    actor,
    *,
    query: str = "",
    branch: PartyOrg | None = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
):
    """Meetings the actor may see, newest first by default; ``branch`` includes its subtree."""
    meetings = Meeting.objects.restrict(actor, "view").select_related("branch", "host")
    if query:
        meetings = meetings.filter(
            Q(topic__icontains=query) | Q(place__icontains=query) | Q(branch__name__contains=query)
        )
    if branch is not None:
        meetings = meetings.filter(branch__path__startswith=branch.path)
    if kind:
        meetings = meetings.filter(kind=kind)
    if status:
        meetings = meetings.filter(status=status)
    if year:
        meetings = meetings.filter(
            Q(held_on__year=year) | Q(held_on__isnull=True, planned_on__year=year)
        )
    return meetings


def visible_branches(actor, *, org: PartyOrg | None = None, unit: Unit | None = None):
    """Party branches the actor may see, optionally under ``org`` or covering a unit of
    ``unit``'s subtree (a county bureau)."""
    branches = PartyOrg.objects.restrict(actor, "view").filter(
        kind=PartyOrg.Kind.BRANCH, is_active=True
    )
    if org is not None:
        branches = branches.filter(path__startswith=org.path)
    if unit is not None:
        branches = branches.filter(
            pk__in=PartyOrg.objects.filter(units__path__startswith=unit.path).values("pk")
        )
    return branches


def kinds_months(book: RuleBook, org: PartyOrg, on: dt.date) -> dict[str, int]:
    """Each checked kind's period in months for ``org`` (rules that govern it on ``on``)."""
    kinds = rules.BRANCH_KINDS if org.kind == PartyOrg.Kind.BRANCH else rules.COMMITTEE_KINDS
    return {k: book.value(rules.period_key(k), on=on, org=org) for k in kinds}


def _held_counts(actor, branch_ids, year: int) -> dict[int, dict[tuple[str, int], int]]:
    """{branch id: {(kind, month): meetings held}} — one GROUP BY query."""
    rows = (
        Meeting.objects.restrict(actor, "view")
        .filter(
            branch_id__in=branch_ids,
            status=Meeting.Status.HELD,
            held_on__gte=dt.date(year, 1, 1),
            held_on__lte=dt.date(year, 12, 31),
        )
        .annotate(month=ExtractMonth("held_on"))
        .values("branch_id", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[tuple[str, int], int]] = {}
    for row in rows:
        out.setdefault(row["branch_id"], {})[(row["kind"], row["month"])] = row["n"]
    return out


@dataclass
class Cell:
    month: int
    status: str
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @cached_property  # read twice per cell by the matrix template
    def missing_kinds(self) -> list[str]:
        return [
            str(KIND_LABELS[k])
            for k, s in self.parts.items()
            if s in (rules.DUE, rules.LATE, rules.MISSING)
        ]


@dataclass
class MatrixRow:
    branch: PartyOrg
    cells: list[Cell]

    @property
    def late(self) -> int:
        return sum(1 for c in self.cells if c.status in (rules.LATE, rules.MISSING))


STATUS_LABELS = {
    rules.DONE: "已完成",
    rules.DUE: "待完成",
    rules.LATE: "逾期",
    rules.MISSING: "缺失",
    rules.FUTURE: "未到期",
    rules.NOT_REQUIRED: "无要求",
}


def compliance_rows(
    actor, branches: list[PartyOrg], year: int, *, today: dt.date | None = None
) -> list[MatrixRow]:
    """One row of 12 month cells per branch: one meeting query for all the branches, the
    rule book loaded once; no query per branch.

    A month's state depends only on the branch's periods and on how many meetings of each
    kind it held in that month's period, so states are computed once per distinct
    combination and shared (most branches of a page hold the same pattern)."""
    today = today or timezone.localdate()
    book = RuleBook.load()
    counts = _held_counts(actor, [b.pk for b in branches], year)
    on = min(today, dt.date(year, 12, 31))
    layouts: dict = {}  # (periods, not required) -> per month: [(kind, months of its period)]
    states: dict = {}  # (layout key, month, meetings held per kind) -> (status, parts)
    out = []
    for branch in branches:
        periods = kinds_months(book, branch, on)
        not_required = {rules.GROUP_MEETING} if branch.numchild == 0 else set()
        held = counts.get(branch.pk, {})
        key = (tuple(periods.items()), frozenset(not_required))
        layout = layouts.get(key)
        if layout is None:
            layout = layouts[key] = [
                [
                    (kind, range(start.month, end.month + 1))
                    for kind, months in periods.items()
                    if kind not in not_required
                    for start, end in [rules.period_bounds(dt.date(year, month, 1), months)]
                ]
                for month in range(1, 13)
            ]
        cells = []
        for month in range(1, 13):
            sums = tuple(sum(held.get((kind, m), 0) for m in ms) for kind, ms in layout[month - 1])
            state_key = (key, month, sums)
            state = states.get(state_key)
            if state is None:
                state = states[state_key] = rules.month_status(
                    year, month, periods, held, today, not_required=not_required
                )
            cells.append(Cell(month, state[0], state[1]))
        out.append(MatrixRow(branch, cells))
    return out


@dataclass
class KindRow:
    kind: str
    label: str
    months: int
    periods: list[dict]  # {start, end, status, held}
    next_due: dt.date | None


def branch_calendar(actor, org: PartyOrg, year: int, *, today: dt.date | None = None) -> dict:
    """The compliance calendar of one branch (or committee) for a year: per kind, each
    period's state; per month, the month's state — what is due, done, late or missing."""
    today = today or timezone.localdate()
    book = RuleBook.load()
    on = min(today, dt.date(year, 12, 31))
    periods = kinds_months(book, org, on)
    not_required = (
        {rules.GROUP_MEETING} if org.kind == PartyOrg.Kind.BRANCH and org.numchild == 0 else set()
    )
    held = _held_counts(actor, [org.pk], year).get(org.pk, {})
    last_held = dict(
        Meeting.objects.restrict(actor, "view")
        .filter(branch=org, status=Meeting.Status.HELD, held_on__lte=today)
        .values("kind")
        .annotate(last=_max("held_on"))
        .values_list("kind", "last")
    )
    kinds = []
    for kind, months in periods.items():
        rows = []
        current_start = rules.period_bounds(today, months)[0]
        for start, end in rules.periods_of_year(year, months):
            n = sum(held.get((kind, m), 0) for m in range(start.month, end.month + 1))
            latest_ended = end < today and end + dt.timedelta(days=1) == current_start
            rows.append(
                {
                    "start": start,
                    "end": end,
                    "held": n,
                    "status": rules.period_status(
                        start,
                        end,
                        n,
                        today,
                        latest_ended=latest_ended,
                        required=kind not in not_required,
                    ),
                }
            )
        kinds.append(
            KindRow(
                kind,
                str(KIND_LABELS[kind]),
                months,
                rows,
                None
                if kind in not_required
                else rules.next_due(months, last_held.get(kind), today),
            )
        )
    cells = []
    for month in range(1, 13):
        status, parts = rules.month_status(
            year, month, periods, held, today, not_required=not_required
        )
        cells.append(Cell(month, status, parts))
    return {"kinds": kinds, "months": cells, "year": year, "today": today}


def _max(name):
    from django.db.models import Max

    return Max(name)


# ----------------------------------------------------------------------------- study hours


def study_hours(person: Person, year: int) -> Decimal:
    """学时 credited to ``person`` in ``year``: the hours of every held meeting he attended
    (present). A system read for other modules (appraisal, assessment); callers showing it
    to a user check that the user may see the person."""
    total = Attendance.objects.filter(
        person=person,
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.HELD,
        meeting__held_on__year=year,
    ).aggregate(total=Sum("meeting__study_hours"))["total"]
    return total or Decimal("0")


@dataclass
class HoursRow:
    person: Person
    status: str
    hours: Decimal
    target: int
    cadre: bool

    @property
    def met(self) -> bool:
        return self.hours >= self.target

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.target)) if self.target else 100


def branch_study_hours(actor, branch: PartyOrg, year: int) -> list[HoursRow]:
    """Every member of the branch with his 学时 for the year vs his minimum (two queries)."""
    book = RuleBook.load()
    on = dt.date(year, 12, 31)
    member_min = book.value("orglife.study_hours.member", on=on, org=branch)
    cadre_min = book.value("orglife.study_hours.cadre", on=on, org=branch)
    totals = dict(
        Attendance.objects.restrict(actor, "view")
        .filter(
            meeting__branch=branch,
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__held_on__year=year,
        )
        .values("person_id")
        .annotate(total=Sum("meeting__study_hours"))
        .values_list("person_id", "total")
        .order_by()
    )
    rows = []
    for membership in roll_for(branch):
        person = membership.person
        rows.append(
            HoursRow(
                person,
                membership.get_status_display(),
                totals.get(person.pk) or Decimal("0"),
                rules.study_hours_target(
                    person.title, member_minimum=member_min, cadre_minimum=cadre_min
                ),
                rules.is_cadre(person.title),
            )
        )
    return rows
