from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.exemplar.showcase.forms import FileForm
from dangjian.exemplar.showcase.reach import reaches
from dangjian.people.models import Person
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import (
    CloseForm,
    CompleteForm,
    InspectionFilterForm,
    MeasureFilterForm,
    MeasureForm,
    ProblemForm,
    ReviewForm,
    StartForm,
    SubmitForm,
    YearForm,
)
from .models import Problem, Rectification, RectificationFile, SelfInspection

SORTS = {"name": "person__name_pinyin", "year": "year", "updated": "updated_at"}
MEASURE_SORTS = {"deadline": "deadline", "created": "created_at"}


def _year(request) -> int:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return timezone.localdate().year


# -- overview ------------------------------------------------------------------------------


@login_required
def overview(request):
    """The branch secretary's (and the office's) view: per branch, who has not submitted,
    open and overdue measures, the closure rate. A member goes to his own inspections."""
    if not user_can(request.user, "view", SelfInspection):
        raise Http404
    if not selectors.is_officer(request.user):
        return redirect("conduct:me")
    year = _year(request)
    branches = selectors.branches_in_reach(request.user)
    listing = paginate(request, branches, sort_fields={"path": "path"}, default_sort="path")
    rows = selectors.branch_overview(request.user, list(listing.rows), year=year)
    if listing.paginator.count == 1 and rows:
        return redirect(
            f"{_branch_url(rows[0]['branch'].pk)}?year={year}",
        )
    return render(
        request,
        "exemplar_conduct/overview.html",
        {"listing": listing, "rows": rows, "year": year, "years": _years()},
    )


def _branch_url(pk):
    from django.urls import reverse

    return reverse("conduct:branch", args=[pk])


def _years():
    this = timezone.localdate().year
    return [this, this - 1, this - 2]


