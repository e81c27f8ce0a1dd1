from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.people.models import Person
from dangjian.platform.exports import workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.listing import paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import rules, selectors, services
from .forms import (
    CoverageForm,
    DiscussionForm,
    DueFilterForm,
    FollowUpDoneForm,
    PhotoForm,
    ServiceTypeForm,
    VisitFilterForm,
    VisitForm,
    VisitKindForm,
    VisitPlanForm,
)
from .models import (
    Discussion,
    LastVisit,
    TailoredServiceType,
    Visit,
    VisitKind,
    VisitPhoto,
    VisitPlan,
)

PHOTO_ORDER = [VisitPhoto.Stage.BEFORE, VisitPhoto.Stage.AFTER, VisitPhoto.Stage.OTHER]
SORTS = {"date": "visited_on", "follow_up": "follow_up_on"}
DUE_SORTS = {"last": "last_visit__visited_on", "licence": "licence_no"}
# What the visit and discussion forms hand to their services (record and update), as is.
VISIT_FIELDS = (
    "staff",
    "visited_on",
    "kind",
    "service_type",
    "notes",
    "follow_up_on",
    "follow_up",
)
DISCUSSION_FIELDS = ("held_on", "place", "participants", "topics", "findings", "measures")


def _values(data, fields) -> dict:
    return {name: data[name] for name in fields}


def _require(user, action, model):
    if not user_can(user, action, model):
        raise Http404


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _record_form(request, form_class, *, initial, **kwargs):
    """The record form of the page; after the picker's 搜索 button (no script) the form again,
    unsaved, with the matches."""
    if is_pick_search(request):
        return form_class(initial=pick_search_initial(request), **kwargs)
    return form_class(request.POST or None, request.FILES or None, initial=initial, **kwargs)


def _form_page(request, form, save, *, title, saved, denied_field=None, **context):
    """``visits/form.html`` for a record form: once the bound form is valid ``save(data)``
    calls the service and returns where to go next, with the message ``saved``. The service's
    ValidationError comes back on the form; so does PermissionDenied, on ``denied_field``,
    where one is named (elsewhere it is a 403)."""
    if form.is_bound and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            if denied_field is None:
                raise
            form.add_error(denied_field, str(exc))
        else:
            messages.success(request, saved)
            return redirect(target)
    return render(request, "visits/form.html", {"form": form, "title": title, **context})


# ------------------------------------------------------------------------- visit lists


def _filters(request):
    form = VisitFilterForm(request.GET or None, actor=request.user)
    params = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return form, params


def _with_photo_flags(rows) -> None:
    """Mark the page's visits that have photos (one query for the page, not a join)."""
    ids = [v.pk for v in rows]
    with_photos = set(
        VisitPhoto.objects.filter(visit__in=ids).values_list("visit", flat=True).distinct()
    )
    for v in rows:
        v.has_photos = v.pk in with_photos


def _visit_page(request, *, title, subject=None, extra=None, template="visits/list.html", **fixed):
    _require(request.user, "view", Visit)
    form, params = _filters(request)
    visits = selectors.visit_list(
        request.user, query=request.GET.get("q", "").strip(), related=False, **params, **fixed
    )
    listing = paginate(request, visits, sort_fields=SORTS, default_sort="-date")
    # Counted and paged on the bare rows (at 100 M rows the display joins cost more than the
    # page); the page's rows are then loaded with what they show, in the same order.
    keys = [v.pk for v in listing.page.object_list]
    loaded = Visit.objects.select_related(*selectors.DISPLAY_RELATED).in_bulk(keys)
    listing.page.object_list = [loaded[k] for k in keys]
    _with_photo_flags(listing.rows)
    context = {
        "listing": listing,
        "filter_form": form,
        "title": title,
        "subject": subject,
        "can_add": user_can(request.user, "add", Visit),
        "can_export": user_can(request.user, "export", Visit),
        "export_query": request.GET.urlencode(),
        "own_person": selectors.person_of(request.user),
        "today": timezone.localdate(),
    }
    context.update(extra or {})
    return render(request, template, context)


