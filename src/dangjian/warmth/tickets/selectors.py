"""Reads of 首问负责制 tickets.

A ticket is seen by whoever's grants reach its unit (``restrict``), and — wherever it was
transferred — by its owner and its current handler (a department across the company may
work a bureau's ticket without a grant on the bureau).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import Unit
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.scoping import (
    EVERYTHING,
    grant_condition,
    grants_for,
    model_label,
    scope_filter,
)

from .models import Ticket, TicketStat


def units_for(actor, action: str = "view", model=Ticket):
    """Units whose tickets (or ``model`` rows) ``actor`` may ``action``: unit grants reach
    their subtree, party grants the units their organisations cover (resolved to ids by the
    scoping module, as ``restrict()`` does)."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return Unit.objects.all()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Unit.objects.none()
    label = model_label(model)
    condition = None
    for grant in grants_for(actor):
        if not grant.allows(label, action) or label in grant.own_only:
            continue
        if grant.tree == "unit" and grant.covers_all:
            return Unit.objects.all()
        part, _multi = grant_condition(grant, Unit, "pk" if grant.tree == "unit" else "party_orgs")
        condition = part if condition is None else condition | part
    return Unit.objects.filter(condition) if condition is not None else Unit.objects.none()


def _granted(actor, action: str = "view") -> Q | None:
    """The scoping condition of the actor's grants on tree nodes for tickets (``restrict``'s,
    own-only grants left out: a member's own tickets come with owner/handler below);
    ``EVERYTHING`` or None (no such grant). A party grant arrives as the literal list of
    the units its branches cover."""
    condition, _multi = scope_filter(actor, action, Ticket, own=False)
    return condition


def visible_tickets(actor):
    """Every ticket ``actor`` may open: his units' (by grant), his own and those he handles."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Ticket.objects.none()
    if actor.is_superuser:
        return Ticket.objects.all()
    granted = _granted(actor)
    if granted is EVERYTHING:
        return Ticket.objects.all()
    condition = Q(owner=actor) | Q(handler=actor)
    if granted is not None:
        condition |= granted
    return Ticket.objects.filter(condition)


def _in_granted_units(actor):
    if actor.is_superuser:
        return Ticket.objects.all()
    granted = _granted(actor)
    if granted is EVERYTHING:
        return Ticket.objects.all()
    if granted is None:
        return Ticket.objects.filter(Q(owner=actor) | Q(handler=actor))
    return Ticket.objects.filter(granted)


def ticket_for(actor, pk: int) -> Ticket | None:
    return (
        visible_tickets(actor)
        .select_related("unit", "category", "customer", "owner", "handler", "handler_unit")
        .filter(pk=pk)
        .first()
    )


def _search(text: str) -> Q:
    text = text.strip()
    digits = text.replace("-", "")
    if text.isdigit() and len(text) == 11 and text.startswith("1"):
        return Q(contact_phone_hash=lookup_hash(text))
    if digits.isdigit():
        # A ticket number: "2026-0000123" or just the id.
        number = int(digits[4:]) if "-" in text and len(digits) > 4 else int(digits)
        return Q(pk=number)
    return Q(contact_name__startswith=text) | Q(subject__startswith=text)


def ticket_list(
    actor,
    *,
    query: str = "",
    mine: bool = False,
    status: str = "",
    kind: str = "",
    category=None,
    channel: str = "",
    unit: Unit | None = None,
    overdue: bool = False,
    month: str = "",
):
    """The tickets of the list page and the export, filtered."""
    if mine:
        tickets = Ticket.objects.filter(Q(owner=actor) | Q(handler=actor))
    else:
        # The unit-wide view: the grants' units only (one indexed IN, no OR with owner and
        # handler, which made PostgreSQL walk the whole recent-tickets index); tickets
        # transferred in from elsewhere are in "我的工单".
        tickets = _in_granted_units(actor)
    if query:
        tickets = tickets.filter(_search(query))
    if status == "open":
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    elif status:
        tickets = tickets.filter(status=status)
    if kind:
        tickets = tickets.filter(kind=kind)
    if category is not None:
        tickets = tickets.filter(category=category)
    if channel:
        tickets = tickets.filter(channel=channel)
    if unit is not None:
        tickets = tickets.filter(unit__in=unit.subtree_ids())
    if overdue:
        # One range of ticket_running_clock_idx (running tickets by due time).
        tickets = tickets.overdue(timezone.now())
    if month:
        try:
            start = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            start = None
        if start is not None:
            end = (start + dt.timedelta(days=32)).replace(day=1)
            tz = timezone.get_current_timezone()
            tickets = tickets.filter(
                created_at__gte=dt.datetime.combine(start, dt.time(), tz),
                created_at__lt=dt.datetime.combine(end, dt.time(), tz),
            )
    return tickets


def public_events(ticket: Ticket):
    return ticket.events.filter(public=True).select_related("to_user", "other").order_by("at", "pk")


def timeline(ticket: Ticket):
    return ticket.events.select_related("actor", "to_user", "to_unit", "other").order_by("at", "pk")


def staff_candidates():
    """Users a ticket may be transferred to: active, with a ticket-working role somewhere
    (checked again by the service). Found by name, never listed whole."""
    return User.objects.filter(is_active=True, grants__isnull=False).distinct()


def search_staff(queryset, text):
    return queryset.filter(
        Q(display_name__startswith=text) | Q(username__startswith=text)
    ).order_by("display_name", "pk")


def stats_units(actor):
    """Units whose statistics ``actor`` may read, top-most first."""
    return units_for(actor, "view", TicketStat).order_by("depth", "path")


def counts_for_home(actor) -> dict[str, int]:
    """My open tickets and how many are overdue (for the list header)."""
    mine = Ticket.objects.filter(Q(owner=actor) | Q(handler=actor), status__in=Ticket.OPEN_STATUSES)
    now = timezone.now()
    return {
        "open": mine.count(),
        "overdue": mine.overdue(now).count(),
    }