@login_required
def branch_status(request, pk):
    if not selectors.is_officer(request.user):
        raise Http404
    branch = get_restricted_or_404(selectors.branches_in_reach(request.user), request.user, pk=pk)
    year = _year(request)
    rows = selectors.member_status(request.user, branch, year=year)
    total = sum(r["total"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    return render(
        request,
        "exemplar_conduct/branch.html",
        {
            "branch": branch,
            "rows": rows,
            "year": year,
            "years": _years(),
            "missing": sum(
                1 for r in rows if not r["inspection"] or r["inspection"].status == "draft"
            ),
            "overdue": sum(r["overdue"] for r in rows),
            "total": total,
            "rate": round(closed * 100 / total) if total else None,
            "can_start": user_can(request.user, "add", SelfInspection),
        },
    )


# -- inspections ---------------------------------------------------------------------------


def _filtered(request):
    return filtered_list(
        request, InspectionFilterForm(request.GET or None), selectors.inspection_list
    )


@login_required
def inspection_list(request):
    if not user_can(request.user, "view", SelfInspection):
        raise Http404
    form, rows = _filtered(request)
    listing = paginate(request, rows, sort_fields=SORTS, default_sort="-year")
    return render(
        request,
        "exemplar_conduct/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_export": user_can(request.user, "export", SelfInspection),
        },
    )


@login_required
def inspection_export(request):
    _form, rows = _filtered(request)
    rows = exportable(request, SelfInspection, rows)

    def lines():
        for i in rows.order_by("-year", "branch__path", "person__name_pinyin").iterator(
            chunk_size=2000
        ):
            yield [
                i.year,
                i.person.name,
                i.branch.name,
                i.get_status_display(),
                i.summary,
                i.submitted_at,
                i.review_comment,
            ]

    return workbook_export(
        request,
        model=SelfInspection,
        count=rows.count(),
        filename="做合格党员自查.xlsx",
        title="做合格党员自查",
        headers=["年度", "姓名", "所在支部", "状态", "自查总体情况", "提交时间", "支部审阅意见"],
        rows=lines(),
        widths=[8, 10, 24, 10, 60, 18, 40],
    )


@login_required
def my_inspections(request):
    person = Person.objects.filter(user=request.user).select_related("membership").first()
    if person is None or not hasattr(person, "membership"):
        return render(request, "exemplar_conduct/no_profile.html", status=404)
    inspections = list(
        SelfInspection.objects.restrict(request.user, "view")
        .filter(person=person)
        .order_by("-year")
    )
    year = timezone.localdate().year
    return render(
        request,
        "exemplar_conduct/mine.html",
        {
            "inspections": inspections,
            "person": person,
            "year": year,
            "can_start": not any(i.year == year for i in inspections)
            and reaches(request.user, "add", SelfInspection, services.INSPECTION_VIA, person),
        },
    )


@login_required
@require_POST
def inspection_start(request):
    if not user_can(request.user, "add", SelfInspection):
        raise Http404
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("年度：请填写正确的年份"))
        return redirect("conduct:me")
    person_pk = form.cleaned_data["person"]
    if person_pk:
        person = Person.objects.filter(pk=person_pk).first()
    else:
        person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    try:
        inspection = services.inspection_start(
            actor=request.user, person=person, year=form.cleaned_data["year"]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        existing = SelfInspection.objects.filter(
            person=person, year=form.cleaned_data["year"]
        ).first()
        if existing is not None:
            return redirect("conduct:detail", pk=existing.pk)
        return redirect("conduct:me")
    messages.success(
        request, _("已建立%(y)s年自查，请查摆问题并制定整改措施") % {"y": inspection.year}
    )
    return redirect("conduct:detail", pk=inspection.pk)


def _inspection_or_404(request, pk, action="view"):
    return get_restricted_or_404(
        SelfInspection.objects.select_related("person", "branch", "reviewed_by"),
        request.user,
        action,
        pk=pk,
    )


def _detail(request, inspection, *, status=200, **forms):
    user = request.user
    today = timezone.localdate()
    own = services._is_own(user, inspection)
    can_change = services._may(user, "change", SelfInspection, inspection)
    editable = can_change and (
        inspection.status == SelfInspection.Status.DRAFT
        if own
        else inspection.status != SelfInspection.Status.REVIEWED
    )
    officer = can_change and not own
    problems = list(
        Problem.objects.filter(inspection=inspection)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Rectification.objects.select_related("owner", "closed_by")
                .prefetch_related("files")
                .order_by("pk"),
            )
        )
        .order_by("pk")
    )
    changeable = set(
        Rectification.objects.restrict(user, "change")
        .filter(inspection=inspection)
        .values_list("pk", flat=True)
    )
    may_attach = reaches(
        user,
        "add",
        RectificationFile,
        {"rectification__branch": "branch", "rectification__inspection": ""},
        inspection,
    )
    extra_measure = forms.get("measure_form")
    for problem in problems:
        problem.measure_form = (
            extra_measure
            if extra_measure is not None and extra_measure.prefix == f"p{problem.pk}"
            else MeasureForm(inspection=inspection, prefix=f"p{problem.pk}")
        )
        for m in problem.measures.all():
            m.overdue = m.is_overdue(today)
            m.can_complete = m.pk in changeable and m.status == Rectification.Status.OPEN
            m.can_close = officer and m.pk in changeable and m.status != Rectification.Status.CLOSED
            m.can_attach = may_attach and m.status != Rectification.Status.CLOSED
            m.complete_form = forms.get(f"complete_{m.pk}") or CompleteForm(prefix=f"c{m.pk}")
            m.close_form = forms.get(f"close_{m.pk}") or CloseForm(prefix=f"x{m.pk}")
    return render(
        request,
        "exemplar_conduct/detail.html",
        {
            "inspection": inspection,
            "problems": problems,
            "own": own,
            "editable": editable,
            "problem_form": forms.get("problem_form") or ProblemForm(inspection=inspection),
            "submit_form": forms.get("submit_form")
            or SubmitForm(initial={"summary": inspection.summary}),
            "can_submit": can_change and inspection.status == SelfInspection.Status.DRAFT,
            "review_form": forms.get("review_form")
            or ReviewForm(initial={"comment": inspection.review_comment}),
            "can_review": officer and inspection.status != SelfInspection.Status.DRAFT,
            "file_form": FileForm(),
            "history": history_rows(inspection),
            "today": today,
        },
        status=status,
    )


@login_required
def inspection_detail(request, pk):
    return _detail(request, _inspection_or_404(request, pk))


