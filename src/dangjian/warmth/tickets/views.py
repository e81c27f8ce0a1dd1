import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.audit import log_access
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.jobs import job_start
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import public_guard, selectors, services, stats
from .forms import (
    CategoryForm,
    FilterForm,
    MergeForm,
    NoteForm,
    PublicTicketForm,
    RatingForm,
    ReasonForm,
    ResolutionForm,
    SlaPolicyForm,
    StatsFilterForm,
    SupplementForm,
    TicketForm,
    TransferForm,
)
from .models import Kind, SlaPolicy, Ticket, TicketAttachment, TicketCategory, TicketStat
from .tasks import rebuild_ticket_stats

SORTS = {
    "created": "created_at",
    "due": "resolution_due",
    "status": "status",
    "kind": "kind",
}


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


# ---------------------------------------------------------------------------- lists


def _filtered(request, mine: bool):
    form = FilterForm(request.GET or None, actor=request.user)

    def selector(actor, query="", **params):
        return selectors.ticket_list(actor, query=query, mine=mine, **params)

    return filtered_list(request, form, selector)


def _mine(request) -> bool:
    # Staff without a unit-wide grant (a member handling a transferred ticket) see their own.
    if request.GET.get("view") == "mine":
        return True
    if request.GET.get("view") == "all":
        return False
    return not user_can(request.user, "change", Ticket)


@login_required
def ticket_list(request):
    mine = _mine(request)
    form, tickets = _filtered(request, mine)
    listing = paginate(
        request,
        tickets.select_related("unit", "category", "owner", "handler"),
        sort_fields=SORTS,
        default_sort="-created",
    )
    return render(
        request,
        "warmth_tickets/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "mine": mine,
            "counts": selectors.counts_for_home(request.user),
            "can_add": user_can(request.user, "add", Ticket),
            "can_export": user_can(request.user, "export", Ticket),
            "now": timezone.now(),
        },
    )


