"""Reads of people, always within the actor's scope."""

from __future__ import annotations

from django.db.models import Q

from dangjian.platform import idcard
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.pinyin_search import name_query

from .models import Person


def search_q(text: str) -> Q:
    """Name (Chinese, pinyin, initials), ID number (exact, by keyed hash) or phone (exact)."""
    text = text.strip()
    normalised = idcard.normalise(text)
    if len(normalised) == 18 and normalised[:17].isdigit():
        return Q(id_number_hash=lookup_hash(normalised))
    if text.isdigit() and len(text) >= 7:
        return Q(phone_hash=lookup_hash(text))
    return name_query(text, "name", "name_pinyin", "name_initials")


def person_list(actor, *, query: str = "", branch=None, status: str = ""):
    people = Person.objects.restrict(actor, "view").select_related(
        "unit", "membership", "membership__branch"
    )
    if query:
        people = people.filter(search_q(query))
    if branch is not None:
        people = people.filter(membership__branch=branch)
    if status == "member":
        people = people.filter(membership__isnull=False)
    elif status == "none":
        people = people.filter(membership__isnull=True)
    elif status:
        people = people.filter(membership__status=status)
    return people