@login_required
def visit_list(request):
    return _visit_page(request, title=_("走访服务记录"))


@login_required
def customer_visits(request, pk):
    customer = get_restricted_or_404(
        RetailCustomer.objects.select_related("unit", "account_manager"), request.user, pk=pk
    )
    _require(request.user, "view", Visit)
    last = LastVisit.objects.filter(customer=customer).first()
    every = rules.visit_interval(
        customer.tier,
        [key for key in SEGMENTS if getattr(customer, key)],
        selectors.plan_rules(),
    )
    today = timezone.localdate()
    return _visit_page(
        request,
        title=_("%(shop)s 的走访记录") % {"shop": customer.shop_name},
        subject=customer,
        customer=customer,
        extra={
            "customer": customer,
            "can_add_here": selectors.customers_in_reach(request.user, "add")
            .filter(pk=customer.pk)
            .exists(),
            "every_days": every,
            "due_on": rules.due_on(last.visited_on if last else None, every, today=today),
            "last_visit": last,
        },
    )


def _staff_or_404(request, pk) -> Person:
    own = selectors.person_of(request.user)
    if own is not None and own.pk == pk:
        return own
    return get_restricted_or_404(Person, request.user, pk=pk)


@login_required
def staff_visits(request, pk):
    person = _staff_or_404(request, pk)
    return _visit_page(
        request,
        title=_("%(name)s 的走访记录") % {"name": person.name},
        subject=person,
        staff=person,
        extra={"staff_person": person},
    )


@login_required
def my_visits(request):
    own = selectors.person_of(request.user)
    if own is None:
        return render(request, "visits/no_person.html", status=404)
    return redirect("visits:staff", pk=own.pk)


@login_required
def visit_export(request):
    _require(request.user, "export", Visit)
    form, params = _filters(request)
    for key in ("customer", "staff"):
        raw = request.GET.get(key, "")
        if raw.isdigit():
            if key == "customer":
                params[key] = get_restricted_or_404(RetailCustomer, request.user, pk=raw)
            else:
                params[key] = _staff_or_404(request, int(raw))
    visits = selectors.visit_list(
        request.user, action="export", query=request.GET.get("q", "").strip(), **params
    )

    def rows():
        for v in visits.order_by("-visited_on", "-pk").iterator(chunk_size=2000):
            yield [
                v.visited_on,
                v.customer.licence_no,
                v.customer.shop_name,
                v.unit.name,
                v.staff.name,
                v.kind.name,
                v.service_type.name if v.service_type else "",
                v.notes,
                v.follow_up_on,
                v.follow_up,
                v.follow_up_done_on,
                v.follow_up_result,
            ]

    return workbook_export(
        request,
        model=Visit,
        count=visits.count(),
        filename="走访服务记录.xlsx",
        title="走访服务记录",
        headers=[
            "走访日期",
            "许可证号",
            "店名",
            "片区/县局",
            "服务人员",
            "走访类型",
            "私人定制项目",
            "服务内容",
            "跟进日期",
            "跟进事项",
            "跟进完成",
            "跟进结果",
        ],
        rows=rows(),
        widths=[12, 14, 24, 16, 10, 12, 16, 40, 12, 24, 12, 24],
    )


# ------------------------------------------------------------------ record and detail