@login_required
def ticket_export(request):
    _form, tickets = _filtered(request, _mine(request))
    tickets = exportable(request, Ticket, tickets).select_related(
        "unit", "category", "owner", "handler", "customer"
    )

    def local(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def rows():
        for t in tickets.order_by("-created_at", "-pk").iterator(chunk_size=2000):
            yield [
                t.number,
                local(t.created_at),
                t.get_channel_display(),
                t.get_kind_display(),
                t.get_priority_display(),
                t.category.name,
                t.unit.name,
                t.customer.licence_no if t.customer_id else "",
                t.contact_name,
                t.contact_phone_masked,
                t.subject,
                t.get_status_display(),
                str(t.owner or ""),
                str(t.handler or ""),
                t.transfer_count,
                local(t.first_response_at),
                local(t.resolution_due),
                local(t.resolved_at),
                local(t.closed_at),
                {True: "是", False: "否"}.get(t.resolution_met, ""),
                t.rating or "",
                t.rating_comment,
            ]

    return workbook_export(
        request,
        model=Ticket,
        count=tickets.count(),
        filename="诉求工单.xlsx",
        title="诉求工单",
        headers=[
            "编号",
            "提交时间",
            "渠道",
            "类型",
            "优先级",
            "类别",
            "受理单位",
            "许可证号",
            "联系人",
            "联系电话",
            "标题",
            "状态",
            "首问负责人",
            "承办人",
            "转办次数",
            "首次响应",
            "办结期限",
            "答复时间",
            "结案时间",
            "按时办结",
            "满意度",
            "评价意见",
        ],
        rows=rows(),
        widths=[14, 17, 8, 6, 6, 12, 20, 14, 8, 14, 30, 10, 8, 8, 6, 17, 17, 17, 17, 6, 6, 30],
    )


# ---------------------------------------------------------------------------- create


@login_required
def ticket_create(request):
    if not user_can(request.user, "add", Ticket):
        raise Http404
    if is_pick_search(request):
        form = TicketForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = TicketForm(request.POST or None, request.FILES or None, actor=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                channel=data["channel"],
                kind=data["kind"],
                priority=data["priority"],
                category=data["category"],
                customer=data["customer"],
                unit=data["unit"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                subject=data["subject"],
                text=data["text"],
                uploads=data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已登记工单%(n)s，您是该工单的首问负责人") % {"n": ticket.number},
            )
            return redirect("tickets:detail", pk=ticket.pk)
    return render(request, "warmth_tickets/form.html", {"form": form})


@login_required
def suggest(request, field):
    if field == "to_user":
        if not user_can(request.user, "change", Ticket):
            raise Http404
        return suggest_response(request, TransferForm(), field)
    if field not in ("customer", "unit") or not user_can(request.user, "add", Ticket):
        raise Http404
    return suggest_response(request, TicketForm(actor=request.user), field)


# ---------------------------------------------------------------------------- detail and steps


def _ticket_or_404(request, pk) -> Ticket:
    ticket = selectors.ticket_for(request.user, pk)
    if ticket is None:
        raise Http404
    return ticket


@login_required
def ticket_detail(request, pk, forms=None):
    ticket = _ticket_or_404(request, pk)
    user = request.user
    can_work = ticket.is_open and services.may_work(user, ticket)
    can_close = services.may_close(user, ticket)
    can_accept = (
        ticket.status == Ticket.Status.NEW
        and Ticket.objects.restrict(user, "change").filter(pk=pk).exists()
    )
    forms = forms or {}
    context = {
        "ticket": ticket,
        "events": selectors.timeline(ticket),
        "attachments": ticket.attachments.order_by("pk"),
        "duplicates": ticket.duplicates.order_by("pk"),
        "can_work": can_work,
        "can_close": can_close and ticket.status in (Ticket.Status.OPEN, Ticket.Status.RESOLVED),
        "can_merge": can_close and ticket.is_open,
        "can_accept": can_accept,
        "is_owner": user.pk == ticket.owner_id,
        "is_handler": user.pk == ticket.handler_id,
        "can_reveal": user.pk in (ticket.owner_id, ticket.handler_id)
        or Ticket.objects.restrict(user, "reveal").filter(pk=pk).exists(),
        "transfer_form": forms.get("transfer") or TransferForm(),
        "note_form": forms.get("note") or NoteForm(),
        "reason_form": ReasonForm(),
        "resolution_form": forms.get("resolve")
        or ResolutionForm(initial={"resolution": ticket.resolution}),
        "merge_form": forms.get("merge") or MergeForm(auto_id="merge_%s"),
        "history": history_rows(ticket, secret_fields=("contact_phone",)),
        "now": timezone.now(),
        "tracking_url": services.tracking_url(ticket),
        "rating_url": services.rating_url(ticket) if ticket.rating_code else "",
    }
    return render(request, "warmth_tickets/detail.html", context, status=422 if forms else 200)


def _merge_target(request, text: str):
    digits = (text or "").strip().replace("-", "")
    if not digits.isdigit():
        return None
    pk = int(digits[4:]) if "-" in (text or "") and len(digits) > 4 else int(digits)
    return selectors.ticket_for(request.user, pk)


STEP_FORMS = {
    "transfer": TransferForm,
    "note": NoteForm,
    "resolve": ResolutionForm,
    "close": ResolutionForm,
    "merge": MergeForm,
}


@login_required
@require_POST
def ticket_step(request, pk, step):
    """Every step on a ticket: one POST endpoint, one service each."""
    ticket = _ticket_or_404(request, pk)
    user = request.user
    form_class = STEP_FORMS.get(step, ReasonForm)
    form = form_class(
        request.POST, request.FILES or None, auto_id="merge_%s" if step == "merge" else "id_%s"
    )
    if not form.is_valid():
        return ticket_detail(request, pk, forms={step: form})
    data = form.cleaned_data
    note = data.get("note", "")
    actions = {
        "accept": lambda: services.ticket_accept(actor=user, ticket=ticket),
        "transfer": lambda: services.ticket_transfer(
            actor=user, ticket=ticket, to_user=data["to_user"], note=note
        ),
        "return": lambda: services.ticket_return(actor=user, ticket=ticket, note=note),
        "note": lambda: services.ticket_note(
            actor=user,
            ticket=ticket,
            text=data["text"],
            public=data["public"],
            uploads=data["attachments"],
        ),
        "wait": lambda: services.ticket_wait(actor=user, ticket=ticket, note=note),
        "resume": lambda: services.ticket_resume(actor=user, ticket=ticket, note=note),
        "resolve": lambda: services.ticket_resolve(
            actor=user, ticket=ticket, resolution=data["resolution"]
        ),
        "reopen": lambda: services.ticket_reopen(actor=user, ticket=ticket, note=note),
        "close": lambda: services.ticket_close(
            actor=user, ticket=ticket, resolution=data["resolution"]
        ),
        "merge": lambda: services.ticket_merge(
            actor=user, ticket=ticket, into=_merge_target(request, data["into"]), note=note
        ),
    }
    if step not in actions:
        raise Http404
    done = {
        "accept": _("已受理，您是该工单的首问负责人"),
        "transfer": _("已转办"),
        "return": _("已退回首问负责人"),
        "note": _("已记录"),
        "wait": _("已转为“待客户补充”，暂停计时"),
        "resume": _("已恢复计时"),
        "resolve": _("已答复，待首问负责人结案"),
        "reopen": _("已退回重新办理"),
        "close": _("已结案"),
        "merge": _("已合并"),
    }
    try:
        result = actions[step]()
    except ValidationError as exc:
        if step in STEP_FORMS:
            add_service_errors(form, exc)
            return ticket_detail(request, pk, forms={step: form})
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done[step])
        if step == "merge":
            return redirect("tickets:detail", pk=result.merged_into_id)
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def ticket_reveal(request, pk):
    ticket = _ticket_or_404(request, pk)
    allowed = (
        request.user.pk in (ticket.owner_id, ticket.handler_id)
        or Ticket.objects.restrict(request.user, "reveal").filter(pk=pk).exists()
    )
    if not allowed:
        raise Http404
    log_access(
        user=request.user,
        action="reveal",
        model=Ticket,
        object_id=pk,
        field="contact_phone",
        request=request,
    )
    return HttpResponse(f'<span class="masked">{escape(ticket.contact_phone or "—")}</span>')


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(TicketAttachment, pk=pk)
    _ticket_or_404(request, attachment.ticket_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


# ---------------------------------------------------------------------------- statistics


def _stats_params(request):
    units = selectors.stats_units(request.user)
    unit = None
    raw = request.GET.get("unit", "")
    if raw.isdigit():
        unit = units.filter(pk=int(raw)).first()
        if unit is None:
            raise Http404
    if unit is None:
        unit = units.first()
    if unit is None:
        raise Http404
    form = StatsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    return (
        unit,
        form,
        {
            "month_from": dt.date(year, 1, 1),
            "month_to": dt.date(year, 12, 1),
            "kind": data.get("kind") or "",
            "category_id": data["category"].pk if data.get("category") else None,
        },
        year,
    )


@login_required
def ticket_stats(request):
    if not user_can(request.user, "view", TicketStat):
        raise Http404
    unit, form, params, year = _stats_params(request)
    figures = stats.read(unit, **params)
    visible = set(
        selectors.stats_units(request.user)
        .filter(pk__in=[c.pk for c, _r in figures["by_unit"]])
        .values_list("pk", flat=True)
    )
    kinds = dict(Kind.choices)
    months = {r["month"].month: r for r in figures["by_month"]}
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "volume": [months.get(m, {}).get("created", 0) for m in range(1, 13)],
        "sla": [months.get(m, {}).get("sla_rate") for m in range(1, 13)],
        "satisfaction": [months.get(m, {}).get("satisfaction") for m in range(1, 13)],
        "categories": [r["category__name"] for r in figures["by_category"]],
        "category_volume": [r["created"] for r in figures["by_category"]],
        "kinds": [
            {"name": str(kinds[r["kind"]]), "value": r["created"]} for r in figures["by_kind"]
        ],
        "units": [c.name for c, r in figures["by_unit"] if r],
        "unit_volume": [r["created"] for c, r in figures["by_unit"] if r],
        "unit_sla": [r["sla_rate"] for c, r in figures["by_unit"] if r],
    }
    step = unit.steplen
    ancestors = []
    if unit.depth > 1:
        prefixes = [unit.path[:i] for i in range(step, len(unit.path), step)]
        ancestors = list(
            selectors.stats_units(request.user).filter(path__in=prefixes).order_by("depth")
        )
    return render(
        request,
        "warmth_tickets/stats.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "form": form,
            "year": year,
            "figures": figures,
            "visible": visible,
            "chart": json.dumps(chart, ensure_ascii=False),
            "querystring": request.GET.urlencode(),
            "can_rebuild": user_can(request.user, "change", TicketStat),
            "can_export": user_can(request.user, "export", TicketStat),
        },
    )


