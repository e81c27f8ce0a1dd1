import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.excel import xlsx_response
from dangjian.platform.forms import add_service_errors
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import get_restricted_or_404, grants_for, model_label, user_can

from . import selectors, services
from .forms import (
    ReflectionFilterForm,
    ReflectionForm,
    ReviewReflectionForm,
    ReviewSelfStudyForm,
    SelfStudyForm,
)
from .models import MAX_REFLECTION_CHARS, Reflection, ReflectionVersion, SelfStudy


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(2000, min(2100, year))


def _own_person(user):
    return (
        Person.objects.select_related("membership__branch", "unit")
        .filter(user=user, membership__isnull=False)
        .first()
    )


def _branches(user):
    return PartyOrg.objects.restrict(user, "view").filter(kind=PartyOrg.Kind.BRANCH)


def _oversees(user) -> bool:
    """Whether the user sees others' study (branch officers, office, leaders, auditor), not
    only his own (a member's own-only grant)."""
    if getattr(user, "is_superuser", False):
        return True
    label = model_label(SelfStudy)
    return any(g.allows(label, "view") and label not in g.own_only for g in grants_for(user))


# ----------------------------------------------------------------------------- overview


@login_required
def index(request):
    """比学习: a member's own year; someone without a membership goes to the branches."""
    person = _own_person(request.user)
    if person is None:
        return redirect("study:branches")
    return _member_page(request, person, own=True)


