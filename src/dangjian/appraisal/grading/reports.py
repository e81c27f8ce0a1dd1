"""The campaign report: PDF (summary, charts drawn as bars, per-branch means, grades, and the
members table capped like ``platform.pdf.table_pdf``) and Excel (every member, streamed).

Both show only what the actor may see: the rows come from ``selectors.results``.
"""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.appraisal.models import Campaign, RaterKind
from dangjian.platform.pdf import MAX_TABLE_CELLS, render_pdf
from dangjian.platform.scoping import EVERYTHING, scope_filter

from . import selectors
from .models import Grade, GradeDecision, MemberResult, ResultPart

PDF_COLUMNS = 8


def sees_whole_campaign(actor) -> bool:
    """Whether ``actor``'s results rows are the whole campaign (then the run's stored
    summary answers the figures without reading 200 000 rows)."""
    if getattr(actor, "is_superuser", False):
        return True
    condition, _multi = scope_filter(actor, "view", MemberResult)
    return condition is EVERYTHING


def kind_rates(actor, campaign: Campaign, run=None) -> list[dict]:
    """Sheets, expected and the response rate per rater kind, over the visible results."""
    if run is not None and sees_whole_campaign(actor):
        sums = {
            kind: {"sheets": v.get("sheets", 0), "expected": v.get("expected", 0)}
            for kind, v in run.summary.get("kinds", {}).items()
        }
    else:
        visible = selectors.results(actor, campaign).values("pk")
        sums = {
            r["kind"]: r
            for r in ResultPart.objects.filter(result__in=visible)
            .values("kind")
            .annotate(sheets=Sum("sheets"), expected=Sum("expected"))
            .order_by()
        }
    labels = dict(RaterKind.choices)
    out = []
    for kind in RaterKind.values:
        row = sums.get(kind)
        if row is None:
            continue
        expected = row["expected"] or 0
        out.append(
            {
                "kind": kind,
                "label": labels[kind],
                "sheets": row["sheets"] or 0,
                "expected": expected,
                "rate": round((row["sheets"] or 0) * 100 / expected, 1) if expected else None,
            }
        )
    return out


def histogram(actor, campaign: Campaign, step: int = 5, run=None) -> list[dict]:
    """Score distribution of the visible results (buckets of ``step`` points), grouped in
    SQL (or read from the run's summary when the actor sees the whole campaign)."""
    if run is not None and sees_whole_campaign(actor) and run.summary.get("histogram"):
        counts = {int(low): int(n) for low, n in run.summary["histogram"]}
    else:
        counts = {
            int(row["low"]) * step: row["n"]
            for row in MemberResult.objects.filter(
                pk__in=selectors.results(actor, campaign).filter(score__isnull=False).values("pk")
            )
            .annotate(low=Floor(F("score") / step))
            .values("low")
            .annotate(n=Count("pk"))
            .order_by()
        }
    return [
        {"low": low, "label": f"{low}–{low + step}", "n": counts[low]} for low in sorted(counts)
    ]


def grade_counts(actor, campaign: Campaign) -> dict:
    proposed = dict(
        selectors.results(actor, campaign)
        .values_list("proposed")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("proposed", "n")
    )
    decided = dict(
        GradeDecision.objects.restrict(actor, "view")
        .filter(result__campaign=campaign)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("grade", "n")
    )
    return {
        "rows": [
            {"label": label, "proposed": proposed.get(value, 0), "decided": decided.get(value, 0)}
            for value, label in Grade.choices
        ],
        "unscored": proposed.get("", 0),
    }


def member_rows(actor, campaign: Campaign):
    """(result, {kind: part}) for every visible member, best first (streamed)."""
    qs = selectors.results(actor, campaign).order_by("rank_company", "pk")
    chunk = []
    for result in qs.iterator(chunk_size=2000):
        chunk.append(result)
        if len(chunk) == 2000:
            yield from _with_parts(chunk)
            chunk = []
    if chunk:
        yield from _with_parts(chunk)


def _with_parts(results):
    parts: dict[int, dict[str, ResultPart]] = {}
    for part in ResultPart.objects.filter(result__in=[r.pk for r in results]):
        parts.setdefault(part.result_id, {})[part.kind] = part
    for result in results:
        yield result, parts.get(result.pk, {})


def excel_headers() -> list[str]:
    labels = dict(RaterKind.choices)
    headers = ["全局排名", "支部排名", "姓名", "所在支部", "党员类别", "综合得分", "评议表数"]
    for kind in RaterKind.values:
        headers += [f"{labels[kind]}得分", f"{labels[kind]}份数", f"{labels[kind]}参评率%"]
    return headers + ["建议等次", "评定等次", "评定组织", "评定理由"]


def excel_rows(actor, campaign: Campaign):
    for result, parts in member_rows(actor, campaign):
        row = [
            result.rank_company,
            result.rank_branch,
            result.person.name,
            result.branch.name,
            _("预备党员") if result.probationary else _("正式党员"),
            result.score,
            result.sheets,
        ]
        for kind in RaterKind.values:
            part = parts.get(kind)
            row += [
                part.mean if part else None,
                part.sheets if part else None,
                part.response_rate if part else None,
            ]
        decision = getattr(result, "decision", None)
        row += [
            result.get_proposed_display() if result.proposed else "",
            decision.get_grade_display() if decision else "",
            decision.get_body_display() if decision else "",
            decision.reason if decision else "",
        ]
        yield row


def campaign_report_pdf(actor, campaign: Campaign) -> bytes:
    run = selectors.last_run(campaign)
    rates = kind_rates(actor, campaign, run)
    hist = histogram(actor, campaign, run=run)
    top = max((h["n"] for h in hist), default=1)
    for h in hist:
        h["pct"] = round(h["n"] * 100 / top)
    branches = selectors.branch_means(actor, run)
    max_rows = MAX_TABLE_CELLS // PDF_COLUMNS
    total = selectors.results(actor, campaign).count()
    rows = []
    for result, _parts in member_rows(actor, campaign):
        if len(rows) >= max_rows:
            break
        decision = getattr(result, "decision", None)
        rows.append(
            [
                result.rank_company or "—",
                result.rank_branch or "—",
                result.person.name,
                result.branch.name,
                result.score if result.score is not None else "—",
                result.sheets,
                result.get_proposed_display() if result.proposed else "—",
                decision.get_grade_display() if decision else "—",
            ]
        )
    notice = ""
    if total > len(rows):
        notice = _("本表共 %(total)s 行，PDF 仅显示前 %(shown)s 行；完整数据请导出 Excel。") % {
            "total": total,
            "shown": len(rows),
        }
    return render_pdf(
        "grading/pdf/report.html",
        {
            "title": _("%(c)s 评议报告") % {"c": campaign.name},
            "campaign": campaign,
            "run": run,
            "rates": rates,
            "histogram": hist,
            "branches": branches[:60],
            "more_branches": max(0, len(branches) - 60),
            "grades": grade_counts(actor, campaign),
            "rows": rows,
            "total": total,
            "notice": notice,
            "printed_at": timezone.localtime(),
            "printed_by": actor,
        },
    )