@login_required
def ticket_stats_export(request):
    if not user_can(request.user, "export", TicketStat):
        raise Http404
    unit, _form, params, year = _stats_params(request)
    figures = stats.read(unit, **params)

    def line(label, r):
        r = r or {}
        return [
            label,
            r.get("created", 0),
            r.get("response_hours"),
            r.get("response_rate"),
            r.get("close_hours"),
            r.get("resolved", 0),
            r.get("sla_rate"),
            r.get("rated", 0),
            r.get("satisfaction"),
        ]

    rows = [line(f"{unit.name}（{year}年合计）", figures["total"])]
    rows += [line(f"{r['month']:%Y-%m}", r) for r in figures["by_month"]]
    rows += [line(r["category__name"], r) for r in figures["by_category"]]
    rows += [line(c.name, r) for c, r in figures["by_unit"]]
    return workbook_export(
        request,
        model=TicketStat,
        count=1,
        detail="",
        filename="诉求工单统计.xlsx",
        title="诉求工单统计",
        headers=[
            "单位/月份/类别",
            "工单数",
            "平均首次响应（工作小时）",
            "按时响应率%",
            "平均结案（工作小时）",
            "已答复",
            "按时办结率%",
            "评价数",
            "平均满意度",
        ],
        rows=rows,
        widths=[30, 10, 14, 12, 14, 10, 12, 10, 10],
    )