@login_required
def visit_create(request):
    """The one-screen quick entry, landing from the customer page and from the due list."""
    _require(request.user, "add", Visit)
    initial = {}
    raw = request.GET.get("customer", "")
    if raw.isdigit():
        customer = selectors.customers_in_reach(request.user).filter(pk=raw).first()
        if customer is not None:
            initial["customer"] = customer.pk
    form = _record_form(request, VisitForm, initial=initial, actor=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_record(
                actor=request.user,
                customer=data["customer"],
                **_values(data, VISIT_FIELDS),
                photos=form.photos(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("customer", str(exc))
        else:
            messages.success(
                request,
                _("已记录 %(shop)s 的走访") % {"shop": visit.customer.shop_name},
            )
            return redirect(_safe_next(request, visit_url(visit)))
    return render(
        request,
        "visits/quick_form.html",
        {"form": form, "title": _("记录走访"), "next": _safe_next(request, "")},
    )


def visit_url(visit) -> str:
    return reverse("visits:detail", args=[visit.pk])


@login_required
def visit_detail(request, pk):
    visit = get_restricted_or_404(
        Visit.objects.select_related("customer", "staff", "kind", "service_type", "unit"),
        request.user,
        pk=pk,
    )
    can_change = Visit.objects.restrict(request.user, "change").filter(pk=pk).exists()
    can_delete = Visit.objects.restrict(request.user, "delete").filter(pk=pk).exists()
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "photos": sorted(visit.photos.all(), key=lambda p: (PHOTO_ORDER.index(p.stage), p.pk)),
            "can_change": can_change,
            "can_delete": can_delete,
            "photo_form": PhotoForm(),
            "follow_up_form": FollowUpDoneForm(initial={"done_on": timezone.localdate()}),
            "history": history_rows(visit),
        },
    )


@login_required
def visit_edit(request, pk):
    visit = get_restricted_or_404(
        Visit.objects.select_related("customer"), request.user, "change", pk=pk
    )
    initial = {
        "visited_on": visit.visited_on,
        "kind": visit.kind_id,
        "service_type": visit.service_type_id,
        "notes": visit.notes,
        "follow_up_on": visit.follow_up_on,
        "follow_up": visit.follow_up,
        "staff": visit.staff_id,
    }
    form = _record_form(request, VisitForm, initial=initial, actor=request.user, editing=True)
    if not is_pick_search(request):
        # The recorded staff member stays valid even when outside the editor's pickers.
        form.fields["staff"].queryset = form.fields["staff"].queryset | Person.objects.filter(
            pk=visit.staff_id
        )

    def save(data):
        services.visit_update(actor=request.user, visit=visit, **_values(data, VISIT_FIELDS))
        return visit_url(visit)

    return _form_page(request, form, save, title=_("修改走访记录"), saved=_("已保存"), visit=visit)


@login_required
@require_POST
def visit_delete(request, pk):
    visit = get_restricted_or_404(Visit, request.user, "delete", pk=pk)
    customer_pk = visit.customer_id
    services.visit_delete(actor=request.user, visit=visit)
    messages.success(request, _("已删除走访记录"))
    return redirect("visits:customer", pk=customer_pk)


@login_required
@require_POST
def photo_add(request, pk):
    visit = get_restricted_or_404(Visit, request.user, "change", pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            n = services.visit_photos_add(
                actor=request.user,
                visit=visit,
                photos=[(form.cleaned_data["stage"], f) for f in form.cleaned_data["photos"]],
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, _("照片：%(e)s") % {"e": error})
        else:
            messages.success(request, _("已上传 %(n)s 张照片") % {"n": n})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}")
    return redirect("visits:detail", pk=visit.pk)


@login_required
def photo(request, pk):
    """A visit photo, only to those who see the visit (no public media URL)."""
    item = get_restricted_or_404(VisitPhoto, request.user, pk=pk)
    try:
        handle = item.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def follow_up_done(request, pk):
    visit = get_restricted_or_404(Visit, request.user, "change", pk=pk)
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            services.visit_follow_up_done(
                actor=request.user,
                visit=visit,
                result=form.cleaned_data["result"],
                done_on=form.cleaned_data["done_on"],
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("跟进事项已完成"))
            return redirect(_safe_next(request, visit_url(visit)))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}：{error}")
    return redirect("visits:detail", pk=visit.pk)


# ---------------------------------------------------------------- follow-ups, due list


@login_required
def follow_ups(request):
    _require(request.user, "view", Visit)
    own = selectors.person_of(request.user)
    mine = request.GET.get("all") != "1" and own is not None
    visits = selectors.open_follow_ups(request.user, staff=own if mine else None)
    listing = paginate(request, visits, sort_fields={"due": "follow_up_on"}, default_sort="due")
    return render(
        request,
        "visits/follow_ups.html",
        {
            "listing": listing,
            "mine": mine,
            "own_person": own,
            "today": timezone.localdate(),
            "form": FollowUpDoneForm(initial={"done_on": timezone.localdate()}),
            "can_change": user_can(request.user, "change", Visit),
        },
    )


