"""Reads for 比作风, always within the actor's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.exemplar.showcase.selectors import person_q
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.platform.scoping import grants_for, model_label

from .models import Rectification, SelfInspection


def is_officer(actor) -> bool:
    """Whether the actor sees other members' inspections (not only his own)."""
    if getattr(actor, "is_superuser", False):
        return True
    label = model_label(SelfInspection)
    return any(g.allows(label, "view") and label not in g.own_only for g in grants_for(actor))


def inspection_list(
    actor, *, query: str = "", year: int | None = None, status: str = "", branch=None
):
    rows = SelfInspection.objects.restrict(actor, "view").select_related("person", "branch")
    if query:
        rows = rows.filter(person_q(query))
    if year:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    if branch is not None:
        rows = rows.filter(branch=branch)
    return rows


def measure_list(
    actor,
    *,
    query: str = "",
    status: str = "",
    overdue: bool = False,
    year: int | None = None,
    today: dt.date | None = None,
):
    """Rectification measures the actor may see; ``overdue``: open past the deadline."""
    today = today or timezone.localdate()
    rows = Rectification.objects.restrict(actor, "view").select_related(
        "inspection__person", "inspection__branch", "owner", "problem__category"
    )
    if query:
        rows = rows.filter(person_q(query, "inspection__person__") | Q(measure__contains=query))
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status=Rectification.Status.OPEN, deadline__lt=today)
    if year:
        rows = rows.filter(inspection__year=year)
    return rows


def branches_in_reach(actor):
    return (
        PartyOrg.objects.restrict(actor, "view")
        .filter(kind=PartyOrg.Kind.BRANCH, is_active=True)
        .order_by("path")
    )


def _rate(closed: int, total: int) -> int | None:
    return round(closed * 100 / total) if total else None


def branch_overview(actor, branches, *, year: int, today: dt.date | None = None) -> list[dict]:
    """Per branch (a page of them): members, inspections submitted, open / overdue / closed
    measures and the closure rate — four grouped queries, whatever the number of branches."""
    today = today or timezone.localdate()
    ids = [b.pk for b in branches]
    members = dict(
        Membership.objects.filter(branch__in=ids)
        .values_list("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    inspections = SelfInspection.objects.restrict(actor, "view").filter(branch__in=ids, year=year)
    filed = dict(
        inspections.exclude(status=SelfInspection.Status.DRAFT)
        .values("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    measures = {
        row["branch"]: row
        for row in Rectification.objects.restrict(actor, "view")
        .filter(branch__in=ids, inspection__year=year)
        .values("branch")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(status=Rectification.Status.CLOSED)),
            overdue=Count("pk", filter=Q(status=Rectification.Status.OPEN, deadline__lt=today)),
            closed=Count("pk", filter=Q(status=Rectification.Status.CLOSED)),
        )
    }
    rows = []
    for branch in branches:
        m = measures.get(branch.pk, {})
        total, closed = m.get("total", 0), m.get("closed", 0)
        n_members = members.get(branch.pk, 0)
        rows.append(
            {
                "branch": branch,
                "members": n_members,
                "filed": filed.get(branch.pk, 0),
                "missing": max(0, n_members - filed.get(branch.pk, 0)),
                "total": total,
                "open": m.get("open", 0),
                "overdue": m.get("overdue", 0),
                "closed": closed,
                "rate": _rate(closed, total),
            }
        )
    return rows


def member_status(actor, branch: PartyOrg, *, year: int, today: dt.date | None = None):
    """Every member of ``branch`` with his inspection of ``year`` (or none) and his measures'
    counts — who has not submitted, who has overdue measures."""
    today = today or timezone.localdate()
    members = list(
        Membership.objects.filter(branch=branch)
        .select_related("person")
        .order_by("person__name_pinyin", "pk")
    )
    inspections = {
        i.person_id: i
        for i in SelfInspection.objects.restrict(actor, "view").filter(
            person__in=[m.person_id for m in members], year=year
        )
    }
    counts = {
        row["inspection_id"]: row
        for row in Rectification.objects.filter(inspection__in=[i.pk for i in inspections.values()])
        .values("inspection_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(status=Rectification.Status.OPEN, deadline__lt=today)),
            closed=Count("pk", filter=Q(status=Rectification.Status.CLOSED)),
        )
    }
    rows = []
    for m in members:
        inspection = inspections.get(m.person_id)
        c = counts.get(inspection.pk, {}) if inspection else {}
        rows.append(
            {
                "person": m.person,
                "inspection": inspection,
                "total": c.get("total", 0),
                "overdue": c.get("overdue", 0),
                "closed": c.get("closed", 0),
                "rate": _rate(c.get("closed", 0), c.get("total", 0)),
            }
        )
    return rows