@login_required
@require_POST
def ticket_stats_rebuild(request):
    if not user_can(request.user, "change", TicketStat):
        raise Http404
    job = job_start(
        actor=request.user,
        kind="tickets.stats_rebuild",
        task=rebuild_ticket_stats,
        title=_("重算诉求工单统计"),
    )
    return redirect("platform:job_detail", pk=job.pk)


# ---------------------------------------------------------------------------- settings


@login_required
def ticket_settings(request):
    if not user_can(request.user, "view", SlaPolicy):
        raise Http404
    can_edit = user_can(request.user, "change", SlaPolicy)
    category_form = CategoryForm(prefix="cat")
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            if "cat-name" in request.POST:
                pk = request.POST.get("category_id", "")
                instance = (
                    get_object_or_404(TicketCategory, pk=pk) if pk.isdigit() else TicketCategory()
                )
                category_form = CategoryForm(request.POST, instance=instance, prefix="cat")
                if category_form.is_valid():
                    services.category_save(
                        actor=request.user, category=category_form.save(commit=False)
                    )
                    messages.success(request, _("已保存诉求类别"))
                    return redirect("tickets:settings")
            else:
                policy = get_object_or_404(SlaPolicy, pk=request.POST.get("policy_id", "0"))
                form = SlaPolicyForm(request.POST, instance=policy, prefix=f"p{policy.pk}")
                if form.is_valid():
                    services.sla_policy_save(actor=request.user, policy=form.save(commit=False))
                    messages.success(request, _("已保存办理时限：%(p)s") % {"p": policy})
                    return redirect("tickets:settings")
                messages.error(
                    request,
                    "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()),
                )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    policies = [
        (p, SlaPolicyForm(instance=p, prefix=f"p{p.pk}"))
        for p in SlaPolicy.objects.order_by("kind", "priority")
    ]
    return render(
        request,
        "warmth_tickets/settings.html",
        {
            "categories": TicketCategory.objects.order_by("order", "pk"),
            "category_form": category_form,
            "policies": policies,
            "can_edit": can_edit,
        },
    )


# ---------------------------------------------------------------------------- public pages


def _limited(request, template, context):
    context["limited"] = True
    return render(request, template, context, status=429)


