from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.excel import xlsx_response
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.pdf import pdf_response, render_pdf
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response
from dangjian.platform.tabular import limit_upload_size
from dangjian.platform.upload import import_upload_page

from . import selectors, services
from .forms import ContestFilterForm, ContestForm, ParticipantsForm
from .importing import COLUMNS, TEMPLATE_EXAMPLE
from .models import Contest, Participant
from .tasks import import_scores

SORTS = {"date": "held_on", "name": "name", "line": "business_line"}


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(2000, min(2100, year))


def _error_text(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _filtered(request):
    form = ContestFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.contest_list)


@login_required
def contest_list(request):
    """The company view: every event in the actor's reach, by date."""
    if not user_can(request.user, "view", Contest):
        if user_can(request.user, "view", Participant):
            return redirect("contests:mine")
        raise Http404
    form, contests = _filtered(request)
    listing = paginate(request, contests, sort_fields=SORTS, default_sort="-date")
    page_ids = [c.pk for c in listing.rows]
    counts = {c.pk: c for c in selectors.with_counts(Contest.objects.filter(pk__in=page_ids))}
    return render(
        request,
        "exemplar_contests/list.html",
        {
            "listing": listing,
            "rows": [(c, counts.get(c.pk)) for c in listing.rows],
            "filter_form": form,
            "can_add": user_can(request.user, "add", Contest),
            "can_export": user_can(request.user, "export", Contest),
            "branches": PartyOrg.objects.restrict(request.user, "view")
            .filter(kind=PartyOrg.Kind.BRANCH)
            .order_by("path")[:1],
        },
    )


@login_required
def contest_export(request):
    if not user_can(request.user, "export", Contest):
        raise Http404
    _form, contests = _filtered(request)
    contests = selectors.with_counts(
        contests.filter(pk__in=Contest.objects.restrict(request.user, "export").values("pk"))
    )

    def rows():
        for c in contests.order_by("-held_on", "pk").iterator(chunk_size=2000):
            yield [
                c.get_kind_display(),
                c.name,
                c.organiser.name,
                c.get_business_line_display(),
                c.held_on,
                c.get_status_display(),
                c.entrants,
                c.awardees,
                c.business_result,
                c.business_figure,
                c.business_figure_label,
            ]

    return xlsx_response(
        filename=_("岗位练兵与竞赛.xlsx"),
        title=_("岗位练兵与竞赛"),
        headers=[
            _("类别"),
            _("名称"),
            _("组织单位"),
            _("业务条线"),
            _("举办日期"),
            _("状态"),
            _("参赛人数"),
            _("获奖人数"),
            _("业务成效"),
            _("成效指标值"),
            _("指标名称及单位"),
        ],
        rows=rows(),
        widths=[10, 36, 24, 10, 12, 12, 10, 10, 40, 12, 18],
    )


