from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.orgs.models import PartyOrg
from dangjian.platform.excel import xlsx_response
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import suggest_response
from dangjian.platform.tabular import limit_upload_size

from . import rules, selectors, services
from .forms import (
    ATTENDANCE_CHOICES,
    MatrixFilterForm,
    MeetingFileForm,
    MeetingFilterForm,
    MeetingPlanForm,
    MeetingRecordForm,
    PlanForm,
    attendance_from_post,
)
from .models import BranchPlan, Meeting, MeetingFile

MONTHS = list(range(1, 13))
MATRIX_PER_PAGE = 100


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(2000, min(2100, year))


def _require_view(user):
    if not user_can(user, "view", Meeting):
        raise Http404


# ----------------------------------------------------------------------------- matrix


def _matrix_branches(request):
    form = MatrixFilterForm(
        request.GET or None, actor=request.user, initial={"year": timezone.localdate().year}
    )
    org = unit = None
    if form.is_valid():
        org, unit = form.cleaned_data.get("org"), form.cleaned_data.get("unit")
    branches = selectors.visible_branches(request.user, org=org, unit=unit).order_by("path")
    return form, branches


CELL_MARKS = {rules.DONE: "✓", rules.LATE: "✗", rules.MISSING: "✗", rules.DUE: "…"}


def _matrix_lines(rows, year: int, current: int | None) -> list[tuple]:
    """(row, the branch's calendar URL, its 12 cells as HTML) per matrix row.

    The cells are built here rather than in the template: 1 200 cells a page, each with a
    link, a title and a mark, cost ~100 ms through the template language (issue 4). Every
    piece of text is escaped here (the branch name once per row)."""
    months = {m: escape(_("%(m)s月") % {"m": m}) for m in MONTHS}
    lines = []
    for row in rows:
        url = f"{reverse('orglife:branch', args=[row.branch.pk])}?year={year}"
        href, name = escape(url), escape(row.branch.name)
        cells = []
        for i, c in enumerate(row.cells):
            missing = escape(f"（{'、'.join(c.missing_kinds)}）") if c.missing_kinds else ""
            cells.append(
                f'<td><a class="ol-cell ol-{c.status}{" ol-current" if i == current else ""}"'
                f' href="{href}&amp;month={c.month}"'
                f' title="{name} {months[c.month]}：{escape(c.label)}{missing}">'
                f"{CELL_MARKS.get(c.status, '&nbsp;')}</a></td>"
            )
        lines.append((row, url, mark_safe("\n".join(cells))))  # noqa: S308 - escaped above
    return lines


@login_required
def matrix(request):
    """The company-wide compliance matrix: branches × months, one colour per cell."""
    _require_view(request.user)
    year = _year(request)
    form, branches = _matrix_branches(request)
    paginator = Paginator(branches, MATRIX_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    branch_list = list(page.object_list)
    if paginator.count == 1 and not (request.GET.get("org") or request.GET.get("unit")):
        # One branch in reach (a secretary): a one-row matrix says less than his calendar.
        return redirect(f"{reverse('orglife:branch', args=[branch_list[0].pk])}?year={year}")
    rows = selectors.compliance_rows(request.user, branch_list, year)
    params = request.GET.copy()
    params.pop("page", None)
    today = timezone.localdate()
    current = today.month - 1 if today.year == year else None
    summary = {
        "branches": paginator.count,
        "late": sum(1 for r in rows if r.late),
        "green_now": sum(
            1 for r in rows if current is not None and r.cells[current].status == rules.DONE
        ),
    }
    return render(
        request,
        "orglife/matrix.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "lines": _matrix_lines(rows, year, current),
            "page": page,
            "paginator": paginator,
            "querystring": params.urlencode(),
            "months": MONTHS,
            "summary": summary,
            "current": current,
            "can_export": user_can(request.user, "export", Meeting),
            "legend": selectors.STATUS_LABELS,
        },
    )


# The filter pickers: field → the form that holds it (its queryset is the scope).
SUGGESTIONS = {"org": MatrixFilterForm, "unit": MatrixFilterForm, "branch": MeetingFilterForm}


@login_required
def suggest(request, field):
    """Matches for a filter picker, within the scope its form validates against."""
    _require_view(request.user)
    if field not in SUGGESTIONS:
        raise Http404
    return suggest_response(request, SUGGESTIONS[field](actor=request.user), field)