@login_required
def branches(request):
    """The branches in reach (search by name); a single branch goes straight to its page."""
    if not _oversees(request.user):
        raise Http404
    rows = _branches(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(name__contains=query)
    elif len(first := list(rows.order_by("path")[:2])) == 1:
        return redirect("study:branch", pk=first[0].pk)
    listing = paginate(
        request, rows, sort_fields={"name": "path"}, default_sort="name", per_page=50
    )
    return render(
        request,
        "exemplar_study/branches.html",
        {
            "listing": listing,
            "queue": selectors.self_study_queue(request.user).exists(),
            "oversees": True,
        },
    )


def _branch_rows(request, pk):
    if not _oversees(request.user):
        raise Http404
    branch = get_restricted_or_404(_branches(request.user), request.user, pk=pk)
    year = _year(request)
    return branch, year, selectors.branch_study(request.user, branch, year)


@login_required
def branch(request, pk):
    """Each member's hours and points against the yearly minimum; who has not studied."""
    branch, year, rows = _branch_rows(request, pk)
    show = request.GET.get("show", "")
    shown = rows
    if show == "none":
        shown = [r for r in rows if not r.studied]
    elif show == "short":
        shown = [r for r in rows if not r.met]
    return render(
        request,
        "exemplar_study/branch.html",
        {
            "org": branch,
            "year": year,
            "rows": shown,
            "show": show,
            "total": len(rows),
            "not_studied": sum(1 for r in rows if not r.studied),
            "short": sum(1 for r in rows if not r.met),
            "pending": sum(r.pending for r in rows),
            "years": [year - 1, year, year + 1],
            "can_export": user_can(request.user, "export", SelfStudy),
            "chart": {
                "names": [r.person.name for r in rows],
                "collective": [float(r.collective) for r in rows],
                "self": [float(r.self_hours) for r in rows],
                "target": [r.target for r in rows],
            },
        },
    )


@login_required
def branch_export(request, pk):
    if not user_can(request.user, "export", SelfStudy):
        raise Http404
    branch, year, rows = _branch_rows(request, pk)
    return xlsx_response(
        filename=f"{branch.name}{year}年学习情况.xlsx",
        title=_("学习情况"),
        headers=[
            _("姓名"),
            _("党员类别"),
            _("职务"),
            _("集中学习学时"),
            _("自学学时"),
            _("合计学时"),
            _("年度要求"),
            _("是否达标"),
            _("学习积分"),
            _("心得体会篇数"),
            _("待确认自学"),
        ],
        rows=(
            [
                r.person.name,
                r.status,
                r.person.title,
                r.collective,
                r.self_hours,
                r.hours,
                r.target,
                _("达标") if r.met else (_("未学习") if not r.studied else _("未达标")),
                r.points,
                r.reflections,
                r.pending,
            ]
            for r in rows
        ),
        widths=[12, 10, 14, 12, 10, 10, 10, 10, 10, 12, 10],
    )


def _member_page(request, person, *, own: bool):
    year = _year(request)
    data = selectors.member_year(request.user, person, year)
    return render(
        request,
        "exemplar_study/member.html",
        {
            "data": data,
            "own": own,
            "year": year,
            "years": [year - 1, year, year + 1],
            "can_add": own,
            "oversees": _oversees(request.user),
        },
    )


@login_required
def member(request, pk):
    """A member's study year, for whoever may see his study records (his branch's officers)."""
    if not user_can(request.user, "view", SelfStudy):
        raise Http404
    person = get_restricted_or_404(
        Person.objects.select_related("membership__branch").filter(membership__isnull=False),
        request.user,
        pk=pk,
    )
    # Seeing a person is not seeing his study: the branch must be in the study grant's reach.
    if not _branches(request.user).filter(pk=person.membership.branch_id).exists() and (
        person.user_id != request.user.pk
    ):
        raise Http404
    return _member_page(request, person, own=person.user_id == request.user.pk)


# ----------------------------------------------------------------------------- self-study


@login_required
def self_add(request):
    person = _own_person(request.user)
    if person is None:
        raise Http404
    form = SelfStudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.self_study_add(
                actor=request.user,
                studied_on=data["studied_on"],
                topic=data["topic"],
                kind=data["kind"],
                hours=data["hours"],
                upload=data.get("attachment"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记，待支部确认后计入学时和积分"))
            return redirect("study:index")
    return render(request, "exemplar_study/self_form.html", {"form": form})


@login_required
def self_queue(request):
    """Self-study entries waiting for the actor's confirmation."""
    if not user_can(request.user, "change", SelfStudy):
        raise Http404
    rows = selectors.self_study_queue(request.user).exclude(person__user=request.user)
    listing = paginate(
        request,
        rows,
        sort_fields={"date": "studied_on", "name": "person__name_pinyin"},
        default_sort="date",
    )
    return render(
        request,
        "exemplar_study/self_queue.html",
        {"listing": listing, "form": ReviewSelfStudyForm(), "oversees": True},
    )


@login_required
@require_POST
def self_review(request, pk):
    entry = get_restricted_or_404(SelfStudy, request.user, "change", pk=pk)
    form = ReviewSelfStudyForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    if form.is_valid():
        try:
            services.self_study_review(
                actor=request.user, entry=entry, confirm=confirm, note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, _("意见：%(e)s") % {"e": text})
        else:
            messages.success(request, _("已确认") if confirm else _("已标记为不予确认"))
    else:
        messages.error(request, _("意见：不超过500字"))
    return redirect("study:self_queue")


@login_required
def self_attachment(request, pk):
    entry = get_restricted_or_404(SelfStudy, request.user, pk=pk)
    if not entry.attachment:
        raise Http404
    try:
        handle = entry.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=entry.attachment_name or "附件")


# ----------------------------------------------------------------------------- reflections


SORTS = {"submitted": "submitted_at", "similarity": "similarity", "title": "title"}


@login_required
def reflection_list(request):
    if not user_can(request.user, "view", Reflection):
        raise Http404
    form = ReflectionFilterForm(request.GET or None, actor=request.user)
    form, rows = filtered_list(request, form, selectors.reflection_list)
    listing = paginate(request, rows, sort_fields=SORTS, default_sort="-submitted")
    return render(
        request,
        "exemplar_study/reflection_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_write": _own_person(request.user) is not None,
            "oversees": _oversees(request.user),
        },
    )


@login_required
def reflection_new(request):
    person = _own_person(request.user)
    if person is None:
        raise Http404
    since = timezone.localdate() - dt.timedelta(days=366)
    meetings = selectors.meetings_for_reflection(person, since=since)
    form = ReflectionForm(request.POST or None, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        try:
            reflection = services.reflection_submit(
                actor=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                meeting=form.cleaned_data.get("meeting"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("心得体会已提交，等待支部审阅"))
            return redirect("study:reflection_detail", pk=reflection.pk)
    return render(
        request,
        "exemplar_study/reflection_form.html",
        {"form": form, "max_chars": MAX_REFLECTION_CHARS},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def reflection_detail(request, pk):
    reflection = get_restricted_or_404(
        Reflection.objects.select_related("person", "branch", "meeting", "reviewed_by"),
        request.user,
        pk=pk,
    )
    own = reflection.person.user_id == request.user.pk
    can_review = (
        not own
        and reflection.status == Reflection.Status.SUBMITTED
        and Reflection.objects.restrict(request.user, "change").filter(pk=pk).exists()
    )
    return render(
        request,
        "exemplar_study/reflection_detail.html",
        {
            "r": reflection,
            "own": own,
            "can_review": can_review,
            "can_revise": own and reflection.status == Reflection.Status.RETURNED,
            "versions": ReflectionVersion.objects.restrict(request.user, "view")
            .filter(reflection=reflection)
            .select_related("reviewed_by")
            .order_by("-number"),
            "evidence": [] if own else selectors.originality_evidence(request.user, reflection),
            "threshold": services.threshold(),
            "review_form": ReviewReflectionForm(),
        },
    )


@login_required
def reflection_revise(request, pk):
    reflection = get_restricted_or_404(Reflection, request.user, "change", pk=pk)
    if reflection.person.user_id != request.user.pk:
        raise Http404
    if reflection.status != Reflection.Status.RETURNED:
        messages.error(request, _("只有被退回的心得体会可以修改后重新提交"))
        return redirect("study:reflection_detail", pk=pk)
    form = ReflectionForm(
        request.POST or None,
        revising=True,
        initial={"title": reflection.title, "text": reflection.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_resubmit(
                actor=request.user,
                reflection=reflection,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已重新提交，等待支部审阅"))
            return redirect("study:reflection_detail", pk=pk)
    return render(
        request,
        "exemplar_study/reflection_form.html",
        {"form": form, "reflection": reflection, "max_chars": MAX_REFLECTION_CHARS},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def reflection_review(request, pk):
    reflection = get_restricted_or_404(Reflection, request.user, "change", pk=pk)
    form = ReviewReflectionForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if not form.is_valid():
        messages.error(request, _("审阅意见：不超过2000字"))
    else:
        try:
            services.reflection_review(
                actor=request.user,
                reflection=reflection,
                accept=accept,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages.error(request, _("审阅意见：%(e)s") % {"e": "；".join(exc.messages)})
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已通过") if accept else _("已退回修改"))
    return redirect("study:reflection_detail", pk=pk)
