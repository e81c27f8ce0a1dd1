"""Reads of notices and objections.

Two ways to see a notice: manage it (``restrict(actor, "view")``: the issuing organisation's
office, secretary, auditor …) or read it as part of its audience (a published notice whose
audience reaches one of the reader's party organisations, or a public one).
"""

from __future__ import annotations

from django.db.models import Count, Q

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.platform.scoping import EVERYTHING, grants_for, scope_filter

from .models import Notice, Objection

READABLE = (Notice.Status.PUBLISHED, Notice.Status.CLOSED)


def _reader_paths(actor) -> list[str]:
    """Paths of the party organisations the actor belongs to: his branch and grant nodes."""
    if not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, "_disclosure_paths", None)
    if cached is not None:
        return cached
    node_ids = {g.node_id for g in grants_for(actor) if g.tree == "party"}
    # Two IN (…) lists rather than an OR across the membership join, which makes the database
    # join every membership of the company to find the actor's one.
    own_branch = Membership.objects.filter(person__user=actor).values("branch_id")
    orgs = PartyOrg.objects.filter(Q(pk__in=node_ids) | Q(pk__in=own_branch))
    paths = sorted(set(orgs.values_list("path", flat=True)))
    actor._disclosure_paths = paths
    return paths


def _ancestor_paths(paths: list[str]) -> list[str]:
    step = PartyOrg.steplen
    found = set()
    for path in paths:
        found.update(path[:i] for i in range(step, len(path) + 1, step))
    return sorted(found)


def audience_q(actor) -> Q:
    """Published or closed notices addressed to the actor (or to everyone)."""
    ancestors = _ancestor_paths(_reader_paths(actor))
    reach = Q(audience=Notice.Audience.PUBLIC)
    if ancestors:
        chosen = Notice.audience_orgs.through.objects.filter(partyorg__path__in=ancestors).values(
            "notice_id"
        )
        reach |= Q(audience=Notice.Audience.SUBTREE, issuing_org__path__in=ancestors)
        reach |= Q(audience=Notice.Audience.CHOSEN, pk__in=chosen)
    return Q(status__in=READABLE) & reach


def visible_notices(actor):
    """Every notice the actor may open: those he manages and those addressed to him."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return Notice.objects.all()
    if not getattr(actor, "is_authenticated", False):
        return Notice.objects.filter(audience_q(actor))
    managed, _multi = scope_filter(actor, "view", Notice)
    if managed is EVERYTHING:
        return Notice.objects.all()  # a grant on the only root: no filter at all
    if managed is None:
        return Notice.objects.filter(audience_q(actor))
    return Notice.objects.filter(managed | audience_q(actor))


def notice_reaches(actor, notice: Notice) -> bool:
    """Whether the notice is addressed to the actor (its audience covers him)."""
    return Notice.objects.filter(audience_q(actor), pk=notice.pk).exists()


def notice_list(
    actor,
    *,
    query: str = "",
    kind: str = "",
    status: str = "",
    org: PartyOrg | None = None,
    year: int | None = None,
):
    notices = visible_notices(actor).select_related("issuing_org")
    if query:
        notices = notices.filter(Q(title__contains=query) | Q(content__contains=query))
    if kind:
        notices = notices.filter(kind=kind)
    if status:
        notices = notices.filter(status=status)
    if org is not None:
        notices = notices.filter(issuing_org__path__startswith=org.path)
    if year:
        notices = notices.filter(starts_on__year=year)
    return notices


def with_objection_counts(notices):
    """Annotate open and total objection counts (one GROUP BY, for list pages)."""
    return notices.annotate(
        objections_total=Count("objections"),
        objections_open=Count("objections", filter=Q(objections__status=Objection.Status.OPEN)),
    )


def public_notices(*, query: str = "", kind: str = ""):
    """Notices anyone may read without logging in."""
    notices = Notice.objects.filter(
        audience=Notice.Audience.PUBLIC, status__in=READABLE
    ).select_related("issuing_org")
    if query:
        notices = notices.filter(title__contains=query)
    if kind:
        notices = notices.filter(kind=kind)
    return notices


def objections_for(actor, notice: Notice):
    """Objections on ``notice`` the actor may read: all for the handlers, his own named ones
    for a member (own-only grant on Objection)."""
    return (
        Objection.objects.restrict(actor, "view")
        .filter(notice=notice)
        .select_related("submitted_by", "answered_by")
        .order_by("submitted_at", "pk")
    )


def own_objections(actor, notice: Notice):
    """The actor's own named objections on ``notice`` (anonymous ones cannot be traced)."""
    if not getattr(actor, "is_authenticated", False):
        return Objection.objects.none()
    return Objection.objects.filter(notice=notice, submitted_by=actor, is_anonymous=False)
