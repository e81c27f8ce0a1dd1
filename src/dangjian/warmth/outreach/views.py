"""Staff pages of 增值服务: thin views over selectors and services."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.customers.models import RetailCustomer
from dangjian.platform.audit import log_access
from dangjian.platform.exports import workbook_export
from dangjian.platform.history import history_rows
from dangjian.platform.links import absolute_url
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response
from dangjian.warmth.window.models import LicenceWindow

from . import selectors, services
from .forms import (
    BroadcastFilterForm,
    BroadcastForm,
    CancelForm,
    DeliveryFilterForm,
    GreetingFilterForm,
    GroupForm,
    HomeFilterForm,
    HomeServiceForm,
    KindForm,
    MembersAddForm,
    OptOutForm,
    OwnerForm,
    RecordForm,
    RescheduleForm,
    RosterFilterForm,
    RosterForm,
    TemplateForm,
)
from .models import (
    AreaGroup,
    AreaGroupOwner,
    Broadcast,
    BroadcastKind,
    DutyRoster,
    Greeting,
    GreetingOccasion,
    GreetingOptOut,
    HomeService,
    OffDayBooking,
)


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _text(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _need(request, action: str, model) -> None:
    if not user_can(request.user, action, model):
        raise Http404


SUGGEST_FORMS = {
    "window": lambda a: RosterFilterForm(actor=a),
    "unit": lambda a: GroupForm(actor=a),
    "area": lambda a: MembersAddForm(actor=a),
    "customers": lambda a: MembersAddForm(actor=a),
    "person": lambda a: OwnerForm(actor=a),
    "customer": lambda a: HomeServiceForm(actor=a),
    "staff": lambda a: HomeServiceForm(actor=a),
}


@login_required
def suggest(request, field):
    """Matches for the pickers of this app's forms, each in the form's own scope."""
    make = SUGGEST_FORMS.get(field)
    if make is None:
        raise Http404
    if field == "window":  # the duty roster list's filter: whoever reads the rosters
        _need(request, "view", DutyRoster)
    elif not any(
        user_can(request.user, "change", m) for m in (AreaGroup, HomeService, DutyRoster)
    ) and not user_can(request.user, "add", GreetingOptOut):
        raise Http404
    return suggest_response(request, make(request.user), field)


# == 片区群 ====================================================================================


@login_required
def index(request):
    """The module's front page: what each part holds for this user."""
    actor = request.user
    today = timezone.localdate()
    cards = {
        "groups": AreaGroup.objects.restrict(actor, "view").count(),
        "broadcasts": Broadcast.objects.restrict(actor, "view").count(),
        "home_open": HomeService.objects.restrict(actor, "view")
        .filter(status=HomeService.Status.SCHEDULED)
        .count(),
        "rosters": DutyRoster.objects.restrict(actor, "view").filter(date__gte=today).count(),
    }
    return render(
        request,
        "outreach/index.html",
        {
            "cards": cards,
            "calendar": selectors.greeting_calendar(actor, start=today, days=7)
            if user_can(actor, "view", Greeting)
            else [],
            "my_home": list(selectors.my_home_services(actor).filter(status="scheduled")[:5]),
            "my_duty": list(selectors.my_duty_bookings(actor, days_back=0)[:5]),
        },
    )


@login_required
def group_list(request):
    _need(request, "view", AreaGroup)
    groups = selectors.group_list(request.user, query=request.GET.get("q", "").strip())
    listing = paginate(request, groups, sort_fields={"name": "name"}, default_sort="name")
    counts = selectors.member_counts(g.pk for g in listing.rows)
    return render(
        request,
        "outreach/group_list.html",
        {
            "listing": listing,
            "rows": [(g, counts.get(g.pk, 0)) for g in listing.rows],
            "can_add": user_can(request.user, "add", AreaGroup),
        },
    )