@login_required
def matrix_export(request):
    if not user_can(request.user, "export", Meeting):
        raise Http404
    year = _year(request)
    _form, branches = _matrix_branches(request)
    branches = list(branches.select_related())

    def rows():
        for start in range(0, len(branches), 500):
            for row in selectors.compliance_rows(request.user, branches[start : start + 500], year):
                yield [row.branch.code, row.branch.name] + [
                    c.label + (f"（{'、'.join(c.missing_kinds)}）" if c.missing_kinds else "")
                    for c in row.cells
                ]

    return xlsx_response(
        filename=_("组织生活落实情况_%(year)s.xlsx") % {"year": year},
        title=_("%(year)s年组织生活落实情况") % {"year": year},
        headers=[_("编码"), _("党组织")] + [_("%(m)s月") % {"m": m} for m in MONTHS],
        rows=rows(),
        widths=[18, 28] + [14] * 12,
    )


# ----------------------------------------------------------------------------- branch


@login_required
def branch_calendar(request, pk):
    """A branch's compliance calendar for a year; ``?month=`` drills into one month."""
    _require_view(request.user)
    org = get_restricted_or_404(PartyOrg, request.user, pk=pk)
    year = _year(request)
    calendar = selectors.branch_calendar(request.user, org, year)
    try:
        month = int(request.GET.get("month") or 0)
    except ValueError:
        month = 0
    month = month if 1 <= month <= 12 else 0
    meetings = selectors.meeting_list(request.user, year=year).filter(branch=org)
    if month:
        meetings = meetings.filter(
            Q(held_on__month=month) | Q(held_on__isnull=True, planned_on__month=month)
        )
    meetings = meetings.order_by("held_on", "planned_on", "pk").select_related("branch")
    plan = BranchPlan.objects.restrict(request.user, "view").filter(branch=org, year=year).first()
    return render(
        request,
        "orglife/branch.html",
        {
            "org": org,
            "year": year,
            "calendar": calendar,
            "month": month,
            "month_cell": calendar["months"][month - 1] if month else None,
            "meetings": meetings[:200],
            "plan": plan,
            "can_add": services.may_add(request.user, org),
            "can_plan": services.may_add(request.user, org, BranchPlan),
            "years": [year - 1, year, year + 1],
        },
    )


@login_required
def plan(request, pk):
    """The branch's yearly plan: the fixed theme day, and generating the planned meetings."""
    org = get_restricted_or_404(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH), request.user, pk=pk
    )
    if not services.may_add(request.user, org, BranchPlan):
        raise Http404
    year = _year(request) if request.method == "GET" else int(request.POST.get("year") or 0)
    existing = BranchPlan.objects.filter(branch=org, year=year).first()
    initial = {"year": year, "theme_day_of_month": existing.theme_day_of_month if existing else 15}
    if existing:
        initial["note"] = existing.note
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.plan_save(
                actor=request.user,
                branch=org,
                year=data["year"],
                theme_day_of_month=data["theme_day_of_month"],
                note=data["note"],
            )
            added = services.plan_generate(actor=request.user, plan=saved)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已保存 %(year)s 年计划，新增计划会议 %(n)s 次")
                % {"year": saved.year, "n": added},
            )
            return redirect(f"{request.path}?year={saved.year}")
    planned = (
        Meeting.objects.restrict(request.user, "view")
        .filter(branch=org, status=Meeting.Status.PLANNED, planned_on__year=year)
        .order_by("planned_on", "kind")
    )
    return render(
        request,
        "orglife/plan.html",
        {"org": org, "form": form, "plan": existing, "planned": planned, "year": year},
    )


@login_required
def study_hours(request, pk):
    """Members' 学时 for the year vs their minimum (32 / 56)."""
    _require_view(request.user)
    org = get_restricted_or_404(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH), request.user, pk=pk
    )
    year = _year(request)
    rows = selectors.branch_study_hours(request.user, org, year)
    return render(
        request,
        "orglife/study_hours.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "short": sum(1 for r in rows if not r.met),
            "years": [year - 1, year, year + 1],
        },
    )


# ----------------------------------------------------------------------------- meetings

SORTS = {"date": "held_on", "planned": "planned_on", "kind": "kind", "branch": "branch__path"}


def _filtered(request):
    form = MeetingFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.meeting_list)


@login_required
def meeting_list(request):
    _require_view(request.user)
    form, meetings = _filtered(request)
    listing = paginate(request, meetings, sort_fields=SORTS, default_sort="-planned")
    return render(
        request,
        "orglife/meeting_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", Meeting),
            "can_export": user_can(request.user, "export", Meeting),
        },
    )


@login_required
def meeting_export(request):
    if not user_can(request.user, "export", Meeting):
        raise Http404
    _form, meetings = _filtered(request)
    meetings = meetings.select_related("branch", "host", "recorder").order_by(
        "branch__path", "held_on", "planned_on", "pk"
    )

    def rows():
        for m in meetings.iterator(chunk_size=2000):
            yield [
                m.branch.name,
                m.get_kind_display(),
                m.get_status_display(),
                m.planned_on,
                m.held_on,
                m.place,
                m.topic,
                m.host.name if m.host_id else "",
                m.recorder.name if m.recorder_id else "",
                m.lecturer,
                m.study_hours,
                m.resolutions,
            ]

    return xlsx_response(
        filename=_("会议记录.xlsx"),
        title=_("会议记录"),
        headers=[
            _("党组织"),
            _("会议类型"),
            _("状态"),
            _("计划日期"),
            _("召开日期"),
            _("地点"),
            _("主题"),
            _("主持人"),
            _("记录人"),
            _("授课人"),
            _("学时"),
            _("决议事项"),
        ],
        rows=rows(),
        widths=[24, 12, 8, 12, 12, 16, 30, 8, 8, 8, 6, 40],
    )


