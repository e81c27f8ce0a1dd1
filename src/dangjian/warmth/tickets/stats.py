"""The statistics rollup (``TicketStat``): how it is kept, rebuilt and read.

A ticket counts in the month it was created (a cohort: "of March's tickets, 93 % were
resolved in time"), once for its own unit and once for every ancestor unit. A statistics
page for a node therefore reads only the rows of that node (totals, by month, by category)
and of its direct children (by unit) — a few hundred rows whatever the number of tickets.
Services apply the *change* of a ticket's contribution after each step
(``contribution`` before and after); ``rebuild`` recomputes every row from the tickets.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from dangjian.orgs.models import Unit

from .models import Ticket, TicketStat

METRICS = TicketStat.METRICS


def contribution(ticket: Ticket) -> dict[str, int]:
    """What one ticket adds to its rollup cells (nothing once merged into another)."""
    if ticket.pk is None or ticket.status == Ticket.Status.MERGED:
        return dict.fromkeys(METRICS, 0)
    return {
        "created": 1,
        "responded": int(ticket.first_response_seconds is not None),
        "response_seconds": ticket.first_response_seconds or 0,
        "response_met": int(bool(ticket.response_met)),
        "resolved": int(ticket.resolution_seconds is not None),
        "resolution_met": int(bool(ticket.resolution_met)),
        "closed": int(ticket.close_seconds is not None),
        "close_seconds": ticket.close_seconds or 0,
        "rated": int(ticket.rating is not None),
        "rating_sum": ticket.rating or 0,
    }


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _lineage_ids(unit_id: int) -> list[int]:
    path = Unit.objects.values_list("path", flat=True).get(pk=unit_id)
    step = Unit.steplen
    prefixes = [path[:i] for i in range(step, len(path) + 1, step)]
    return list(Unit.objects.filter(path__in=prefixes).values_list("pk", flat=True))


def apply(ticket: Ticket, before: dict[str, int]) -> None:
    """Add the change of ``ticket``'s contribution since ``before`` to its cells (inside the
    caller's transaction)."""
    after = contribution(ticket)
    delta = {k: after[k] - before.get(k, 0) for k in METRICS if after[k] != before.get(k, 0)}
    if not delta:
        return
    month = month_of(ticket.created_at)
    for unit_id in _lineage_ids(ticket.unit_id):
        cell, _created = TicketStat.objects.get_or_create(
            unit_id=unit_id, month=month, category_id=ticket.category_id, kind=ticket.kind
        )
        TicketStat.objects.filter(pk=cell.pk).update(**{k: F(k) + v for k, v in delta.items()})


# ---------------------------------------------------------------------------- rebuild

_LEAF_SQL = """
SELECT t.unit_id, {month} AS month, t.category_id, t.kind,
       COUNT(*),
       COUNT(t.first_response_seconds), COALESCE(SUM(t.first_response_seconds), 0),
       SUM(CASE WHEN t.response_met THEN 1 ELSE 0 END),
       COUNT(t.resolution_seconds),
       SUM(CASE WHEN t.resolution_met THEN 1 ELSE 0 END),
       COUNT(t.close_seconds), COALESCE(SUM(t.close_seconds), 0),
       COUNT(t.rating), COALESCE(SUM(t.rating), 0)
FROM {table} t
WHERE t.status <> 'merged'
GROUP BY 1, 2, 3, 4
"""


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "date_trunc('month', t.created_at AT TIME ZONE 'Asia/Shanghai')::date"
    # SQLite stores UTC text; the demo's time zone is a fixed +8 hours.
    return "date(t.created_at, '+8 hours', 'start of month')"


_PG_REBUILD = """
INSERT INTO {stat} (unit_id, month, category_id, kind, {metrics})
SELECT a.id, l.month, l.category_id, l.kind, {sums}
FROM ({leaf}) AS l(unit_id, month, category_id, kind, {metrics})
JOIN {unit} u ON u.id = l.unit_id
CROSS JOIN LATERAL generate_series(1, u.depth) AS d(level)
JOIN {unit} a ON a.path = substr(u.path, 1, d.level * {step})
GROUP BY 1, 2, 3, 4
"""