@login_required
def group_edit(request, pk=None):
    if pk is None:
        _need(request, "add", AreaGroup)
        group = AreaGroup()
    else:
        group = get_restricted_or_404(AreaGroup, request.user, "change", pk=pk)
    if is_pick_search(request):
        form = GroupForm(instance=group, actor=request.user, initial=pick_search_initial(request))
    else:
        form = GroupForm(request.POST or None, instance=group, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            saved = services.area_group_save(actor=request.user, group=form.save(commit=False))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        else:
            messages.success(request, _("已保存片区群“%(n)s”") % {"n": saved.name})
            return redirect("outreach:group_detail", pk=saved.pk)
    return render(request, "outreach/group_form.html", {"form": form, "group": group})


@login_required
def group_detail(request, pk):
    group = get_restricted_or_404(
        AreaGroup.objects.select_related("unit"), request.user, "view", pk=pk
    )
    members = selectors.group_members(request.user, group, query=request.GET.get("q", "").strip())
    listing = paginate(
        request, members, sort_fields={"added": "added_at"}, default_sort="-added", per_page=20
    )
    can_change = AreaGroup.objects.restrict(request.user, "change").filter(pk=pk).exists()
    broadcasts = list(selectors.broadcast_list(request.user, group=group)[:10])
    sums = selectors.summaries(b.pk for b in broadcasts)
    return render(
        request,
        "outreach/group_detail.html",
        {
            "group": group,
            "listing": listing,
            "member_total": listing.paginator.count if not listing.query else None,
            "owners": group.owners.select_related("person__unit"),
            "broadcasts": [(b, sums.get(b.pk, {})) for b in broadcasts],
            "can_change": can_change,
            "members_form": MembersAddForm(actor=request.user, group=group),
            "owner_form": OwnerForm(actor=request.user),
            "history": history_rows(group) if can_change else [],
        },
    )


@login_required
def group_members_add(request, pk):
    group = get_restricted_or_404(AreaGroup, request.user, "change", pk=pk)
    if request.method == "POST" and is_pick_search(request):
        form = MembersAddForm(actor=request.user, group=group, initial=pick_search_initial(request))
    else:
        form = MembersAddForm(request.POST or None, actor=request.user, group=group)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.area_group_members_add(
                actor=request.user,
                group=group,
                unit=data["area"],
                segment=data["segment"],
                customer_ids=[c.pk for c in data["customers"]],
                with_owners=data["with_owners"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("已加入%(n)s户客户（已在群中的不重复加入），新增%(o)s名群管理员")
                % {"n": result["added"], "o": result["owners"]},
            )
            return redirect("outreach:group_detail", pk=pk)
    return render(request, "outreach/members_form.html", {"form": form, "group": group})


@login_required
@require_POST
def group_members_remove(request, pk):
    group = get_restricted_or_404(AreaGroup, request.user, "change", pk=pk)
    ids = [i for i in request.POST.getlist("customer") if i.isdigit()]
    removed = services.area_group_members_remove(actor=request.user, group=group, customer_ids=ids)
    messages.success(request, _("已移出%(n)s户客户") % {"n": removed})
    return redirect("outreach:group_detail", pk=pk)


@login_required
@require_POST
def group_owner_add(request, pk):
    group = get_restricted_or_404(AreaGroup, request.user, "change", pk=pk)
    form = OwnerForm(request.POST, actor=request.user)
    if form.is_valid():
        services.area_group_owner_add(
            actor=request.user,
            group=group,
            person=form.cleaned_data["person"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("已添加群管理员"))
    else:
        messages.error(request, _("人员：请从搜索结果中选择一名人员"))
    return redirect("outreach:group_detail", pk=pk)


@login_required
@require_POST
def group_owner_remove(request, pk):
    owner = get_restricted_or_404(
        AreaGroupOwner.objects.select_related("group", "person"), request.user, "change", pk=pk
    )
    services.area_group_owner_remove(actor=request.user, owner=owner)
    messages.success(request, _("已移除群管理员"))
    return redirect("outreach:group_detail", pk=owner.group_id)


# == 群发 ======================================================================================


@login_required
def broadcast_create(request, pk):
    group = get_restricted_or_404(AreaGroup, request.user, "view", pk=pk)
    _need(request, "add", Broadcast)
    form = BroadcastForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            broadcast = services.broadcast_send(
                actor=request.user,
                group=group,
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                _errors_to_form(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已提交群发，共%(n)s条，正在后台发送") % {"n": broadcast.recipients},
            )
            return redirect("outreach:broadcast_detail", pk=broadcast.pk)
    return render(request, "outreach/broadcast_form.html", {"form": form, "group": group})


@login_required
def broadcast_list(request):
    _need(request, "view", Broadcast)
    form, broadcasts = filtered_list(
        request, BroadcastFilterForm(request.GET or None), selectors.broadcast_list
    )
    listing = paginate(
        request, broadcasts, sort_fields={"created": "created_at"}, default_sort="-created"
    )
    sums = selectors.summaries(b.pk for b in listing.rows)
    return render(
        request,
        "outreach/broadcast_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "rows": [(b, sums.get(b.pk, {})) for b in listing.rows],
        },
    )


def _broadcast(request, pk, action="view"):
    return get_restricted_or_404(
        Broadcast.objects.select_related("group", "kind", "created_by", "job", "message"),
        request.user,
        action,
        pk=pk,
    )


def _delivery_rows(request, broadcast):
    form = DeliveryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.delivery_log(
        request.user,
        broadcast,
        status=data.get("status", ""),
        channel=data.get("channel", ""),
        query=request.GET.get("q", "").strip(),
    )
    return form, rows


@login_required
def broadcast_detail(request, pk):
    broadcast = _broadcast(request, pk)
    form, rows = _delivery_rows(request, broadcast)
    listing = paginate(request, rows, sort_fields={"id": "id"}, default_sort="id", per_page=25)
    return render(
        request,
        "outreach/broadcast_detail.html",
        {
            "broadcast": broadcast,
            "summary": selectors.delivery_summary(broadcast),
            "listing": listing,
            "filter_form": form,
            "can_retry": Broadcast.objects.restrict(request.user, "change").filter(pk=pk).exists(),
            "can_export": user_can(request.user, "export", Broadcast),
        },
    )


@login_required
def broadcast_export(request, pk):
    broadcast = _broadcast(request, pk, "export")
    _form, rows = _delivery_rows(request, broadcast)

    def lines():
        for d in rows.order_by("pk").iterator(chunk_size=2000):
            yield [
                d.recipient_display,
                d.customer.licence_no if d.customer_id else "",
                d.customer.phone_masked if d.customer_id else "",
                d.get_channel_display(),
                d.get_status_display(),
                d.attempts,
                d.last_error,
                timezone.localtime(d.sent_at).strftime("%Y-%m-%d %H:%M") if d.sent_at else "",
            ]

    return workbook_export(
        request,
        model=Broadcast,
        object_id=broadcast.pk,
        count=rows.count(),
        detail=_("群发记录（手机号已遮盖）"),
        filename=f"群发记录-{broadcast.pk}.xlsx",
        title="群发记录",
        headers=[
            "接收方",
            "许可证号",
            "手机号",
            "渠道",
            "状态",
            "尝试次数",
            "最近错误",
            "发送时间",
        ],
        rows=lines(),
        widths=[28, 14, 14, 12, 10, 8, 40, 18],
    )


@login_required
@require_POST
def broadcast_retry(request, pk):
    broadcast = _broadcast(request, pk, "change")
    try:
        count = services.broadcast_retry_failed(actor=request.user, broadcast=broadcast)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _text(exc))
    else:
        if count:
            messages.success(request, _("已重新发送%(n)s条失败记录") % {"n": count})
        else:
            messages.info(request, _("没有失败的发送记录"))
    return redirect("outreach:broadcast_detail", pk=pk)


@login_required
def broadcast_progress(request, pk):
    """The live counts (htmx polling while the job runs)."""
    broadcast = _broadcast(request, pk)
    return JsonResponse(selectors.delivery_summary(broadcast)["by_status"])


@login_required
def kind_list(request):
    _need(request, "view", BroadcastKind)
    return render(
        request,
        "outreach/kind_list.html",
        {
            "kinds": BroadcastKind.objects.all(),
            "can_change": user_can(request.user, "change", BroadcastKind),
        },
    )


@login_required
def kind_edit(request, pk):
    _need(request, "change", BroadcastKind)
    kind = BroadcastKind.objects.filter(pk=pk).first()
    if kind is None:
        raise Http404
    form = KindForm(request.POST or None, instance=kind)
    if form.is_bound and form.is_valid():
        try:
            services.broadcast_kind_update(actor=request.user, kind=form.save(commit=False))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("已保存群发类型“%(n)s”") % {"n": kind.name})
            return redirect("outreach:kind_list")
    return render(
        request,
        "outreach/template_form.html",
        {"form": form, "title": kind.name, "variables": services.BROADCAST_VARIABLES},
    )


# == 祝福 ======================================================================================


@login_required
def greeting_calendar(request):
    _need(request, "view", Greeting)
    today = timezone.localdate()
    return render(
        request,
        "outreach/greeting_calendar.html",
        {
            "days": selectors.greeting_calendar(request.user, start=today, days=30),
            "occasions": GreetingOccasion.objects.all(),
            "can_edit": user_can(request.user, "change", GreetingOccasion),
        },
    )


@login_required
def greeting_log(request):
    _need(request, "view", Greeting)
    form, rows = filtered_list(
        request, GreetingFilterForm(request.GET or None), selectors.greeting_log
    )
    listing = paginate(request, rows, sort_fields={"date": "on_date"}, default_sort="-date")
    return render(request, "outreach/greeting_log.html", {"listing": listing, "filter_form": form})


@login_required
def occasion_edit(request, pk):
    _need(request, "change", GreetingOccasion)
    occasion = GreetingOccasion.objects.filter(pk=pk).first()
    if occasion is None:
        raise Http404
    form = TemplateForm(request.POST or None, instance=occasion)
    if form.is_bound and form.is_valid():
        try:
            services.greeting_occasion_update(actor=request.user, occasion=form.save(commit=False))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("已保存“%(n)s”祝福模板") % {"n": occasion.name})
            return redirect("outreach:greetings")
    return render(
        request,
        "outreach/template_form.html",
        {"form": form, "title": occasion.name, "variables": services.GREETING_VARIABLES},
    )


