from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.appraisal.models import RaterKind
from dangjian.orgs.models import PartyOrg
from dangjian.platform.exports import workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.jobs import job_start
from dangjian.platform.listing import paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import reports, selectors, services
from .forms import (
    CloseRecordForm,
    DecisionForm,
    DisciplinaryForm,
    FlagDecisionForm,
    NominationForm,
    PlanCloseForm,
    PolicyForm,
    ResultFilterForm,
)
from .models import (
    NEEDS_PLAN,
    DisciplinaryRecord,
    Grade,
    GradeDecision,
    GradingPolicy,
    ImprovementPlan,
    LeniencyFlag,
    MemberResult,
    Nomination,
)
from .vetoes import vetoes_for

SORTS = {
    "rank": "rank_company",
    "score": "score",
    "name": "person__name_pinyin",
    "branch_rank": "rank_branch",
}


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# -------------------------------------------------------------------------------- campaigns


@login_required
def campaign_list(request):
    campaigns = list(selectors.visible_campaigns(request.user)[:50])
    runs = {}
    for campaign in campaigns:
        runs[campaign.pk] = selectors.last_run(campaign)
    return render(
        request,
        "grading/campaign_list.html",
        {"rows": [(c, runs[c.pk]) for c in campaigns]},
    )


def _filtered_results(request, campaign):
    form = ResultFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    branch = None
    if params.get("branch"):
        branch = PartyOrg.objects.restrict(request.user, "view").filter(pk=params["branch"]).first()
    qs = selectors.results(
        request.user,
        campaign,
        query=request.GET.get("q", "").strip(),
        branch=branch,
        proposed=params.get("proposed", ""),
        decided=params.get("decided", ""),
    )
    return form, branch, qs


