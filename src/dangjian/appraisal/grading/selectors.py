"""Reads of 三评 results, each starting from ``restrict()``.

A campaign is visible on these pages to whoever may read results and sees a party
organisation inside it or above it (a branch secretary sees the company-wide campaign, and
in it only his branch's rows, because the rows themselves are restricted by branch).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from dangjian.appraisal.models import Campaign, RaterKind, Rating, Score
from dangjian.orgs.models import PartyOrg
from dangjian.platform.pinyin_search import name_query
from dangjian.platform.scoping import get_restricted_or_404, user_can

from .models import (
    DisciplinaryRecord,
    GradeDecision,
    ImprovementPlan,
    LeniencyFlag,
    MemberResult,
    ResultPart,
    ResultRun,
)

# Rater kinds whose raters are never shown (RULES §4: 民主测评 is anonymous).
ANONYMOUS_KINDS = (RaterKind.CUSTOMER, RaterKind.PUBLIC)


def visible_campaigns(actor):
    """Campaigns whose results ``actor`` may see part of, newest first."""
    if not user_can(actor, "view", MemberResult):
        return Campaign.objects.none()
    orgs = PartyOrg.objects.restrict(actor, "view")
    inside = orgs.filter(path__startswith=OuterRef("party_org__path"))
    return (
        Campaign.objects.filter(Q(party_org__in=orgs) | Q(Exists(inside)))
        .select_related("party_org")
        .order_by("-year", "-pk")
    )


def campaign_for(actor, pk) -> Campaign:
    campaign = visible_campaigns(actor).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def can_compute(actor, campaign: Campaign) -> bool:
    """Whether ``actor`` may (re)compute results and decide leniency flags: results may be
    written, and the campaign's own organisation is within his reach."""
    return (
        user_can(actor, "add", MemberResult)
        and PartyOrg.objects.restrict(actor, "change").filter(pk=campaign.party_org_id).exists()
        or getattr(actor, "is_superuser", False)
    )


def last_run(campaign: Campaign) -> ResultRun | None:
    return ResultRun.objects.filter(campaign=campaign).order_by("-computed_at", "-pk").first()


def results(
    actor,
    campaign: Campaign,
    *,
    query: str = "",
    branch=None,
    proposed: str = "",
    decided: str = "",
    action: str = "view",
):
    """The campaign's member results ``actor`` may see (filtered)."""
    qs = MemberResult.objects.restrict(actor, action).filter(campaign=campaign)
    if query:
        qs = qs.filter(
            name_query(query, "person__name", "person__name_pinyin", "person__name_initials")
        )
    if branch:
        qs = qs.filter(branch=branch)
    if proposed:
        qs = qs.filter(proposed=proposed)
    if decided == "none":
        qs = qs.filter(decision__isnull=True)
    elif decided:
        qs = qs.filter(decision__grade=decided)
    return qs.select_related("person", "branch", "decision")


def result_for(actor, pk, action: str = "view") -> MemberResult:
    return get_restricted_or_404(
        MemberResult.objects.select_related("campaign", "campaign__party_org", "person", "branch"),
        actor,
        action,
        pk=pk,
    )


def parts_of(result: MemberResult) -> list[ResultPart]:
    order = {kind: i for i, kind in enumerate(RaterKind.values)}
    return sorted(result.parts.all(), key=lambda p: order.get(p.kind, 99))


@dataclass
class Sheet:
    rating: Rating
    score: float | None
    values: dict[int, int]
    rater: str


def sheets_of(actor, result: MemberResult, *, kind: str | None = None) -> list[Sheet]:
    """The rating sheets behind a result: each with its score and values, and the rater
    only where the viewer may know it (never for customers and the public; peers' names
    never to the rated member himself)."""
    campaign = result.campaign
    ratings = Rating.objects.filter(campaign=campaign, ratee_id=result.person_id).select_related(
        "rater"
    )
    if kind:
        ratings = ratings.filter(kind=kind)
    ratings = list(ratings.order_by("kind", "submitted_at", "pk")[:1000])
    criteria = {c.pk: c.weight for c in campaign.criteria.all()}
    values: dict[int, dict[int, int]] = {}
    for rating_id, criterion_id, value in Score.objects.filter(
        rating__in=[r.pk for r in ratings]
    ).values_list("rating_id", "criterion_id", "value"):
        values.setdefault(rating_id, {})[criterion_id] = value
    _lo, hi = campaign.score_bounds
    is_self = result.person.user_id is not None and result.person.user_id == getattr(
        actor, "pk", None
    )
    sheets = []
    for rating in ratings:
        own = values.get(rating.pk, {})
        total_weight = sum(float(criteria.get(c, 0)) for c in own)
        score = (
            sum(float(criteria.get(c, 0)) * v for c, v in own.items()) * 100 / (total_weight * hi)
            if total_weight
            else None
        )
        if rating.kind in ANONYMOUS_KINDS or (rating.kind == RaterKind.PEER and is_self):
            rater = "—"
        else:
            rater = rating.rater.name if rating.rater_id else "—"
        sheets.append(Sheet(rating, score, own, rater))
    return sheets


def flags(actor, campaign: Campaign, *, status: str = ""):
    qs = (
        LeniencyFlag.objects.restrict(actor, "view")
        .filter(campaign=campaign)
        .select_related("rater", "decided_by")
        .order_by("status", "-sheets", "pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def branch_means(actor, run: ResultRun | None) -> list[dict]:
    """Per-branch means of the run, only for the branches ``actor`` sees (names joined)."""
    if run is None:
        return []
    rows = {row[0]: row for row in run.summary.get("branches", [])}
    visible = PartyOrg.objects.restrict(actor, "view").filter(pk__in=list(rows))
    out = []
    for pk, name in visible.values_list("pk", "name"):
        _pk, mean, scored, size = rows[pk]
        out.append({"id": pk, "name": name, "mean": mean, "scored": scored, "size": size})
    out.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0)))
    return out


def decisions(actor, campaign: Campaign):
    return GradeDecision.objects.restrict(actor, "view").filter(result__campaign=campaign)


def plans(actor, *, open_only: bool = False, campaign: Campaign | None = None):
    qs = ImprovementPlan.objects.restrict(actor, "view").select_related(
        "decision", "decision__result", "decision__result__person", "decision__result__campaign"
    )
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    if campaign is not None:
        qs = qs.filter(decision__result__campaign=campaign)
    return qs.order_by("closed_on", "due_on", "pk")


def disciplinary_records(actor, *, query: str = "", open_only: bool = False):
    qs = DisciplinaryRecord.objects.restrict(actor, "view").select_related("person")
    if query:
        qs = qs.filter(
            name_query(query, "person__name", "person__name_pinyin", "person__name_initials")
        )
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return qs
