from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.audit import log_access
from dangjian.platform.listing import ListPage, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import suggest_response

from . import rules, selectors, services
from .forms import (
    CaseFilterForm,
    CaseOpenForm,
    ContactForm,
    CorrectForm,
    MoveForm,
    NoticeForm,
    ObjectionForm,
    PlanForm,
    ResolveForm,
    StepForm,
    add_service_errors,
    chosen_step,
    step_hints,
)
from .models import (
    DevelopmentCase,
    DevelopmentPlan,
    DevelopmentStep,
    NoticeObjection,
    PublicNotice,
    Stage,
    StepAttachment,
)

SORTS = {
    "name": "person__name_pinyin",
    "due": "next_due_on",
    "step": "last_step",
    "applied": "applied_on",
}


def _need(request, action, model=DevelopmentCase):
    if not user_can(request.user, action, model):
        raise Http404


@login_required
def case_list(request):
    _need(request, "view")
    form = CaseFilterForm(request.GET or None, actor=request.user)
    params = {}
    if form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v}
    cases = selectors.case_list(request.user, query=request.GET.get("q", "").strip(), **params)
    listing = paginate(request, cases, sort_fields=SORTS, default_sort="due")
    return render(
        request,
        "development/case_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "today": timezone.localdate(),
            "can_add": user_can(request.user, "add", DevelopmentCase),
        },
    )


@login_required
def suggest_branch(request):
    """Matches for the case list's branch picker, within the scope the filter validates."""
    _need(request, "view")
    return suggest_response(request, CaseFilterForm(actor=request.user), "branch")


@login_required
def case_create(request):
    _need(request, "add")
    form = CaseOpenForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        files = [("application_letter", d["attachment"])] if d.get("attachment") else []
        try:
            case = services.case_open(
                actor=request.user,
                person=d["person"],
                branch=d["branch"],
                applied_on=d["applied_on"],
                leaving_on=d.get("leaving_on"),
                decision=d["decision"],
                notes=d["notes"],
                attachments=files,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("branch", str(exc))
        else:
            messages.success(request, _("已建立发展档案"))
            return redirect("development:case_detail", case.pk)
    return render(request, "development/case_form.html", {"form": form})


def _case(request, pk, action="view"):
    return get_restricted_or_404(
        selectors.case_for_detail(request.user, pk), request.user, action, pk=pk
    )


def _step_form(case, facts, values, number, data=None, files=None) -> StepForm:
    """The form of step ``number`` with the rule hints worked out for this case."""
    hints = step_hints(number, facts, values, timezone.localdate())
    return StepForm(data, files, number=number, hints=hints)


def _detail_context(request, case, **forms):
    facts = services.facts_for(case)
    values = services.rule_values_for(case.branch, timezone.localdate())
    steps = sorted(case.steps.all(), key=lambda s: (s.round, s.number, s.occurred_on, s.pk))
    effective = {s.pk for s in services.effective_steps(case)}
    can_change = (
        DevelopmentCase.objects.restrict(request.user, "change").filter(pk=case.pk).exists()
    )
    numbers = rules.expected_steps(facts) if case.is_open or case.stage == Stage.FULL else []
    context = {
        "case": case,
        "steps": steps,
        "effective": effective,
        "deadlines": rules.deadlines(facts, values) if case.is_open else [],
        "today": timezone.localdate(),
        "can_change": can_change,
        "numbers": numbers,
        "stages": rules.STAGES,
        "step_names": rules.STEPS,
        "contacts": list(case.contacts.all()),
        "notices": list(case.notices.all()),
        "moves": list(case.moves.all()),
    }
    if can_change:
        step = request.GET.get("step")
        step = int(step) if step in {str(n) for n in numbers} else (numbers[0] if numbers else None)
        context.update(
            {
                "step_form": _step_form(case, facts, values, step) if step else None,
                "contact_form": ContactForm(actor=request.user, case=case),
                "notice_form": NoticeForm(),
                "objection_form": ObjectionForm(),
                "resolve_form": ResolveForm(),
            }
        )
    context.update(forms)
    return context


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    return render(request, "development/case_detail.html", _detail_context(request, case))


def _post_form(request, case, form, key, call, ok):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ok)
            return redirect("development:case_detail", case.pk)
    case = _case(request, case.pk)
    context = _detail_context(request, case, **{key: form})
    return render(request, "development/case_detail.html", context, status=422)


@login_required
@require_POST
def step_add(request, pk):
    case = _case(request, pk, "change")
    facts = services.facts_for(case)
    numbers = rules.expected_steps(facts)
    number = chosen_step(request.POST.get("number"), numbers) or 1
    values = services.rule_values_for(case.branch, timezone.localdate())
    form = _step_form(case, facts, values, number, request.POST, request.FILES)

    def call(d):
        files = [(d["attachment_kind"] or "other", d["attachment"])] if d.get("attachment") else []
        services.step_record(
            actor=request.user,
            case=case,
            number=number,
            occurred_on=d["occurred_on"],
            decision=d.get("decision", ""),
            notes=d.get("notes", ""),
            passed=d.get("passed"),
            training_days=d.get("training_days"),
            training_hours=d.get("training_hours"),
            vote=form.vote(),
            outcome=d.get("outcome", ""),
            extension_months=d.get("extension_months"),
            exception_reason=d.get("exception_reason", ""),
            attachments=files,
        )

    return _post_form(request, case, form, "step_form", call, _("步骤已记录"))