@login_required
def opt_out_list(request):
    _need(request, "view", GreetingOptOut)
    rows = selectors.opt_outs(request.user, query=request.GET.get("q", "").strip())
    listing = paginate(request, rows, sort_fields={"at": "created_at"}, default_sort="-at")
    can_add = user_can(request.user, "add", GreetingOptOut)
    if request.method == "POST" and is_pick_search(request):
        form = OptOutForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = OptOutForm(request.POST or None, actor=request.user)
    if can_add and form.is_bound and form.is_valid():
        try:
            services.greeting_opt_out(
                actor=request.user,
                customer=form.cleaned_data["customer"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _text(exc))
        else:
            messages.success(request, _("已登记：该客户不再接收祝福"))
            return redirect("outreach:opt_outs")
    return render(
        request,
        "outreach/opt_outs.html",
        {"listing": listing, "form": form, "can_add": can_add},
    )


@login_required
@require_POST
def opt_in(request, pk):
    customer = get_restricted_or_404(RetailCustomer, request.user, "change", pk=pk)
    try:
        services.greeting_opt_in(actor=request.user, customer=customer)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已恢复：该客户将重新接收祝福"))
    return redirect("outreach:opt_outs")


# == 上门服务 ==================================================================================


@login_required
def home_list(request):
    _need(request, "view", HomeService)
    form, rows = filtered_list(
        request, HomeFilterForm(request.GET or None), selectors.home_service_list
    )
    listing = paginate(request, rows, sort_fields={"when": "scheduled_at"}, default_sort="-when")
    staff = {}
    for service in HomeService.objects.filter(pk__in=[s.pk for s in listing.rows]).prefetch_related(
        "staff"
    ):
        staff[service.pk] = "、".join(p.name for p in service.staff.all())
    return render(
        request,
        "outreach/home_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "rows": [(s, staff.get(s.pk, "")) for s in listing.rows],
            "can_add": user_can(request.user, "add", HomeService),
        },
    )