@login_required
def campaign_results(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    form, branch, qs = _filtered_results(request, campaign)
    listing = paginate(request, qs, sort_fields=SORTS, default_sort="rank", per_page=25)
    run = selectors.last_run(campaign)
    rates = reports.kind_rates(request.user, campaign, run) if run else []
    hist = reports.histogram(request.user, campaign, run=run) if run else []
    branches = selectors.branch_means(request.user, run)
    can_compute = selectors.can_compute(request.user, campaign)
    charts = {
        "histogram": {"labels": [h["label"] for h in hist], "values": [h["n"] for h in hist]},
        "branches": {
            "labels": [b["name"] for b in branches[:30]],
            "values": [
                round(b["mean"], 2) if b["mean"] is not None else None for b in branches[:30]
            ],
        },
        "rates": {
            "labels": [r["label"] for r in rates if r["rate"] is not None],
            "values": [r["rate"] for r in rates if r["rate"] is not None],
        },
    }
    open_flags = (
        LeniencyFlag.objects.restrict(request.user)
        .filter(campaign=campaign, status=LeniencyFlag.Status.OPEN)
        .count()
    )
    return render(
        request,
        "grading/campaign_results.html",
        {
            "campaign": campaign,
            "run": run,
            "listing": listing,
            "filter_form": form,
            "branch": branch,
            "rates": rates,
            "branches": branches[:30],
            "charts": charts,
            "has_charts": bool(hist),
            "can_compute": can_compute,
            "can_export": user_can(request.user, "export", MemberResult),
            "open_flags": open_flags,
            "kinds": RaterKind.choices,
        },
    )


@login_required
@require_POST
def campaign_compute(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    if not selectors.can_compute(request.user, campaign):
        raise Http404
    job = services.results_start(actor=request.user, campaign=campaign)
    messages.info(request, _("已开始计算评议结果，完成后刷新本页即可查看"))
    return redirect("platform:job_detail", pk=job.pk)


@login_required
def campaign_export(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    if not user_can(request.user, "export", MemberResult):
        raise Http404
    return workbook_export(
        request,
        model=MemberResult,
        count=selectors.results(request.user, campaign).count(),
        detail=f"{campaign.name}",
        filename=f"{campaign.name}评议结果.xlsx",
        title="评议结果",
        headers=reports.excel_headers(),
        rows=reports.excel_rows(request.user, campaign),
    )


@login_required
@require_POST
def campaign_report(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    from .tasks import report_pdf_task

    job = job_start(
        actor=request.user,
        kind="appraisal.report",
        task=report_pdf_task,
        title=_("评议报告：%(c)s") % {"c": campaign.name},
        campaign_id=campaign.pk,
    )
    return redirect("platform:job_detail", pk=job.pk)


@login_required
def campaign_policy(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    if not selectors.can_compute(request.user, campaign):
        raise Http404
    policy, _created = GradingPolicy.objects.get_or_create(campaign=campaign)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(actor=request.user, policy=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("评定规则已保存；重新计算后建议等次按新分数线生成"))
            return redirect("grading:campaign", pk=pk)
    return render(
        request,
        "grading/policy.html",
        {"campaign": campaign, "form": form, "history": history_rows(policy)},
    )


# -------------------------------------------------------------------------------- leniency


@login_required
def flag_list(request, pk):
    campaign = selectors.campaign_for(request.user, pk)
    status = request.GET.get("status", "")
    if status not in LeniencyFlag.Status.values:
        status = ""
    flags = selectors.flags(request.user, campaign, status=status)
    listing = paginate(request, flags, sort_fields={"sheets": "sheets"}, default_sort="-sheets")
    can_decide = selectors.can_compute(request.user, campaign)
    return render(
        request,
        "grading/flags.html",
        {
            "campaign": campaign,
            "listing": listing,
            "status": status,
            "statuses": LeniencyFlag.Status.choices,
            "can_decide": can_decide,
        },
    )


@login_required
@require_POST
def flag_decide(request, pk):
    flag = get_restricted_or_404(
        LeniencyFlag.objects.select_related("campaign", "campaign__party_org"),
        request.user,
        "change",
        pk=pk,
    )
    if not selectors.can_compute(request.user, flag.campaign):
        raise Http404
    form = FlagDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("处理理由：请填写（不超过200字）"))
        return redirect("grading:flags", pk=flag.campaign_id)
    try:
        if form.cleaned_data["action"] == "exclude":
            n = services.leniency_exclude(
                actor=request.user, flag=flag, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已剔除 %(n)s 份评议表，正在重新计算结果") % {"n": n})
        else:
            services.leniency_keep(
                actor=request.user, flag=flag, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已保留该评议人的评分，正在重新计算结果"))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("grading:flags", pk=flag.campaign_id)
    services.results_start(actor=request.user, campaign=flag.campaign)
    return redirect("grading:flags", pk=flag.campaign_id)


# -------------------------------------------------------------------------------- a member


@login_required
def result_detail(request, pk):
    result = selectors.result_for(request.user, pk)
    campaign = result.campaign
    parts = selectors.parts_of(result)
    criteria = list(campaign.criteria.order_by("position", "pk"))
    for part in parts:
        part.criteria_rows = [
            (c.name, part.criteria.get(str(c.pk), part.criteria.get(c.pk))) for c in criteria
        ]
    kind = request.GET.get("kind", "")
    if kind not in RaterKind.values:
        kind = ""
    sheets = selectors.sheets_of(request.user, result, kind=kind or None)
    decision = GradeDecision.objects.filter(result=result).first()
    plan = ImprovementPlan.objects.filter(decision=decision).first() if decision else None
    nomination = Nomination.objects.filter(decision=decision).first() if decision else None
    can_decide = MemberResult.objects.restrict(request.user, "change").filter(pk=pk).exists()
    vetoes = []
    if can_decide and decision and decision.grade == Grade.EXCELLENT:
        vetoes = vetoes_for([result.person], on=timezone.localdate()).get(result.person_id, [])
    initial = {}
    if decision:
        initial = {
            "grade": decision.grade,
            "body": decision.body,
            "decided_on": decision.decided_on,
            "reason": decision.reason,
        }
        if plan:
            initial.update(measures=plan.measures, due_on=plan.due_on)
    elif result.proposed:
        initial = {"grade": result.proposed}
    cap = services.excellent_cap(result) if can_decide else None
    return render(
        request,
        "grading/result_detail.html",
        {
            "result": result,
            "campaign": campaign,
            "parts": parts,
            "criteria": criteria,
            "sheets": sheets,
            "kind": kind,
            "kinds": RaterKind.choices,
            "decision": decision,
            "plan": plan,
            "nomination": nomination,
            "can_decide": can_decide,
            "decision_form": DecisionForm(initial=initial) if can_decide else None,
            "nomination_form": NominationForm() if can_decide else None,
            "vetoes": vetoes,
            "cap": cap,
            "history": history_rows(decision) if decision and can_decide else [],
            "needs_plan": list(NEEDS_PLAN),
        },
    )


@login_required
@require_POST
def result_decide(request, pk):
    result = selectors.result_for(request.user, pk, "change")
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grade_decide(
                actor=request.user,
                result=result,
                grade=data["grade"],
                body=data["body"],
                decided_on=data["decided_on"],
                reason=data["reason"],
                measures=data["measures"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记评定等次，并已告知本人"))
            return redirect("grading:result", pk=pk)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("grading:result", pk=pk)


@login_required
@require_POST
def result_nominate(request, pk):
    result = selectors.result_for(request.user, pk, "change")
    decision = GradeDecision.objects.filter(result=result).first()
    if decision is None:
        messages.error(request, _("请先登记评定等次"))
        return redirect("grading:result", pk=pk)
    form = NominationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("推荐理由：请填写（不超过500字）"))
        return redirect("grading:result", pk=pk)
    try:
        services.nomination_add(
            actor=request.user, decision=decision, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已推荐为优秀共产党员"))
    return redirect("grading:result", pk=pk)


@login_required
def nominations(request, pk):
    """The campaign's members graded 优秀, their vetoes and nominations."""
    campaign = selectors.campaign_for(request.user, pk)
    decisions = list(
        selectors.decisions(request.user, campaign)
        .filter(grade=Grade.EXCELLENT)
        .select_related("result", "result__person", "result__branch")
        .order_by("result__branch__path", "result__rank_branch", "pk")[:500]
    )
    vetoes = vetoes_for([d.result.person for d in decisions], on=timezone.localdate())
    nominated = set(
        Nomination.objects.filter(decision__in=decisions).values_list("decision_id", flat=True)
    )
    rows = [(d, vetoes.get(d.result.person_id, []), d.pk in nominated) for d in decisions]
    return render(request, "grading/nominations.html", {"campaign": campaign, "rows": rows})


# -------------------------------------------------------------------------------- plans


@login_required
def plan_list(request):
    if not user_can(request.user, "view", ImprovementPlan):
        raise Http404
    state = request.GET.get("state", "open")
    qs = selectors.plans(request.user, open_only=state == "open")
    listing = paginate(request, qs, sort_fields={"due": "due_on"}, default_sort="due", per_page=25)
    return render(
        request,
        "grading/plans.html",
        {
            "listing": listing,
            "state": state,
            "today": timezone.localdate(),
            "close_form": PlanCloseForm(),
            "can_close": user_can(request.user, "change", ImprovementPlan),
        },
    )


@login_required
@require_POST
def plan_close(request, pk):
    plan = get_restricted_or_404(
        ImprovementPlan.objects.select_related("decision__result__person"),
        request.user,
        "change",
        pk=pk,
    )
    form = PlanCloseForm(request.POST)
    if form.is_valid():
        try:
            services.plan_close(
                actor=request.user,
                plan=plan,
                note=form.cleaned_data["closing_note"],
                closed_on=form.cleaned_data["closed_on"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("限期改正已办结"))
    else:
        messages.error(request, _("完成日期和改正情况均为必填项"))
    return redirect("grading:plans")


# -------------------------------------------------------------------------------- discipline


@login_required
def discipline_list(request):
    if not user_can(request.user, "view", DisciplinaryRecord):
        raise Http404
    can_add = user_can(request.user, "add", DisciplinaryRecord)
    form = None
    if can_add:
        if is_pick_search(request):
            form = DisciplinaryForm(actor=request.user, initial=pick_search_initial(request))
        else:
            form = DisciplinaryForm(request.POST or None, actor=request.user)
        if request.method == "POST" and not is_pick_search(request) and form.is_valid():
            try:
                services.disciplinary_add(actor=request.user, record=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已登记党纪处分记录"))
                return redirect("grading:discipline")
    elif request.method == "POST":
        raise Http404
    qs = selectors.disciplinary_records(
        request.user,
        query=request.GET.get("q", "").strip(),
        open_only=request.GET.get("state") == "open",
    )
    listing = paginate(
        request, qs, sort_fields={"decided": "decided_on"}, default_sort="-decided", per_page=25
    )
    return render(
        request,
        "grading/discipline.html",
        {
            "listing": listing,
            "form": form,
            "close_form": CloseRecordForm(),
            "can_change": user_can(request.user, "change", DisciplinaryRecord),
            "today": timezone.localdate(),
        },
    )


@login_required
def discipline_suggest(request):
    if not user_can(request.user, "add", DisciplinaryRecord):
        raise Http404
    return suggest_response(request, DisciplinaryForm(actor=request.user), "person")


@login_required
@require_POST
def discipline_close(request, pk):
    record = get_restricted_or_404(
        DisciplinaryRecord.objects.select_related("person"), request.user, "change", pk=pk
    )
    form = CloseRecordForm(request.POST)
    if form.is_valid():
        try:
            services.disciplinary_close(
                actor=request.user, record=record, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已登记影响期满"))
    else:
        messages.error(request, _("影响期满日期：请填写"))
    return redirect("grading:discipline")