def _branches_for_add(user):
    return services.addable_orgs(user).exclude(kind=PartyOrg.Kind.GROUP)


@login_required
def meeting_create(request):
    if not user_can(request.user, "add", Meeting):
        raise Http404
    branches = _branches_for_add(request.user)
    initial = {}
    if request.GET.get("branch"):
        initial["branch"] = request.GET["branch"]
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    form = MeetingPlanForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_plan(actor=request.user, meeting=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error("branch", str(exc))
        else:
            if "record" in request.POST:
                return redirect("orglife:meeting_record", pk=saved.pk)
            messages.success(request, _("已安排“%(m)s”") % {"m": saved})
            return redirect("orglife:meeting_detail", pk=saved.pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    if meeting.status != Meeting.Status.PLANNED:
        return redirect("orglife:meeting_record", pk=pk)
    branches = PartyOrg.objects.filter(pk=meeting.branch_id)
    form = MeetingPlanForm(request.POST or None, instance=meeting, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_plan(actor=request.user, meeting=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存“%(m)s”") % {"m": saved})
            return redirect("orglife:meeting_detail", pk=saved.pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request, pk):
    meeting = get_restricted_or_404(
        Meeting.objects.select_related("branch", "host", "recorder"), request.user, pk=pk
    )
    attendances = meeting.attendances.select_related("person").order_by(
        "status", "person__name_pinyin"
    )
    can_change = Meeting.objects.restrict(request.user, "change").filter(pk=pk).exists()
    present = sum(1 for a in attendances if a.status == "present")
    return render(
        request,
        "orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "attendances": attendances,
            "present": present,
            "files": meeting.files.order_by("kind", "pk"),
            "history": history_rows(meeting),
            "can_change": can_change,
            "file_form": MeetingFileForm() if can_change else None,
        },
    )


@login_required
def meeting_record(request, pk):
    """Record the meeting as held: details, minutes, resolutions and the attendance roll."""
    meeting = get_restricted_or_404(
        Meeting.objects.select_related("branch"), request.user, "change", pk=pk
    )
    roll = list(services.roll_for(meeting.branch))
    form = MeetingRecordForm(request.POST or None, instance=meeting, roll=roll)
    current = {a.person_id: a for a in meeting.attendances.all()}
    if request.method == "POST":
        entries = attendance_from_post(request.POST)
        posted = {e.person_id: e for e in entries}
    else:
        posted = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                actor=request.user, meeting=form.save(commit=False), attendance=entries
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            messages.success(request, _("已记录“%(m)s”") % {"m": meeting})
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    lines = []
    for m in roll:
        given = posted.get(m.person_id) or current.get(m.person_id)
        lines.append(
            {
                "membership": m,
                "status": given.status if given else "present",
                "reason": given.reason if given else "",
            }
        )
    return render(
        request,
        "orglife/meeting_record.html",
        {"form": form, "meeting": meeting, "lines": lines, "choices": ATTENDANCE_CHOICES},
    )


@login_required
@require_POST
def meeting_notify(request, pk):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    try:
        n = services.meeting_notify(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已向 %(n)s 名党员发送会议提醒") % {"n": n})
    return redirect("orglife:meeting_detail", pk=pk)


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    try:
        services.meeting_cancel(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已取消该会议"))
    return redirect("orglife:meeting_detail", pk=pk)


@login_required
@limit_upload_size
def meeting_file_upload(request, pk):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    if request.method != "POST":
        return redirect("orglife:meeting_detail", pk=pk)
    if request.upload_refused:
        messages.error(request, request.upload_refused)
        return redirect("orglife:meeting_detail", pk=pk)
    form = MeetingFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_file_add(
                actor=request.user,
                meeting=meeting,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            messages.error(request, _("文件：%(e)s") % {"e": "；".join(exc.messages)})
        else:
            messages.success(request, _("已上传"))
    else:
        messages.error(
            request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items())
        )
    return redirect("orglife:meeting_detail", pk=pk)


@login_required
def meeting_file(request, pk):
    """Serve an uploaded photo or attachment to whoever may see its meeting."""
    row = get_restricted_or_404(MeetingFile, request.user, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    return FileResponse(
        handle, content_type=row.content_type, as_attachment=not inline, filename=row.name
    )