@login_required
def due(request):
    """An account manager's customers due or overdue for a visit; others pick a manager or a
    unit (or see the overdue count per market area)."""
    _require(request.user, "view", Visit)
    form = DueFilterForm(request.GET or None, actor=request.user)
    params = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    own = selectors.person_of(request.user)
    manages = own is not None and RetailCustomer.objects.filter(account_manager=own).exists()
    manager = params.get("manager") or (own if manages else None)
    unit = params.get("unit")
    today = timezone.localdate()
    listing = None
    if manager is not None or unit is not None:
        customers = selectors.due_list(
            request.user,
            manager=manager,
            unit=unit,
            within_days=params.get("within_days") or 0,
            today=today,
            query=request.GET.get("q", "").strip(),
        )
        listing = paginate(request, customers, sort_fields=DUE_SORTS, default_sort="last")
        for c in listing.rows:
            c.due_date = rules.due_on(c.last_visited_on, c.every_days, today=today)
            c.overdue_days = rules.days_overdue(c.last_visited_on, c.every_days, today=today)
    return render(
        request,
        "visits/due.html",
        {
            "listing": listing,
            "form": form,
            "manager": manager,
            "unit": unit,
            "today": today,
            "can_add": user_can(request.user, "add", Visit),
            "can_see_areas": not manages or request.user.is_superuser,
        },
    )