@login_required
def home_calendar(request):
    _need(request, "view", HomeService)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        first = dt.date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    services_by_day: dict[dt.date, list] = {}
    for service in selectors.home_services_in_month(request.user, year, month):
        services_by_day.setdefault(timezone.localtime(service.scheduled_at).date(), []).append(
            service
        )
    weeks = [
        [(d, services_by_day.get(d, []), d.month == month) for d in week]
        for week in month_calendar.Calendar().monthdatescalendar(year, month)
    ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "outreach/home_calendar.html",
        {
            "weeks": weeks,
            "first": first,
            "previous": previous,
            "following": following,
            "today": today,
            "agenda": [(d, items) for d, items in sorted(services_by_day.items())],
        },
    )


@login_required
def home_create(request):
    _need(request, "add", HomeService)
    if is_pick_search(request):
        form = HomeServiceForm(actor=request.user, initial=pick_search_initial(request))
    else:
        initial = {}
        customer_id = request.GET.get("customer", "")
        if customer_id.isdigit():
            initial["customer"] = customer_id
        form = HomeServiceForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            service = services.home_service_create(
                actor=request.user,
                service=form.save(commit=False),
                staff=form.cleaned_data["staff"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已安排上门服务并通知上门人员"))
            return redirect("outreach:home_detail", pk=service.pk)
    return render(request, "outreach/home_form.html", {"form": form})


@login_required
def home_detail(request, pk):
    service = get_restricted_or_404(
        HomeService.objects.select_related("customer", "unit", "created_by"),
        request.user,
        "view",
        pk=pk,
    )
    can_change = HomeService.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "outreach/home_detail.html",
        {
            "service": service,
            "staff": service.staff.select_related("unit"),
            "can_change": can_change and service.status == HomeService.Status.SCHEDULED,
            "record_form": RecordForm(),
            "cancel_form": CancelForm(),
            "history": history_rows(service) if can_change else [],
        },
    )


@login_required
def home_reschedule(request, pk):
    service = get_restricted_or_404(HomeService, request.user, "change", pk=pk)
    initial = {
        "scheduled_at": timezone.localtime(service.scheduled_at),
        "staff": list(service.staff.all()),
    }
    if is_pick_search(request):
        form = RescheduleForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = RescheduleForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.home_service_reschedule(
                actor=request.user,
                service=service,
                scheduled_at=form.cleaned_data["scheduled_at"],
                staff=form.cleaned_data["staff"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("已调整上门安排并通知上门人员"))
            return redirect("outreach:home_detail", pk=pk)
    return render(request, "outreach/home_reschedule.html", {"form": form, "service": service})


@login_required
@require_POST
def home_record(request, pk):
    service = get_restricted_or_404(HomeService, request.user, "change", pk=pk)
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("办理结果：请选择"))
        return redirect("outreach:home_detail", pk=pk)
    try:
        services.home_service_record(
            actor=request.user,
            service=service,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["outcome_note"],
        )
    except ValidationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, _("已登记办理结果"))
    return redirect("outreach:home_detail", pk=pk)