def _guarded(request, inspection, form, call, success, form_key):
    """Run a service call for a bound form; errors re-render the page with the form."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, success)
            return redirect("conduct:detail", pk=inspection.pk)
    return _detail(request, inspection, status=422, **{form_key: form})


@login_required
@require_POST
def problem_add(request, pk):
    inspection = _inspection_or_404(request, pk, "change")
    form = ProblemForm(request.POST, inspection=inspection)
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.problem_add(actor=request.user, inspection=inspection, **data),
        _("已添加问题和整改措施"),
        "problem_form",
    )


@login_required
@require_POST
def measure_add(request, pk):
    problem = get_restricted_or_404(Problem, request.user, "change", pk=pk)
    inspection = _inspection_or_404(request, problem.inspection_id, "change")
    form = MeasureForm(request.POST, inspection=inspection, prefix=f"p{problem.pk}")
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.measure_add(actor=request.user, problem=problem, **data),
        _("已添加整改措施"),
        "measure_form",
    )


@login_required
@require_POST
def inspection_submit(request, pk):
    inspection = _inspection_or_404(request, pk, "change")
    form = SubmitForm(request.POST)
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.inspection_submit(
            actor=request.user, inspection=inspection, summary=data["summary"]
        ),
        _("自查已提交支部"),
        "submit_form",
    )


@login_required
@require_POST
def inspection_review(request, pk):
    inspection = _inspection_or_404(request, pk, "change")
    form = ReviewForm(request.POST)
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.inspection_review(
            actor=request.user, inspection=inspection, comment=data["comment"]
        ),
        _("已审阅"),
        "review_form",
    )


def _measure_or_404(request, pk, action="change"):
    return get_restricted_or_404(
        Rectification.objects.select_related("inspection"), request.user, action, pk=pk
    )


@login_required
@require_POST
def measure_complete(request, pk):
    measure = _measure_or_404(request, pk)
    inspection = _inspection_or_404(request, measure.inspection_id)
    form = CompleteForm(request.POST, prefix=f"c{measure.pk}")
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.measure_complete(
            actor=request.user, measure=measure, evidence=data["evidence"]
        ),
        _("已报告整改完成，等待支部销号"),
        f"complete_{measure.pk}",
    )


@login_required
@require_POST
def measure_close(request, pk):
    measure = _measure_or_404(request, pk)
    inspection = _inspection_or_404(request, measure.inspection_id)
    form = CloseForm(request.POST, prefix=f"x{measure.pk}")
    return _guarded(
        request,
        inspection,
        form,
        lambda data: services.measure_close(
            actor=request.user, measure=measure, evidence=data["evidence"]
        ),
        _("整改措施已销号"),
        f"close_{measure.pk}",
    )


@login_required
@require_POST
def measure_file_add(request, pk):
    measure = _measure_or_404(request, pk, "view")
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.measure_file_add(
                actor=request.user, measure=measure, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, _("佐证文件：%(e)s") % {"e": "；".join(exc.messages)})
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已上传佐证"))
    else:
        messages.error(request, _("佐证文件：请选择文件"))
    return redirect("conduct:detail", pk=measure.inspection_id)


@login_required
def measure_file(request, pk):
    row = get_restricted_or_404(RectificationFile, request.user, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    return FileResponse(
        handle, content_type=row.content_type, as_attachment=not inline, filename=row.name
    )


# -- measures ------------------------------------------------------------------------------


def _measures_filtered(request):
    return filtered_list(request, MeasureFilterForm(request.GET or None), selectors.measure_list)


@login_required
def measure_list(request):
    if not user_can(request.user, "view", Rectification):
        raise Http404
    form, rows = _measures_filtered(request)
    listing = paginate(request, rows, sort_fields=MEASURE_SORTS, default_sort="deadline")
    return render(
        request,
        "exemplar_conduct/measures.html",
        {
            "listing": listing,
            "filter_form": form,
            "today": timezone.localdate(),
            "can_export": user_can(request.user, "export", Rectification),
        },
    )


@login_required
def measure_export(request):
    _form, rows = _measures_filtered(request)
    rows = exportable(request, Rectification, rows)
    today = timezone.localdate()

    def lines():
        for m in rows.order_by("deadline", "pk").iterator(chunk_size=2000):
            yield [
                m.inspection.year,
                m.inspection.person.name,
                m.inspection.branch.name,
                m.problem.category.name,
                m.problem.description,
                m.measure,
                m.owner.name,
                m.deadline,
                m.get_status_display(),
                _("是") if m.is_overdue(today) else "",
                m.evidence,
                m.closed_at,
            ]

    return workbook_export(
        request,
        model=Rectification,
        count=rows.count(),
        filename="整改措施.xlsx",
        title="整改措施",
        headers=[
            "年度",
            "党员",
            "所在支部",
            "问题类别",
            "查摆的问题",
            "整改措施",
            "责任人",
            "整改期限",
            "状态",
            "逾期",
            "整改佐证",
            "销号时间",
        ],
        rows=lines(),
        widths=[8, 10, 24, 14, 40, 40, 10, 12, 12, 6, 40, 18],
    )