def public_form(request):
    """The public form (no login, phone-sized): a one-use token and a rate limit per
    address; the answer is a tracking link with a non-guessable code."""
    if request.method == "POST":
        form = PublicTicketForm(request.POST, request.FILES)
        if public_guard.over_limit(request, "tickets.public"):
            return _limited(request, "warmth_tickets/public_form.html", {"form": None})
        if form.is_valid():
            data = form.cleaned_data
            try:
                nonce = public_guard.read_token(data["token"], "tickets.public")
            except public_guard.TokenInvalid:
                form.add_error(None, _("表单已过期或无效，请刷新页面后重新填写"))
            else:
                try:
                    ticket = services.ticket_create(
                        kind=data["kind"],
                        category=data["category"],
                        unit=data["unit"],
                        contact_name=data["contact_name"],
                        contact_phone=data["contact_phone"],
                        subject=data["subject"],
                        text=data["text"],
                        uploads=data["attachments"],
                        nonce=nonce,
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect(
                        reverse("tickets:track", args=[ticket.tracking_code]) + "?new=1"
                    )
        data = form.data.copy()
        data["token"] = public_guard.issue_token("tickets.public")
        form.data = data
        status = 422
    else:
        initial = {"token": public_guard.issue_token("tickets.public")}
        if request.GET.get("unit", "").isdigit():
            initial["unit"] = int(request.GET["unit"])
        form = PublicTicketForm(initial=initial)
        status = 200
    return render(request, "warmth_tickets/public_form.html", {"form": form}, status=status)


def _tracked_or_404(code) -> Ticket:
    ticket = (
        Ticket.objects.select_related("unit", "category", "owner", "merged_into")
        .filter(tracking_code=code)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def public_track(request, code, form=None):
    ticket = _tracked_or_404(code)
    followed = ticket.merged_into or ticket
    if form is None and ticket.status == Ticket.Status.WAITING:
        form = SupplementForm(
            initial={"token": public_guard.issue_token("tickets.supplement", ticket.pk)}
        )
    response = render(
        request,
        "warmth_tickets/public_track.html",
        {
            "ticket": ticket,
            "followed": followed,
            "events": selectors.public_events(followed),
            "form": form if ticket.status == Ticket.Status.WAITING else None,
            "new": request.GET.get("new") == "1",
            "track_url": services.tracking_url(ticket),
        },
        status=422 if form is not None and form.is_bound else 200,
    )
    response["Referrer-Policy"] = (
        "same-origin"  # no-referrer would send "Origin: null" and fail CSRF
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def public_supplement(request, code):
    ticket = _tracked_or_404(code)
    if public_guard.over_limit(request, "tickets.supplement"):
        return HttpResponse(_("提交过于频繁，请一小时后再试。"), status=429)
    form = SupplementForm(request.POST)
    if form.is_valid():
        try:
            public_guard.read_token(form.cleaned_data["token"], "tickets.supplement", ticket.pk)
        except public_guard.TokenInvalid:
            form.add_error(None, _("表单已过期或无效，请刷新页面后重新填写"))
        else:
            try:
                services.ticket_supplement(ticket=ticket, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已收到您的补充内容，我们将继续办理"))
                return redirect("tickets:track", code=code)
    data = form.data.copy()
    data["token"] = public_guard.issue_token("tickets.supplement", ticket.pk)
    form.data = data
    return public_track(request, code, form=form)


def public_rate(request, code):
    """The one-use rating link given at close: a used or unknown code shows the same page."""
    ticket = Ticket.objects.filter(rating_code=code).first()
    if ticket is None:
        return render(request, "warmth_tickets/public_rate.html", {"spent": True}, status=404)
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if public_guard.over_limit(request, "tickets.rate"):
            return HttpResponse(_("提交过于频繁，请一小时后再试。"), status=429)
        if form.is_valid():
            try:
                services.ticket_rate(
                    code=code,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:
                return render(
                    request, "warmth_tickets/public_rate.html", {"spent": True}, status=404
                )
            else:
                messages.success(request, _("感谢您的评价！"))
                return redirect("tickets:track", code=ticket.tracking_code)
    response = render(
        request,
        "warmth_tickets/public_rate.html",
        {"ticket": ticket, "form": form},
        status=422 if form.is_bound else 200,
    )
    response["Referrer-Policy"] = (
        "same-origin"  # no-referrer would send "Origin: null" and fail CSRF
    )
    return response