@login_required
def step_correct(request, pk):
    step = get_restricted_or_404(
        DevelopmentStep.objects.select_related("case", "case__person"),
        request.user,
        "change",
        pk=pk,
    )
    form = CorrectForm(request.POST or None, initial={"occurred_on": step.occurred_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.step_correct(
                actor=request.user,
                step=step,
                occurred_on=form.cleaned_data["occurred_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已更正，原记录保留在历史中"))
            return redirect("development:case_detail", step.case_id)
    return render(request, "development/step_correct.html", {"form": form, "step": step})


@login_required
@require_POST
def contact_add(request, pk):
    case = _case(request, pk, "change")
    form = ContactForm(request.POST, actor=request.user, case=case)
    return _post_form(
        request,
        case,
        form,
        "contact_form",
        lambda d: services.contact_add(actor=request.user, case=case, **d),
        _("已添加"),
    )


@login_required
@require_POST
def notice_add(request, pk):
    case = _case(request, pk, "change")
    form = NoticeForm(request.POST)
    return _post_form(
        request,
        case,
        form,
        "notice_form",
        lambda d: services.notice_publish(actor=request.user, case=case, **d),
        _("公示已发布"),
    )


@login_required
@require_POST
def objection_add(request, pk):
    notice = get_restricted_or_404(
        PublicNotice.objects.select_related("case"), request.user, "change", pk=pk
    )
    form = ObjectionForm(request.POST)
    return _post_form(
        request,
        notice.case,
        form,
        "objection_form",
        lambda d: services.objection_record(actor=request.user, notice=notice, **d),
        _("已记录公示期间的反映"),
    )


@login_required
@require_POST
def objection_resolve(request, pk):
    objection = get_restricted_or_404(
        NoticeObjection.objects.select_related("notice__case"), request.user, "change", pk=pk
    )
    form = ResolveForm(request.POST)
    return _post_form(
        request,
        objection.notice.case,
        form,
        "resolve_form",
        lambda d: services.objection_resolve(actor=request.user, objection=objection, **d),
        _("已记录处理结果"),
    )


@login_required
def case_move(request, pk):
    case = _case(request, pk, "change")
    form = MoveForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_move(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("发展档案已转至%(b)s") % {"b": form.cleaned_data["to_branch"].name}
            )
            if DevelopmentCase.objects.restrict(request.user).filter(pk=case.pk).exists():
                return redirect("development:case_detail", case.pk)
            return redirect("development:case_list")
    return render(request, "development/case_move.html", {"form": form, "case": case})


@login_required
def attachment_download(request, pk):
    attachment = get_restricted_or_404(StepAttachment.objects.all(), request.user, pk=pk)
    log_access(
        user=request.user,
        action="view",
        model=StepAttachment,
        rows=1,
        detail=f"attachment {attachment.pk}",
        request=request,
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )


PIPELINE_SORTS = {"path": "path", "name": "name"}
PIPELINE_PER_PAGE = 50


@login_required
def pipeline(request):
    """Pipeline per county bureau, or per branch (all, or one bureau's) — the per-branch view
    pages through the branches; the totals cover them all."""
    _need(request, "view")
    by = "branch" if request.GET.get("by") == "branch" else "bureau"
    bureau = request.GET.get("bureau")
    bureau = int(bureau) if bureau and bureau.isdigit() else None
    year = timezone.localdate().year
    drill = by == "branch" or bureau is not None
    listing = None
    if drill:
        branches = selectors.pipeline_branches(request.user, bureau=bureau)
        listing = paginate(
            request,
            branches,
            sort_fields=PIPELINE_SORTS,
            default_sort="path",
            per_page=PIPELINE_PER_PAGE,
        )
        rows, totals = selectors.pipeline(
            request.user,
            by="branch",
            year=year,
            branches=branches,
            page_ids=[b.pk for b in listing.rows],
        )
    else:
        # 1 000 county bureaus nationally: 50 a page, the totals still over all of them.
        rows, totals = selectors.pipeline(request.user, by="bureau", year=year)
        paginator = Paginator(rows, PIPELINE_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        listing = ListPage(
            page=page, paginator=paginator, query="", sort="", querystring=params.urlencode()
        )
        rows = page.object_list
    return render(
        request,
        "development/pipeline.html",
        {
            "rows": rows,
            "totals": totals,
            "by": by,
            "bureau": bureau,
            "year": year,
            "drill_branches": drill,
            "listing": listing,
        },
    )


@login_required
def balance(request):
    _need(request, "view")
    raw = request.GET.get("years", "3")
    years = int(raw) if raw.isdigit() and 1 <= int(raw) <= 50 else 3
    only = request.GET.get("only") == "1"
    rows = selectors.balance(request.user, years=years, only_highlighted=only)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "development/balance.html",
        {
            "page": page,
            "years": years,
            "only": only,
            "highlighted": sum(r.highlighted for r in rows),
            "total": len(rows),
        },
    )


@login_required
def plan_list(request):
    _need(request, "view", DevelopmentPlan)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else timezone.localdate().year
    can_edit = user_can(request.user, "change", DevelopmentPlan)
    form = PlanForm(request.POST or None, actor=request.user, initial={"year": year})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.plan_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("branch", str(exc))
            else:
                messages.success(request, _("年度发展计划已保存"))
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    plans = selectors.plans(request.user, year=year)
    return render(
        request,
        "development/plan_list.html",
        {"plans": plans, "year": year, "form": form if can_edit else None},
        status=422 if form.errors else 200,
    )
