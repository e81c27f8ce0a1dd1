"""Reads of the licence window, always within the actor's scope (``restrict()``), and the
public page's read of one window by its token."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.platform import idcard
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.pinyin_search import is_latin_query
from dangjian.rulebook.selectors import applied_rule

from . import rules
from .models import LicenceApplication, LicenceWindow, LocalMaterial
from .services import local_extras

Status = LicenceApplication.Status
WORKLIST_LIMIT = 50


def search_q(text: str) -> Q:
    """Number (XK…), applicant (name, initials, exact ID number), shop name or licence number —
    each by how it begins, so a prefix index serves it at any scale."""
    text = text.strip()
    upper = text.upper()
    if len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or upper[17] == "X"):
        return Q(applicant_id_hash=lookup_hash(idcard.normalise(text)))
    if upper.startswith("XK"):
        return Q(number__startswith=upper)
    if text.isdigit():
        return Q(licence_no__startswith=text)
    if is_latin_query(text):
        return Q(applicant_initials__startswith=text.replace(" ", "").lower())
    return Q(applicant_name__startswith=text) | Q(shop_name__startswith=text)


def application_list(
    actor,
    *,
    query: str = "",
    kind: str = "",
    status: str = "",
    window: LicenceWindow | None = None,
    overdue: bool = False,
    deemed: bool = False,
    year: int | None = None,
    today: dt.date | None = None,
):
    """Applications the actor may see, filtered."""
    today = today or timezone.localdate()
    rows = LicenceApplication.objects.restrict(actor, "view").select_related("window")
    if query:
        rows = rows.filter(search_q(query))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if window is not None:
        rows = rows.filter(window=window)
    if overdue:
        rows = rows.filter(next_due_on__lt=today)
    if deemed:
        rows = rows.filter(deemed_accepted=True)
    if year:
        rows = rows.filter(
            received_on__gte=dt.date(year, 1, 1), received_on__lt=dt.date(year + 1, 1, 1)
        )
    return rows


def windows_visible(actor):
    return LicenceWindow.objects.restrict(actor, "view").select_related("unit", "benchmark")


def search_windows(queryset, text: str):
    """Windows whose name or bureau contains ``text``, or whose bureau code is ``text`` — the
    window pickers' search (a thousand windows nationwide: never listed whole)."""
    return queryset.filter(
        Q(name__contains=text) | Q(unit__name__contains=text) | Q(unit__code=text)
    ).order_by("unit__path", "pk")


def default_window(actor) -> LicenceWindow | None:
    """The window the worklist opens on: the one active window the actor works at (as
    staff), else the only active window he may see; None when there are several."""
    visible = LicenceWindow.objects.restrict(actor, "view").filter(is_active=True)
    own = list(visible.filter(staff__user=actor)[:2])
    candidates = own or list(visible[:2])
    return candidates[0] if len(candidates) == 1 else None


def worklist(actor, *, window: LicenceWindow | None = None, today: dt.date | None = None) -> dict:
    """A window clerk's day: today's receipts, notices due, decisions due, deliveries due
    (each at most ``WORKLIST_LIMIT`` rows, most urgent first) and how many are overdue."""
    today = today or timezone.localdate()
    base = LicenceApplication.objects.restrict(actor, "view").select_related("window")
    if window is not None:
        base = base.filter(window=window)
    soon = today + dt.timedelta(days=7)

    def due(*statuses):
        return base.filter(status__in=statuses, next_due_on__lte=soon).order_by("next_due_on", "pk")

    return {
        "received_today": list(base.filter(received_on=today).order_by("-pk")[:WORKLIST_LIMIT]),
        "notices_due": list(due(Status.RECEIVED)[:WORKLIST_LIMIT]),
        "decisions_due": list(due(*LicenceApplication.BEFORE_DECISION)[:WORKLIST_LIMIT]),
        "deliveries_due": list(due(Status.DECIDED)[:WORKLIST_LIMIT]),
        "overdue": base.filter(next_due_on__lt=today).count(),
    }


def expiring_customers(
    actor,
    *,
    query: str = "",
    window: LicenceWindow | None = None,
    within_days: int | None = None,
    today: dt.date | None = None,
):
    """Licensed customers the actor may see whose licence expires within the warning days."""
    today = today or timezone.localdate()
    days = within_days or applied_rule("licence.expiry_warning_days", on=today).value
    rows = (
        RetailCustomer.objects.restrict(actor, "view")
        .filter(
            is_active=True,
            licence_expires_on__gte=today,
            licence_expires_on__lte=today + dt.timedelta(days=days),
        )
        .select_related("unit", "account_manager")
    )
    if window is not None:
        rows = rows.filter(unit__path__startswith=window.unit.path)
    if query:
        rows = rows.filter(
            Q(licence_no__startswith=query)
            | Q(shop_name__startswith=query)
            | Q(owner_name__startswith=query)
        )
    return rows


def window_for_customer(customer: RetailCustomer, windows_by_path: dict[str, LicenceWindow]):
    """The window of the customer's bureau (the nearest ancestor unit that has one)."""
    path, step = customer.unit.path, Unit.steplen
    for end in range(len(path), 0, -step):
        window = windows_by_path.get(path[:end])
        if window is not None:
            return window
    return None


def windows_by_unit_path(units) -> dict[str, LicenceWindow]:
    """Active windows of the given units (and their ancestors), keyed by the unit's path."""
    step = Unit.steplen
    paths = {u.path[:i] for u in units for i in range(step, len(u.path) + 1, step)}
    rows = LicenceWindow.objects.filter(is_active=True, unit__path__in=paths).select_related("unit")
    return {w.unit.path: w for w in rows.order_by("pk")}


def local_materials(actor):
    return LocalMaterial.objects.restrict(actor, "view").select_related("unit")


def public_window(token: str) -> LicenceWindow:
    """The active window behind a public link (no login), or 404."""
    window = (
        LicenceWindow.objects.select_related("unit", "benchmark", "benchmark__unit")
        .filter(public_token=token, is_active=True)
        .first()
    )
    if window is None or not token:
        raise Http404
    return window


def public_materials(window: LicenceWindow) -> dict[str, list[rules.ChecklistItem]]:
    return rules.materials_by_kind(local_extras(window.unit))
