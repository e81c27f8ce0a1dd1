"""Reads: case lists, the pipeline and the balance view — aggregated in SQL, scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership

from .models import PIPELINE_STAGES, DevelopmentCase, DevelopmentPlan, Stage


def case_list(actor, *, query: str = "", stage: str = "", branch=None, overdue: bool = False):
    """Cases ``actor`` may see, filtered; ``branch`` includes its subtree."""
    qs = DevelopmentCase.objects.restrict(actor, "view").select_related("person", "branch")
    if query:
        qs = qs.filter(
            Q(person__name__startswith=query) | Q(person__name_initials__startswith=query.lower())
        )
    if stage == "open":
        qs = qs.filter(stage__in=PIPELINE_STAGES)
    elif stage:
        qs = qs.filter(stage=stage)
    if branch is not None:
        qs = qs.filter(branch__path__startswith=branch.path)
    if overdue:
        qs = qs.filter(stage__in=PIPELINE_STAGES, next_due_on__lt=timezone.localdate())
    return qs


def case_for_detail(actor, pk: int):
    return (
        DevelopmentCase.objects.restrict(actor, "view")
        .select_related("person", "person__unit", "branch")
        .prefetch_related(
            "steps__attachments",
            "steps__recorded_by",
            "steps__branch",
            "contacts__person",
            "notices__objections",
            "moves__from_branch",
            "moves__to_branch",
        )
        .filter(pk=pk)
    )


@dataclass
class PipelineRow:
    key: int | None
    name: str
    counts: dict = field(default_factory=dict)
    overdue: int = 0
    quota: int = 0
    admitted: int = 0
    branches: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.get(s, 0) for s in PIPELINE_STAGES)


def _bureau_of_branches(branch_ids) -> dict[int, tuple[int | None, str]]:
    """branch id → (bureau unit id, name): the nearest 县局 above a unit the branch covers."""
    bureaus = {
        u.path: (u.pk, u.name)
        for u in Unit.objects.filter(kind=Unit.Kind.BUREAU).only("path", "name")
    }
    steplen = Unit.steplen
    out: dict[int, tuple[int | None, str]] = {}
    links = PartyOrg.units.through.objects.filter(partyorg_id__in=branch_ids).values_list(
        "partyorg_id", "unit__path"
    )
    for branch_id, path in links:
        if branch_id in out and out[branch_id][0] is not None:
            continue
        found = None
        for end in range(len(path), 0, -steplen):
            found = bureaus.get(path[:end])
            if found:
                break
        out[branch_id] = found or (None, _("市公司机关"))
    return out


def pipeline_branches(actor, *, bureau: int | None = None):
    """The branches of the pipeline's per-branch view (those covering a unit of ``bureau``'s
    subtree when given): a queryset the view paginates."""
    branches = PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH)
    if bureau is not None:
        unit = Unit.objects.filter(pk=bureau).only("path").first()
        if unit is None:
            return branches.none()
        branches = branches.filter(
            pk__in=PartyOrg.objects.filter(units__path__startswith=unit.path).values("pk")
        )
    return branches


def pipeline(
    actor,
    *,
    by: str = "bureau",
    bureau: int | None = None,
    year: int | None = None,
    branches=None,
    page_ids: list[int] | None = None,
):
    """Counts of applicants, activists, candidates and probationary members per county bureau
    (or per branch of one bureau), with overdue cases, the year's quota and admissions.
    A handful of GROUP BY queries whatever the number of branches.

    ``branches`` (a queryset, default every visible branch) limits what is counted;
    ``page_ids`` (per-branch view only) gives the rows of one page, in that order, while the
    totals still cover every branch counted."""
    today = timezone.localdate()
    year = year or today.year
    if branches is None:
        branches = PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH)
    # Filter by a subquery, not by a list of thousands of ids (parsing and planning a
    # 2 000-parameter IN list costs more than the query).
    branch_ids = branches.values("pk")
    branches = dict(branches.values_list("pk", "name"))
    cases = DevelopmentCase.objects.restrict(actor, "view").filter(branch_id__in=branch_ids)
    stage_counts = (
        cases.filter(stage__in=PIPELINE_STAGES)
        .values("branch_id", "stage")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(next_due_on__lt=today)))
        .order_by()
    )
    admitted = (
        cases.filter(steps__number=17, steps__passed=True, steps__occurred_on__year=year)
        .values("branch_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    quotas = dict(
        DevelopmentPlan.objects.restrict(actor, "view")
        .filter(year=year, branch_id__in=branch_ids)
        .values_list("branch_id", "quota")
    )
    bureau_of = _bureau_of_branches(branch_ids) if (by == "bureau" or bureau) else {}

    def group_of(branch_id):
        if by == "bureau" and not bureau:
            return bureau_of.get(branch_id, (None, _("市公司机关")))
        return branch_id, branches[branch_id]

    rows: dict = {}
    totals = PipelineRow(None, _("合计"))
    paged = None if page_ids is None or by != "branch" else set(page_ids)

    def row(branch_id) -> PipelineRow | None:
        if bureau and bureau_of.get(branch_id, (None,))[0] != bureau:
            return None
        if paged is not None and branch_id not in paged:
            return totals  # counted in the totals only
        key, name = group_of(branch_id)
        if key not in rows:
            rows[key] = PipelineRow(key, name)
        return rows[key]

    for branch_id in branches:
        r = row(branch_id)
        if r is not None:
            r.branches += 1
            r.quota += quotas.get(branch_id, 0)
    for item in stage_counts:
        r = row(item["branch_id"])
        if r is not None:
            r.counts[item["stage"]] = r.counts.get(item["stage"], 0) + item["n"]
            r.overdue += item["late"]
    for item in admitted:
        r = row(item["branch_id"])
        if r is not None:
            r.admitted += item["n"]
    if paged is not None:
        order = {pk: i for i, pk in enumerate(page_ids)}
        result = sorted(rows.values(), key=lambda r: order.get(r.key, len(order)))
    else:
        result = sorted(rows.values(), key=lambda r: (r.key is None, r.name))
    for r in result:
        for s, n in r.counts.items():
            totals.counts[s] = totals.counts.get(s, 0) + n
        totals.overdue += r.overdue
        totals.quota += r.quota
        totals.admitted += r.admitted
        totals.branches += r.branches
    return result, totals


@dataclass
class BalanceRow:
    branch_id: int
    name: str
    last_joined: dt.date | None
    years: int | None
    members: int
    activists: int
    candidates: int
    highlighted: bool


def balance(actor, *, years: int = 3, only_highlighted: bool = False) -> list[BalanceRow]:
    """Per branch: the last new member (入党日期), years since, members, activists and
    candidates in the pipeline; branches with no new member in ``years`` years highlighted."""
    today = timezone.localdate()
    visible = PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH)
    branches = list(visible.values_list("pk", "name", "established_on").order_by("path"))
    ids = visible.values("pk")  # a subquery: no IN list of thousands of ids
    joined = {
        r["branch_id"]: r
        for r in Membership.objects.filter(branch_id__in=ids)
        .values("branch_id")
        .annotate(last=Max("joined_on"), n=Count("pk"))
        .order_by()
    }
    pipeline_counts = {
        r["branch_id"]: r
        for r in DevelopmentCase.objects.filter(branch_id__in=ids)
        .values("branch_id")
        .annotate(
            activists=Count("pk", filter=Q(stage=Stage.ACTIVIST)),
            candidates=Count("pk", filter=Q(stage=Stage.CANDIDATE)),
        )
        .order_by()
    }
    out = []
    for pk, name, established in branches:
        info = joined.get(pk, {})
        last = info.get("last")
        since = last or established
        span = None if since is None else (today - since).days // 365
        highlighted = span is None or span >= years
        if only_highlighted and not highlighted:
            continue
        p = pipeline_counts.get(pk, {})
        out.append(
            BalanceRow(
                pk,
                name,
                last,
                None if last is None else (today - last).days // 365,
                info.get("n", 0),
                p.get("activists", 0),
                p.get("candidates", 0),
                highlighted,
            )
        )
    out.sort(key=lambda r: (not r.highlighted, r.last_joined or dt.date.min))
    return out


def plans(actor, *, year: int):
    return (
        DevelopmentPlan.objects.restrict(actor, "view")
        .filter(year=year)
        .select_related("branch")
        .order_by("branch__path")
    )
