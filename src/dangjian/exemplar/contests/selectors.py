"""Reads of 比业绩: event lists (company view), an event's results, a member's record and a
branch's members' results."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from dangjian.orgs.models import PartyOrg

from .models import Contest, Participant


def contest_list(
    actor,
    *,
    query: str = "",
    kind: str = "",
    line: str = "",
    org: PartyOrg | None = None,
    year: int | None = None,
):
    """Events the actor may see (his organisation's subtree), filtered."""
    rows = Contest.objects.restrict(actor, "view").select_related("organiser")
    if query:
        rows = rows.filter(name__contains=query)
    if kind:
        rows = rows.filter(kind=kind)
    if line:
        rows = rows.filter(business_line=line)
    if org is not None:
        rows = rows.filter(organiser__path__startswith=org.path)
    if year:
        rows = rows.filter(held_on__year=year)
    return rows


def with_counts(contests):
    """Participant and awardee counts (one GROUP BY, for the rows of a page)."""
    return contests.annotate(
        entrants=Count("participants"),
        awardees=Count("participants", filter=~Q(participants__award="")),
    )


def results(contest: Contest):
    """The event's entries, best first (unscored last)."""
    return contest.participants.select_related("person", "person__unit", "branch").order_by(
        "rank", "person__name_pinyin", "pk"
    )


def entries_of(actor, *, person=None, branch: PartyOrg | None = None, year: int | None = None):
    """Entries the actor may see: his own (a member), or a branch's members' (officers)."""
    rows = Participant.objects.restrict(actor, "view").select_related(
        "contest", "contest__organiser", "person"
    )
    if person is not None:
        rows = rows.filter(person=person)
    if branch is not None:
        rows = rows.filter(branch=branch)
    if year:
        rows = rows.filter(contest__held_on__year=year)
    return rows.order_by("-contest__held_on", "pk")


@dataclass
class MemberTally:
    person: object
    entries: list = field(default_factory=list)

    @property
    def awards(self) -> int:
        return sum(1 for e in self.entries if e.award)

    @property
    def best_rank(self):
        ranks = [e.rank for e in self.entries if e.rank]
        return min(ranks) if ranks else None


def branch_tally(actor, branch: PartyOrg, year: int) -> list[MemberTally]:
    """Per member of the branch: his entries of the year and awards (published events)."""
    tallies: dict[int, MemberTally] = {}
    for entry in entries_of(actor, branch=branch, year=year).filter(
        contest__status=Contest.Status.PUBLISHED
    ):
        tallies.setdefault(entry.person_id, MemberTally(entry.person)).entries.append(entry)
    return sorted(tallies.values(), key=lambda t: (-t.awards, -len(t.entries), t.person.name))
