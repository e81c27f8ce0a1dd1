"""Reads of 比学习: a branch's hours and points against the yearly minimum, a member's own
record, reflection lists and the originality evidence for a review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from dangjian.orglife import selectors as orglife
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.rules import is_cadre, study_hours_target
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.rulebook.selectors import rule_value

from . import originality
from .models import COLLECTIVE_KIND, OriginalityMatch, Reflection, SelfStudy, StudyKind


def collective_points_per_hour() -> Decimal:
    kind = StudyKind.objects.filter(code=COLLECTIVE_KIND).first()
    return kind.points_per_hour if kind else Decimal("0")


@dataclass
class StudyRow:
    person: Person
    status: str
    collective: Decimal
    self_hours: Decimal
    points: Decimal
    target: int
    cadre: bool
    reflections: int = 0
    pending: int = 0

    @property
    def hours(self) -> Decimal:
        return self.collective + self.self_hours

    @property
    def met(self) -> bool:
        return self.hours >= self.target

    @property
    def studied(self) -> bool:
        return self.hours > 0

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.target)) if self.target else 100


def branch_study(actor, branch: PartyOrg, year: int) -> list[StudyRow]:
    """Every member of the branch: collective 学时 (organisational life, via ``orglife``),
    confirmed self-study hours and 学习积分, reflections, against the yearly minimum."""
    hours_rows = orglife.branch_study_hours(actor, branch, year)
    person_ids = [r.person.pk for r in hours_rows]
    own = {
        row["person_id"]: row
        for row in SelfStudy.objects.restrict(actor, "view")
        .filter(person_id__in=person_ids, studied_on__year=year)
        .values("person_id")
        .annotate(
            hours=Sum("hours", filter=Q(status=SelfStudy.Status.CONFIRMED)),
            points=Sum("points", filter=Q(status=SelfStudy.Status.CONFIRMED)),
            pending=Count("pk", filter=Q(status=SelfStudy.Status.SUBMITTED)),
        )
        .order_by()
    }
    written = dict(
        Reflection.objects.restrict(actor, "view")
        .filter(person_id__in=person_ids, year=year)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
        .order_by()
    )
    price = collective_points_per_hour()
    rows = []
    for r in hours_rows:
        mine = own.get(r.person.pk, {})
        self_hours = mine.get("hours") or Decimal("0")
        rows.append(
            StudyRow(
                person=r.person,
                status=r.status,
                collective=r.hours,
                self_hours=self_hours,
                points=(r.hours * price + (mine.get("points") or Decimal("0"))).quantize(
                    Decimal("0.1")
                ),
                target=r.target,
                cadre=r.cadre,
                reflections=written.get(r.person.pk, 0),
                pending=mine.get("pending") or 0,
            )
        )
    return rows


@dataclass
class MemberYear:
    person: Person
    year: int
    collective: Decimal
    self_hours: Decimal
    points: Decimal
    target: int
    meetings: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    reflections: list = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return self.collective + self.self_hours

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.target)) if self.target else 100


def member_year(actor, person: Person, year: int) -> MemberYear:
    """One member's study year: meetings attended (collective), self-study entries,
    reflections, hours and points against his minimum. ``actor`` must see ``person``."""
    branch = person.membership.branch if hasattr(person, "membership") else None
    on = dt.date(year, 12, 31)
    key = "orglife.study_hours.cadre" if is_cadre(person.title) else "orglife.study_hours.member"
    target = (
        rule_value(key, on=on, org=branch)
        if branch is not None
        else study_hours_target(person.title)
    )
    collective = orglife.study_hours(person, year)
    meetings = list(
        Attendance.objects.filter(
            person=person,
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__held_on__year=year,
        )
        .select_related("meeting")
        .order_by("-meeting__held_on")
    )
    entries = list(
        SelfStudy.objects.restrict(actor, "view")
        .filter(person=person, studied_on__year=year)
        .select_related("kind")
        .order_by("-studied_on", "-pk")
    )
    confirmed = [e for e in entries if e.status == SelfStudy.Status.CONFIRMED]
    self_hours = sum((e.hours for e in confirmed), Decimal("0"))
    points = collective * collective_points_per_hour() + sum(
        (e.points for e in confirmed), Decimal("0")
    )
    reflections = list(
        Reflection.objects.restrict(actor, "view")
        .filter(person=person, year=year)
        .order_by("-submitted_at", "-pk")
    )
    return MemberYear(
        person=person,
        year=year,
        collective=collective,
        self_hours=self_hours,
        points=points.quantize(Decimal("0.1")),
        target=int(target),
        meetings=meetings,
        entries=entries,
        reflections=reflections,
    )


def reflection_list(
    actor,
    *,
    query: str = "",
    status: str = "",
    year: int | None = None,
    branch: PartyOrg | None = None,
    flagged: bool = False,
):
    """Reflections the actor may see, filtered (the list and its export)."""
    rows = Reflection.objects.restrict(actor, "view").select_related("person", "branch")
    if query:
        rows = rows.filter(Q(title__contains=query) | Q(person__name__startswith=query))
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(year=year)
    if branch is not None:
        rows = rows.filter(branch__path__startswith=branch.path)
    if flagged:
        rows = rows.filter(flagged=True)
    return rows


def self_study_queue(actor, *, status: str = SelfStudy.Status.SUBMITTED):
    """Self-study entries waiting for the actor's confirmation (those he may change)."""
    return (
        SelfStudy.objects.restrict(actor, "change")
        .filter(status=status)
        .select_related("person", "kind", "branch")
    )


@dataclass
class SideBySide:
    match: OriginalityMatch
    source: Reflection
    mine: list
    theirs: list
    shared_chars: int


def originality_evidence(actor, reflection: Reflection) -> list[SideBySide]:
    """The stored matches of the current version, each with both texts cut into shared and
    own runs (for highlighting). Empty for a reader without the review grant."""
    matches = list(
        OriginalityMatch.objects.restrict(actor, "view")
        .filter(reflection=reflection, version=reflection.version)
        .select_related("source__person", "source__branch")
        .order_by("-containment", "pk")[:5]
    )
    result = []
    for match in matches:
        passages = originality.matching_passages(reflection.text, match.source.text)
        result.append(
            SideBySide(
                match=match,
                source=match.source,
                mine=originality.segments(
                    reflection.text, [(p.a_start, p.a_end) for p in passages]
                ),
                theirs=originality.segments(
                    match.source.text, [(p.b_start, p.b_end) for p in passages]
                ),
                shared_chars=sum(p.length for p in passages),
            )
        )
    return result


def meetings_for_reflection(person: Person, *, since: dt.date):
    """Held meetings of the member's branch he may link a reflection to (newest first)."""
    branch_id = person.membership.branch_id
    return Meeting.objects.filter(
        branch_id=branch_id, status=Meeting.Status.HELD, held_on__gte=since
    ).order_by("-held_on")