@login_required
@require_POST
def home_cancel(request, pk):
    service = get_restricted_or_404(HomeService, request.user, "change", pk=pk)
    form = CancelForm(request.POST)
    try:
        services.home_service_cancel(
            actor=request.user,
            service=service,
            reason=form.data.get("cancel_reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, _("取消原因：") + _text(exc))
    else:
        messages.success(request, _("已取消该上门服务"))
    return redirect("outreach:home_detail", pk=pk)


@login_required
def home_mine(request):
    rows = selectors.my_home_services(request.user)
    listing = paginate(request, rows, sort_fields={"when": "scheduled_at"}, default_sort="-when")
    return render(request, "outreach/home_mine.html", {"listing": listing})


# == 节假日值班与预约 ==========================================================================


@login_required
def roster_list(request):
    _need(request, "view", DutyRoster)
    form = RosterFilterForm(request.GET or None, actor=request.user)
    window = form.cleaned_data.get("window") if form.is_bound and form.is_valid() else None
    windows = LicenceWindow.objects.restrict(request.user, "view").filter(is_active=True)
    rosters = selectors.roster_list(
        request.user, window=window, upcoming=request.GET.get("past") != "1"
    )
    listing = paginate(request, rosters, sort_fields={"date": "date"}, default_sort="date")
    return render(
        request,
        "outreach/roster_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "window": window,
            "can_add": user_can(request.user, "add", DutyRoster),
            "public_links": [
                (w, absolute_url(f"/warmth/outreach/book/{w.public_token}/")) for w in windows[:20]
            ],
        },
    )


@login_required
def roster_edit(request, pk=None):
    roster = None
    initial = {}
    if pk is None:
        _need(request, "add", DutyRoster)
        window_id = request.GET.get("window", "")
        if window_id.isdigit():
            initial["window"] = window_id
        initial.update({"slot0_start": "09:00", "slot0_end": "11:30", "slot0_capacity": 6})
        initial.update({"slot1_start": "14:00", "slot1_end": "16:30", "slot1_capacity": 6})
    else:
        roster = get_restricted_or_404(
            DutyRoster.objects.select_related("window"), request.user, "change", pk=pk
        )
        initial = {
            "window": roster.window_id,
            "date": roster.date,
            "staff": list(roster.staff.all()),
            "note": roster.note,
        }
        for i, slot in enumerate(roster.slots.order_by("starts_at")[:4]):
            initial.update(
                {
                    f"slot{i}_start": slot.starts_at,
                    f"slot{i}_end": slot.ends_at,
                    f"slot{i}_capacity": slot.capacity,
                }
            )
    if is_pick_search(request):
        form = RosterForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = RosterForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.roster_save(
                actor=request.user,
                window=data["window"],
                date=data["date"],
                staff=data["staff"],
                slots=data["slots"],
                note=data["note"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error("window", str(exc))
        else:
            messages.success(request, _("已保存%(r)s的值班安排") % {"r": saved})
            return redirect("outreach:roster_detail", pk=saved.pk)
    return render(request, "outreach/roster_form.html", {"form": form, "roster": roster})


@login_required
def roster_detail(request, pk):
    roster = get_restricted_or_404(
        DutyRoster.objects.select_related("window__unit"), request.user, "view", pk=pk
    )
    bookings = (
        OffDayBooking.objects.restrict(request.user, "view")
        .filter(slot__roster=roster)
        .select_related("slot")
        .order_by("slot__starts_at", "pk")
    )
    can_change = DutyRoster.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "outreach/roster_detail.html",
        {
            "roster": roster,
            "slots": selectors.roster_slots(roster),
            "staff": roster.staff.select_related("unit"),
            "bookings": bookings,
            "can_change": can_change,
            "day": roster.date,
            "history": history_rows(roster) if can_change else [],
        },
    )


@login_required
@require_POST
def roster_delete(request, pk):
    roster = get_restricted_or_404(DutyRoster, request.user, "delete", pk=pk)
    try:
        services.roster_delete(actor=request.user, roster=roster)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _text(exc))
        return redirect("outreach:roster_detail", pk=pk)
    messages.success(request, _("已删除该日值班"))
    return redirect("outreach:rosters")


def _booking_for(request, pk, action="view"):
    booking = (
        OffDayBooking.objects.select_related("slot__roster__window")
        .filter(pk=pk)
        .filter(pk__in=OffDayBooking.objects.restrict(request.user, action).values("pk"))
        .first()
    )
    if booking is None:
        # The duty staff of the day work their bookings whatever their grants.
        person = selectors.my_person(request.user)
        booking = (
            OffDayBooking.objects.select_related("slot__roster__window")
            .filter(pk=pk, slot__roster__staff=person)
            .first()
            if person
            else None
        )
    if booking is None:
        raise Http404
    return booking


@login_required
@require_POST
def booking_mark(request, pk):
    booking = _booking_for(request, pk, "change")
    try:
        services.booking_mark(
            actor=request.user, booking=booking, status=request.POST.get("status", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, _("已登记"))
    if request.POST.get("next") == "roster":
        return redirect("outreach:roster_detail", pk=booking.slot.roster_id)
    return redirect("outreach:duty_mine")


@login_required
@require_POST
def booking_cancel(request, pk):
    booking = get_restricted_or_404(
        OffDayBooking.objects.select_related("slot__roster"), request.user, "change", pk=pk
    )
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, _("已取消该预约并通知预约人"))
    return redirect("outreach:roster_detail", pk=booking.slot.roster_id)


@login_required
@require_POST
def booking_reveal(request, pk):
    """The booker's phone in clear (for the duty staff to call), logged."""
    booking = _booking_for(request, pk, "reveal")
    log_access(
        user=request.user,
        action="reveal",
        model=OffDayBooking,
        object_id=booking.pk,
        field="phone",
        request=request,
    )
    return JsonResponse({"field": "phone", "value": booking.phone})


@login_required
def duty_mine(request):
    return render(
        request,
        "outreach/duty_mine.html",
        {"bookings": list(selectors.my_duty_bookings(request.user)), "today": timezone.localdate()},
    )
