"""Reads for 三亮 cards, always within the actor's scope (the public page excepted)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from dangjian.orgs.models import PartyOrg
from dangjian.people.selectors import search_q as person_search_q

from .models import Commitment, MemberCard


def card_for_public_token(token: str) -> MemberCard:
    """The published card behind a public link (no login), or 404. Used by the card's public
    page and by ``appraisal``'s public rating (评一评)."""
    card = (
        MemberCard.objects.select_related("person", "person__unit")
        .filter(public_token=token, is_published=True, person__membership__isnull=False)
        .first()
    )
    if card is None or not token:
        raise Http404
    return card


def _prefixed(condition: Q, prefix: str) -> Q:
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            clone.children.append((prefix + key, value))
    return clone


def person_q(text: str, prefix: str = "person__") -> Q:
    """The people search (name, pinyin, initials …) on a ``person`` relation."""
    return _prefixed(person_search_q(text), prefix)


def card_list(
    actor,
    *,
    query: str = "",
    badge: str = "",
    published: str = "",
    branch: PartyOrg | None = None,
):
    """Cards the actor may see; ``badge``/``published``: "yes" / "no"."""
    cards = MemberCard.objects.restrict(actor, "view").select_related(
        "person", "person__membership__branch"
    )
    if query:
        # People only (name, pinyin, initials): conditions on one table keep its indexes usable.
        cards = cards.filter(person_q(query))
    if badge in ("yes", "no"):
        cards = cards.filter(is_model_post=badge == "yes")
    if published in ("yes", "no"):
        cards = cards.filter(is_published=published == "yes")
    if branch is not None:
        cards = cards.filter(person__membership__branch=branch)
    return cards


def current_commitment(card: MemberCard, today: dt.date | None = None) -> Commitment | None:
    """The commitments the card shows: this year's (the coming year's in December, once
    written)."""
    today = today or timezone.localdate()
    return (
        Commitment.objects.filter(card=card, year__in=[today.year, today.year + 1])
        .order_by("year")
        .first()
    )


def commitments_of(actor, card: MemberCard):
    """Every year's commitments of a card the actor may see, newest first."""
    return (
        Commitment.objects.restrict(actor, "view")
        .filter(card=card)
        .select_related("reviewed_by")
        .prefetch_related("files")
        .order_by("-year")
    )


def branches_for_print(actor):
    """Branches whose cards the actor may print (sees cards of)."""
    return (
        PartyOrg.objects.restrict(actor, "view")
        .filter(kind=PartyOrg.Kind.BRANCH, is_active=True)
        .order_by("path")
    )


def cards_for_print(actor, *, branch: PartyOrg | None = None, pks=(), today=None):
    """Published cards to print (each with this year's commitments), in name order."""
    today = today or timezone.localdate()
    cards = (
        MemberCard.objects.restrict(actor, "view")
        .filter(is_published=True, person__membership__isnull=False)
        .select_related("person", "person__unit")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.filter(year=today.year),
                to_attr="this_year",
            )
        )
        .order_by("person__name_pinyin", "pk")
    )
    if branch is not None:
        cards = cards.filter(person__membership__branch=branch)
    if pks:
        cards = cards.filter(pk__in=pks)
    return cards
