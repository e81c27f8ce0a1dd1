"""Reads of retail customers within the actor's scope."""

from __future__ import annotations

from django.db.models import Q

from dangjian.orgs.models import Unit
from dangjian.people.selectors import mixed_pinyin_q
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.pinyin_search import is_latin_query
from dangjian.platform.scoping import grants_for, model_label

from .models import RetailCustomer


def search_q(text: str) -> Q:
    """Licence number (prefix), phone (exact), owner/shop name, pinyin or initials."""
    text = text.strip()
    if text.isdigit():
        if len(text) == 11 and text.startswith("1"):
            return Q(phone_hash=lookup_hash(text)) | Q(licence_no__startswith=text)
        return Q(licence_no__startswith=text)
    if is_latin_query(text):
        latin = text.replace(" ", "").lower()
        return (
            Q(owner_initials__startswith=latin)
            | Q(owner_pinyin__startswith=latin)
            | Q(shop_initials__startswith=latin)
            | mixed_pinyin_q(text, "owner_pinyin", "owner_initials")
        )
    # Prefixes, so both use their index at a million rows; shop names are searched by how
    # they begin ("好运" finds 好运便利店).
    return Q(owner_name__startswith=text) | Q(shop_name__startswith=text)


def customer_list(
    actor,
    *,
    query: str = "",
    unit: Unit | None = None,
    business_format: str = "",
    segment: str = "",
):
    customers = RetailCustomer.objects.restrict(actor, "view").select_related(
        "unit", "account_manager"
    )
    if query:
        customers = customers.filter(search_q(query))
    if unit is not None:
        customers = customers.filter(unit__in=unit.subtree_ids())
    if business_format:
        customers = customers.filter(business_format=business_format)
    if segment == "special":
        customers = customers.filter(Q(elderly=True) | Q(disabled=True) | Q(ill=True))
    elif segment:
        customers = customers.filter(**{segment: True})
    return customers


def units_for(actor, action: str = "add"):
    """Bureaus and market areas where ``actor`` may ``action`` customers (for forms/services).

    Viewing a unit is not enough: a secretary sees his bureau but may not add customers there.
    """
    units = Unit.objects.filter(kind__in=[Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA])
    if getattr(actor, "is_superuser", False):
        return units
    label = model_label(RetailCustomer)
    subtrees = [
        g.subtree for g in grants_for(actor) if g.tree == "unit" and g.allows(label, action)
    ]
    if not subtrees:
        return units.none()
    condition = Q(pk__in=subtrees[0])
    for subtree in subtrees[1:]:
        condition |= Q(pk__in=subtree)
    return units.filter(condition)