def rebuild(*, progress=None) -> int:
    """Recompute every rollup row from the tickets; returns the number of rows written.

    PostgreSQL: one statement (the leaf GROUP BY joined to every ancestor by path prefix);
    elsewhere the leaf GROUP BY and the ancestors in memory."""
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        sql = _PG_REBUILD.format(
            stat=q(TicketStat._meta.db_table),
            unit=q(Unit._meta.db_table),
            metrics=", ".join(METRICS),
            sums=", ".join(f"SUM(l.{m})" for m in METRICS),
            leaf=_LEAF_SQL.format(month=_month_sql(), table=q(Ticket._meta.db_table)),
            step=Unit.steplen,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {q(TicketStat._meta.db_table)}")  # noqa: S608
            cursor.execute(sql)
            return cursor.rowcount
    sql = _LEAF_SQL.format(month=_month_sql(), table=Ticket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        leaves = cursor.fetchall()
    if progress:
        progress(50, "")
    paths = dict(Unit.objects.values_list("pk", "path"))
    by_path = {p: pk for pk, p in paths.items()}
    step = Unit.steplen
    cells: dict[tuple, list[int]] = {}
    for unit_id, month, category_id, kind, *values in leaves:
        if isinstance(month, str):
            month = dt.date.fromisoformat(month[:10])
        path = paths[unit_id]
        for i in range(step, len(path) + 1, step):
            key = (by_path[path[:i]], month, category_id, kind)
            cell = cells.get(key)
            if cell is None:
                cells[key] = list(values)
            else:
                for j, v in enumerate(values):
                    cell[j] += v
    rows = [
        TicketStat(
            unit_id=u, month=m, category_id=c, kind=k, **dict(zip(METRICS, values, strict=True))
        )
        for (u, m, c, k), values in cells.items()
    ]
    with transaction.atomic():
        TicketStat.objects.all().delete()
        TicketStat.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# ---------------------------------------------------------------------------- reading


def _figures(row: dict) -> dict:
    def ratio(a, b):
        return round(100 * a / b, 1) if b else None

    return {
        **row,
        "response_hours": round(row["response_seconds"] / row["responded"] / 3600, 1)
        if row["responded"]
        else None,
        "close_hours": round(row["close_seconds"] / row["closed"] / 3600, 1)
        if row["closed"]
        else None,
        "response_rate": ratio(row["response_met"], row["responded"]),
        "sla_rate": ratio(row["resolution_met"], row["resolved"]),
        "satisfaction": round(row["rating_sum"] / row["rated"], 2) if row["rated"] else None,
    }


def _sums(qs, *group) -> list[dict]:
    sums = {k: Sum(k) for k in METRICS}
    rows = qs.values(*group).annotate(**sums).order_by(*group) if group else [qs.aggregate(**sums)]
    return [_figures({**r, **{k: r[k] or 0 for k in METRICS}}) for r in rows]


def read(
    unit: Unit,
    *,
    month_from: dt.date,
    month_to: dt.date,
    kind: str = "",
    category_id: int | None = None,
) -> dict:
    """Totals, by month, by category and by child unit for ``unit`` (the caller checked the
    actor may see it)."""
    base = TicketStat.objects.filter(month__gte=month_from, month__lte=month_to)
    if kind:
        base = base.filter(kind=kind)
    if category_id:
        base = base.filter(category_id=category_id)
    own = base.filter(unit=unit)
    children = list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    )
    by_child = {r["unit"]: r for r in _sums(base.filter(unit__in=children), "unit")}
    return {
        "total": _sums(own)[0],
        "by_month": _sums(own, "month"),
        "by_category": _sums(own, "category", "category__name"),
        "by_kind": _sums(own, "kind"),
        "by_unit": [(child, by_child.get(child.pk)) for child in children],
    }
