"""Reads of people, always within the actor's scope."""

from __future__ import annotations

from django.db.models import Q

from dangjian.orgs.models import PartyOrg
from dangjian.platform import idcard
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.pinyin_search import is_latin_query, name_query

from .models import Person


def search_q(text: str) -> Q:
    """Name (Chinese, pinyin, initials), ID number (exact, by keyed hash) or phone (exact)."""
    text = text.strip()
    normalised = idcard.normalise(text)
    if len(normalised) == 18 and normalised[:17].isdigit():
        return Q(id_number_hash=lookup_hash(normalised))
    if text.isdigit() and len(text) >= 7:
        return Q(phone_hash=lookup_hash(text))
    return name_query(text, "name", "name_pinyin", "name_initials") | mixed_pinyin_q(
        text, "name_pinyin", "name_initials"
    )


def mixed_pinyin_q(text: str, pinyin_field: str, initials_field: str) -> Q:
    """Full pinyin of the first syllable(s) then initials: "shanxx" finds 单雄信.

    People type the surname in full and the given name as initials. Each split of the query
    into ``head`` + ``tail`` matches names whose pinyin starts with ``head`` and whose
    initials start with ``head``'s first letter + ``tail`` — prefix conditions only, so the
    pinyin and initials indexes still serve it.
    """
    latin = text.replace(" ", "").lower()
    condition = Q(pk__in=[])
    if not is_latin_query(text) or len(latin) < 3:
        return condition
    for split in range(2, len(latin)):
        head, tail = latin[:split], latin[split:]
        condition |= Q(
            **{f"{pinyin_field}__startswith": head, f"{initials_field}__startswith": head[0] + tail}
        )
    return condition


def person_list(actor, *, query: str = "", branch=None, status: str = ""):
    people = Person.objects.restrict(actor, "view").select_related(
        "unit", "membership", "membership__branch"
    )
    if query:
        people = people.filter(search_q(query))
    if branch is not None:
        # A branch, or any organisation above it: its whole subtree. (The API passes an id;
        # scoping above still applies, so naming another branch yields nothing.)
        org = branch if isinstance(branch, PartyOrg) else PartyOrg.objects.filter(pk=branch).first()
        people = people.filter(membership__branch__in=org.subtree_ids()) if org else people.none()
    if status == "member":
        people = people.filter(membership__isnull=False)
    elif status == "none":
        people = people.filter(membership__isnull=True)
    elif status:
        people = people.filter(membership__status=status)
    return people
