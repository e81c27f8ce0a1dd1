"""Reads of the 意见箱, each starting from ``restrict()`` (public reads by key or code)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from dangjian.orgs.models import PartyOrg

from .models import CODE_ALPHABET, CODE_LENGTH, Suggestion, SuggestionBox


def suggestion_list(
    actor,
    *,
    query: str = "",
    status: str = "",
    topic: str = "",
    branch: PartyOrg | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    qs = Suggestion.objects.restrict(actor, "view").select_related("box", "box__branch")
    if query:
        code = query.strip().upper()
        if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code):
            qs = qs.filter(code=code)
        else:
            qs = qs.filter(content__contains=query)
    if status:
        qs = qs.filter(status=status)
    if topic:
        qs = qs.filter(topic=topic)
    if branch is not None:
        qs = qs.filter(box__branch=branch)
    if since:
        qs = qs.filter(submitted_at__date__gte=since)
    if until:
        qs = qs.filter(submitted_at__date__lte=until)
    return qs


def boxes(actor):
    """Boxes of the branches ``actor`` sees, with their open-message counts."""
    return (
        SuggestionBox.objects.restrict(actor, "view")
        .select_related("branch")
        .annotate(
            open_count=Count("messages", filter=Q(messages__status=Suggestion.Status.OPEN)),
            total=Count("messages"),
        )
        .order_by("branch__path")
    )


def branches_without_box(actor):
    return (
        PartyOrg.objects.restrict(actor, "change")
        .filter(kind=PartyOrg.Kind.BRANCH)
        .exclude(pk__in=SuggestionBox.objects.values("branch_id"))
        .order_by("path")
    )


def public_box(key: str) -> SuggestionBox | None:
    return SuggestionBox.objects.select_related("branch").filter(key=key).first()


def tracked(code: str) -> Suggestion | None:
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH:
        return None
    return Suggestion.objects.select_related("box", "box__branch").filter(code=code).first()