@login_required
def contest_edit(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", Contest):
            raise Http404
        contest = Contest()
    else:
        contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
        if contest.status == Contest.Status.PUBLISHED:
            messages.error(request, _("成绩已公布，不能再修改"))
            return redirect("contests:detail", pk=pk)
    if is_pick_search(request):
        form = ContestForm(
            instance=contest, actor=request.user, initial=pick_search_initial(request)
        )
    else:
        form = ContestForm(request.POST or None, instance=contest, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            saved = services.contest_save(actor=request.user, contest=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("organiser", str(exc))
        else:
            messages.success(request, _("已保存“%(n)s”") % {"n": saved.name})
            return redirect("contests:detail", pk=saved.pk)
    return render(request, "exemplar_contests/form.html", {"form": form, "contest": contest})


@login_required
def suggest(request, field):
    if field == "organiser" and user_can(request.user, "add", Contest):
        return suggest_response(request, ContestForm(actor=request.user), field)
    if field == "people" and user_can(request.user, "change", Contest):
        return suggest_response(request, ParticipantsForm(actor=request.user), field)
    raise Http404


@login_required
def contest_detail(request, pk):
    contest = get_restricted_or_404(
        Contest.objects.select_related("organiser", "created_by"), request.user, pk=pk
    )
    can_change = Contest.objects.restrict(request.user, "change").filter(pk=pk).exists()
    if is_pick_search(request) and can_change:
        people_form = ParticipantsForm(actor=request.user, initial=pick_search_initial(request))
    else:
        people_form = ParticipantsForm(actor=request.user)
    entries = list(selectors.results(contest))
    return render(
        request,
        "exemplar_contests/detail.html",
        {
            "c": contest,
            "entries": entries,
            "can_change": can_change and contest.status != Contest.Status.PUBLISHED,
            "can_import": user_can(request.user, "import", Contest) and can_change,
            "people_form": people_form,
            "awardees": sum(1 for e in entries if e.award),
            "history": history_rows(contest) if can_change else [],
            "chart": {
                "names": [e.person.name for e in entries if e.score is not None],
                "scores": [float(e.score) for e in entries if e.score is not None],
            },
        },
    )


@login_required
@require_POST
def participants_add(request, pk):
    contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
    if is_pick_search(request):
        return contest_detail(request, pk)
    form = ParticipantsForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(
            request, _("参赛人员：%(e)s") % {"e": "；".join(form.errors.get("people", []))}
        )
    else:
        try:
            added = services.participants_add(
                actor=request.user, contest=contest, people=form.cleaned_data["people"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _("参赛人员：%(e)s") % {"e": _error_text(exc)})
        else:
            messages.success(request, _("已添加%(n)s名参赛人员") % {"n": added})
    return redirect("contests:detail", pk=pk)


@login_required
@require_POST
def participant_remove(request, pk):
    participant = _entry_of_changeable(request, pk)
    try:
        services.participant_remove(actor=request.user, participant=participant)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已移出%(n)s") % {"n": participant.person.name})
    return redirect("contests:detail", pk=participant.contest_id)


def _entry_of_changeable(request, pk) -> Participant:
    """An entry of an event the actor may change (the organiser's officers), or 404."""
    entry = (
        Participant.objects.filter(
            pk=pk, contest__in=Contest.objects.restrict(request.user, "change").values("pk")
        )
        .select_related("person")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


@login_required
@require_POST
def scores(request, pk):
    contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
    values = {
        int(key.removeprefix("score_")): value
        for key, value in request.POST.items()
        if key.startswith("score_") and key.removeprefix("score_").isdigit()
    }
    try:
        services.scores_record(actor=request.user, contest=contest, scores=values)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("成绩：%(e)s") % {"e": _error_text(exc)})
    else:
        messages.success(request, _("成绩已保存，名次已重新计算"))
    return redirect("contests:detail", pk=pk)


@login_required
@require_POST
def publish(request, pk):
    contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
    try:
        services.contest_publish(actor=request.user, contest=contest)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("成绩已公布，可以打印荣誉证书"))
    return redirect("contests:detail", pk=pk)


def _certificates_pdf(contest, entries, filename):
    pdf = render_pdf(
        "exemplar_contests/certificate_pdf.html",
        {"c": contest, "entries": entries, "page_numbers": False},
        page_size="A4",
        landscape=True,
    )
    return pdf_response(pdf, filename=filename)


@login_required
def certificates(request, pk):
    """Every awardee's certificate in one file (one page each)."""
    contest = get_restricted_or_404(Contest, request.user, pk=pk)
    if contest.status != Contest.Status.PUBLISHED:
        raise Http404
    entries = [e for e in selectors.results(contest) if e.award]
    if not entries:
        messages.error(request, _("本次活动没有获奖人员"))
        return redirect("contests:detail", pk=pk)
    return _certificates_pdf(contest, entries, f"{contest.name}-荣誉证书.pdf")


@login_required
def certificate(request, pk):
    """One awardee's certificate: for the organiser's officers and the awardee himself."""
    reachable = Q(pk__in=Participant.objects.restrict(request.user, "view").values("pk")) | Q(
        contest__in=Contest.objects.restrict(request.user, "view").values("pk")
    )
    entry = (
        Participant.objects.filter(reachable, pk=pk)
        .select_related("contest", "contest__organiser", "person", "person__unit")
        .first()
    )
    if entry is None or not entry.award or entry.contest.status != Contest.Status.PUBLISHED:
        raise Http404
    return _certificates_pdf(
        entry.contest, [entry], f"{entry.contest.name}-{entry.person.name}-荣誉证书.pdf"
    )


@login_required
@limit_upload_size
def score_import(request, pk):
    contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
    if contest.status == Contest.Status.PUBLISHED:
        messages.error(request, _("成绩已公布，不能再修改"))
        return redirect("contests:detail", pk=pk)
    return import_upload_page(
        request,
        model=Contest,
        kind="contests.import_scores",
        task=import_scores,
        what=_("成绩"),
        template="exemplar_contests/import.html",
        context={"columns": COLUMNS, "c": contest},
        contest=contest.pk,
    )


@login_required
def score_import_template(request, pk):
    contest = get_restricted_or_404(Contest, request.user, "change", pk=pk)
    if not user_can(request.user, "import", Contest):
        raise Http404
    rows = [[e.person.name, "", "", ""] for e in selectors.results(contest)] or [TEMPLATE_EXAMPLE]
    return xlsx_response(
        filename=_("成绩导入模板.xlsx"),
        title=_("成绩"),
        headers=[c.label for c in COLUMNS],
        rows=rows,
    )


@login_required
def mine(request):
    """A member's record of his events (published results only, plus those he is entered in)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None or not user_can(request.user, "view", Participant):
        raise Http404
    entries = list(selectors.entries_of(request.user, person=person))
    return render(
        request,
        "exemplar_contests/mine.html",
        {"person": person, "entries": entries, "awards": sum(1 for e in entries if e.award)},
    )


@login_required
def branch(request, pk):
    """A branch's members in the year's published events: entries, awards, best rank."""
    if not user_can(request.user, "view", Contest):
        raise Http404
    org = get_restricted_or_404(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH), request.user, pk=pk
    )
    year = _year(request)
    tallies = selectors.branch_tally(request.user, org, year)
    return render(
        request,
        "exemplar_contests/branch.html",
        {
            "org": org,
            "year": year,
            "years": [year - 1, year, year + 1],
            "tallies": tallies,
            "awards": sum(t.awards for t in tallies),
        },
    )