@login_required
def overdue(request):
    """Overdue customers per market area (the office's view of the visit plans)."""
    _require(request.user, "view", Visit)
    form = DueFilterForm(request.GET or None, actor=request.user)
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    rows = selectors.overdue_by_area(request.user, unit=unit)
    for row in rows:
        row["rate"] = round(100 * row["overdue"] / row["customers"]) if row["customers"] else 0
    totals = {
        "customers": sum(r["customers"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
    }
    return render(
        request,
        "visits/overdue.html",
        {"rows": rows, "totals": totals, "form": form, "plans": VisitPlan.objects.all()},
    )


# -------------------------------------------------------------------------- catalogues


def _catalogue(request, *, model, form_class, template, title, pk=None, extra=None):
    _require(request.user, "view", model)
    instance = None
    if pk is not None:
        _require(request.user, "change", model)
        instance = model.objects.filter(pk=pk).first()
        if instance is None:
            raise Http404
    can_edit = user_can(request.user, "change" if instance else "add", model)
    form = None
    if can_edit:
        form = form_class(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            try:
                services.catalogue_save(actor=request.user, instance=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(f"visits:{template}")
    elif request.method == "POST":
        raise Http404
    context = {
        "form": form,
        "title": title,
        "instance": instance,
        "rows": model.objects.all(),
        "can_edit": user_can(request.user, "change", model),
        "list_url": reverse(f"visits:{template}"),
    }
    context.update(extra or {})
    return render(request, f"visits/{template}.html", context)


@login_required
def kinds(request, pk=None):
    return _catalogue(
        request,
        model=VisitKind,
        form_class=VisitKindForm,
        template="kinds",
        title=_("走访类型"),
        pk=pk,
    )


@login_required
def service_types(request, pk=None):
    return _catalogue(
        request,
        model=TailoredServiceType,
        form_class=ServiceTypeForm,
        template="service_types",
        title=_("私人定制服务目录"),
        pk=pk,
        extra={"segments": SEGMENTS},
    )


@login_required
def plans(request, pk=None):
    return _catalogue(
        request,
        model=VisitPlan,
        form_class=VisitPlanForm,
        template="plans",
        title=_("走访计划"),
        pk=pk,
    )


@login_required
def coverage(request):
    _require(request.user, "view", Visit)
    today = timezone.localdate()
    form = CoverageForm(request.GET or None, initial={"segment": "vulnerable", "year": today.year})
    if form.is_bound and form.is_valid():
        segment, year = form.cleaned_data["segment"], form.cleaned_data["year"]
        served = form.cleaned_data["served"]
    else:
        segment, year, served = "vulnerable", today.year, ""
    data = selectors.coverage(request.user, segment=segment, year=year)
    customers = data["customers"]
    if served == "yes":
        customers = customers.filter(served=True)
    elif served == "no":
        customers = customers.filter(served=False)
    listing = paginate(
        request, customers, sort_fields={"licence": "licence_no"}, default_sort="licence"
    )
    return render(
        request,
        "visits/coverage.html",
        {
            "form": form,
            "data": data,
            "listing": listing,
            "segment": segment,
            "year": year,
            "summary": selectors.coverage_summary(request.user, year=year),
        },
    )


# ------------------------------------------------------------------------ discussions


@login_required
def discussion_list(request):
    _require(request.user, "view", Discussion)
    discussions = selectors.discussion_list(request.user, query=request.GET.get("q", "").strip())
    listing = paginate(request, discussions, sort_fields={"date": "held_on"}, default_sort="-date")
    return render(
        request,
        "visits/discussions.html",
        {
            "listing": listing,
            "can_add": services.branches_in_reach(request.user).exists(),
        },
    )


@login_required
def discussion_create(request):
    _require(request.user, "add", Discussion)
    form = _record_form(
        request, DiscussionForm, initial={"held_on": timezone.localdate()}, actor=request.user
    )

    def save(data):
        discussion = services.discussion_record(
            actor=request.user, branch=data["branch"], **_values(data, DISCUSSION_FIELDS)
        )
        return reverse("visits:discussion_detail", args=[discussion.pk])

    return _form_page(
        request,
        form,
        save,
        title=_("记录“假如我是服务对象”讨论"),
        saved=_("已记录讨论"),
        denied_field="branch",
        back="visits:discussions",
    )


@login_required
def discussion_detail(request, pk):
    discussion = get_restricted_or_404(
        Discussion.objects.select_related("branch"), request.user, pk=pk
    )
    return render(
        request,
        "visits/discussion_detail.html",
        {
            "discussion": discussion,
            "participants": list(discussion.participants.order_by("name_pinyin")),
            "can_change": Discussion.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
            "history": history_rows(discussion),
        },
    )


@login_required
def discussion_edit(request, pk):
    discussion = get_restricted_or_404(
        Discussion.objects.select_related("branch"), request.user, "change", pk=pk
    )
    initial = {
        "held_on": discussion.held_on,
        "place": discussion.place,
        "participants": list(discussion.participants.values_list("pk", flat=True)),
        "topics": discussion.topics,
        "findings": discussion.findings,
        "measures": discussion.measures,
    }
    form = _record_form(
        request, DiscussionForm, initial=initial, actor=request.user, discussion=discussion
    )

    def save(data):
        services.discussion_update(
            actor=request.user, discussion=discussion, **_values(data, DISCUSSION_FIELDS)
        )
        return reverse("visits:discussion_detail", args=[discussion.pk])

    return _form_page(
        request,
        form,
        save,
        title=_("修改讨论记录"),
        saved=_("已保存"),
        back="visits:discussions",
    )


# ---------------------------------------------------------------------------- pickers

# (model and action the user needs, form class, field)
SUGGESTIONS = {
    "customer": (Visit, "add", VisitForm, "customer"),
    "staff": (Visit, "add", VisitForm, "staff"),
    "unit": (Visit, "view", VisitFilterForm, "unit"),
    "manager": (Visit, "view", DueFilterForm, "manager"),
    "branch": (Discussion, "add", DiscussionForm, "branch"),
    "participants": (Discussion, "add", DiscussionForm, "participants"),
}


@login_required
def suggest(request, field):
    """Matches for a picker, within the same scope the form validates against."""
    if field not in SUGGESTIONS:
        raise Http404
    model, action, form_class, name = SUGGESTIONS[field]
    if not user_can(request.user, action, model):
        raise Http404
    form = form_class(actor=request.user)
    if name not in form.fields:
        raise Http404
    return suggest_response(request, form, name)
