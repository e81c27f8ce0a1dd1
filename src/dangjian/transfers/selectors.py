"""Reads of transfers and 流动党员 records, always within the actor's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from dangjian.orgs.models import PartyOrg
from dangjian.people.selectors import search_q as person_search_q
from dangjian.rulebook.registry import national

from . import rules
from .models import MobileMember, Transfer


def _person_q(text: str, prefix: str = "person__") -> Q:
    """Person search (name, pinyin, ID number …) rewritten onto the ``person`` relation."""
    condition = person_search_q(text)
    return _prefixed(condition, prefix)


def _prefixed(q: Q, prefix: str) -> Q:
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            clone.children.append((prefix + key, value))
    return clone


def transfer_list(
    actor,
    *,
    query: str = "",
    status: str = "",
    direction: str = "",
    overdue: bool = False,
    year: int | None = None,
    today: dt.date | None = None,
):
    """Transfers the actor may see; ``direction`` "out" / "in" relative to his organisations."""
    today = today or timezone.localdate()
    transfers = Transfer.objects.restrict(actor, "view").select_related(
        "person", "from_org", "to_org"
    )
    if query:
        transfers = transfers.filter(_person_q(query) | Q(number__startswith=query))
    if status:
        transfers = transfers.filter(status=status)
    if direction in ("out", "in"):
        mine = PartyOrg.objects.restrict(actor, "view").values("pk")
        field = "from_org__in" if direction == "out" else "to_org__in"
        transfers = transfers.filter(**{field: mine})
    if overdue:
        transfers = transfers.filter(status=Transfer.Status.ISSUED, valid_until__lt=today)
    if year:
        transfers = transfers.filter(issued_on__year=year)
    return transfers


def mobile_list(
    actor,
    *,
    query: str = "",
    status: str = "",
    flagged: bool = False,
    today: dt.date | None = None,
):
    """流动党员 records the actor may see; ``flagged``: away longer than the national limit
    (the branch-specific limit is applied by the flagging service)."""
    today = today or timezone.localdate()
    records = MobileMember.objects.restrict(actor, "view").select_related("person", "branch")
    if query:
        records = records.filter(_person_q(query) | Q(destination__contains=query))
    if status:
        records = records.filter(status=status)
    if flagged:
        months = national("transfer.untransferred_flag_months")
        limit = rules.add_months(today, -months)
        records = records.filter(
            Q(flagged_at__isnull=False) | Q(since__lt=limit), status=MobileMember.Status.ACTIVE
        )
    return records


def flag_counts(actor, *, today: dt.date | None = None) -> dict[str, int]:
    """How many overdue letters and long-away 流动党员 the actor has to look at."""
    return {
        "overdue": transfer_list(actor, overdue=True, today=today).count(),
        "untransferred": mobile_list(actor, flagged=True, today=today).count(),
    }
