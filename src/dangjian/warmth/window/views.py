"""Pages of the licence window: thin views over ``services`` and ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.customers.models import RetailCustomer
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.links import absolute_url
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.pdf import pdf_response, render_pdf
from dangjian.platform.qr import qr_svg_data_uri
from dangjian.platform.reveal import reveal_field
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response
from dangjian.rulebook.selectors import applied_rule

from . import rules, selectors, services
from .forms import (
    ApplicationFilterForm,
    DecideForm,
    DeliverForm,
    ExpiringFilterForm,
    ExtendForm,
    InspectionForm,
    LocalMaterialForm,
    MaterialsForm,
    ReceiveForm,
    RequestChangeForm,
    ReviewForm,
    WindowForm,
    WorklistFilterForm,
)
from .models import (
    ApplicationKind,
    LicenceApplication,
    LicenceWindow,
    LocalMaterial,
    OneTimeNotice,
)

SORTS = {"received": "received_on", "number": "number", "due": "next_due_on"}
Status = LicenceApplication.Status


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _application(request, pk, action="view"):
    return get_restricted_or_404(
        LicenceApplication.objects.select_related("window", "unit", "customer", "received_by"),
        request.user,
        action,
        pk=pk,
    )


# ---------------------------------------------------------------------------- lists


def _filtered(request):
    form = ApplicationFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.application_list)


@login_required
def application_list(request):
    if not user_can(request.user, "view", LicenceApplication):
        raise Http404
    form, rows = _filtered(request)
    listing = paginate(request, rows, sort_fields=SORTS, default_sort="-received")
    return render(
        request,
        "warmth_window/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", LicenceApplication),
            "can_export": user_can(request.user, "export", LicenceApplication),
            "today": timezone.localdate(),
        },
    )


@login_required
def application_export(request):
    _form, rows = _filtered(request)
    rows = exportable(request, LicenceApplication, rows)
    today = timezone.localdate()

    def lines():
        for a in rows.order_by("-received_on", "-pk").iterator(chunk_size=2000):
            yield [
                a.number,
                a.window.name,
                a.get_kind_display(),
                a.applicant_name,
                a.applicant_id_masked,
                a.shop_name,
                a.licence_no,
                a.received_on,
                a.accepted_on,
                _("是") if a.deemed_accepted else "",
                a.decision_due_on,
                a.get_status_display(),
                a.get_decision_display(),
                a.decided_on,
                a.delivered_on,
                _("是") if a.is_overdue(today) else "",
            ]

    return workbook_export(
        request,
        model=LicenceApplication,
        count=rows.count(),
        filename="许可证申请.xlsx",
        title="许可证申请",
        headers=[
            "申请编号",
            "受理窗口",
            "申请类型",
            "申请人",
            "身份证号",
            "店名",
            "许可证号",
            "接收日期",
            "受理日期",
            "视为受理",
            "决定期限",
            "状态",
            "许可决定",
            "决定日期",
            "送达日期",
            "逾期",
        ],
        rows=lines(),
        widths=[16, 20, 10, 10, 20, 24, 14, 12, 12, 8, 12, 12, 10, 12, 12, 6],
    )


@login_required
def worklist(request):
    if not user_can(request.user, "view", LicenceApplication):
        raise Http404
    # A clerk at one window opens on it; whoever sees several picks one (or all of them).
    default = selectors.default_window(request.user)
    form = WorklistFilterForm(request.GET or None, actor=request.user)
    chosen = form.cleaned_data.get("window") if form.is_bound and form.is_valid() else None
    window = chosen or default
    today = timezone.localdate()
    return render(
        request,
        "warmth_window/worklist.html",
        {
            "work": selectors.worklist(request.user, window=window, today=today),
            "filter_form": form,
            "show_filter": default is None or form.errors,
            "window": window,
            "today": today,
            "can_add": user_can(request.user, "add", LicenceApplication),
        },
    )


# ---------------------------------------------------------------------------- 申请


@login_required
def application_create(request):
    if not user_can(request.user, "add", LicenceApplication):
        raise Http404
    if is_pick_search(request):
        form = ReceiveForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = ReceiveForm(request.POST or None, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            application = services.application_receive(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("window", str(exc))
        else:
            messages.success(
                request,
                _("已接收申请 %(n)s，请逐项核对申请材料") % {"n": application.number},
            )
            return redirect("window:detail", pk=application.pk)
    return render(
        request,
        "warmth_window/form.html",
        {"form": form, "title": _("接收许可证申请"), "back": reverse("window:list")},
    )


@login_required
def suggest(request, kind):
    """Picker matches within the same scope the form validates against."""
    if kind == "customer":
        if not user_can(request.user, "add", LicenceApplication):
            raise Http404
        return suggest_response(request, ReceiveForm(actor=request.user), "customer")
    if kind == "window":  # the window filters of the list, the worklist and expiring licences
        if not user_can(request.user, "view", LicenceWindow):
            raise Http404
        return suggest_response(request, WorklistFilterForm(actor=request.user), "window")
    if kind in ("staff", "benchmark"):
        if not user_can(request.user, "change", LicenceWindow):
            raise Http404
        return suggest_response(request, WindowForm(actor=request.user), kind)
    raise Http404


@login_required
def suggest_staff(request, pk):
    application = _application(request, pk, "change")
    return suggest_response(request, InspectionForm(application=application), "staff")


@login_required
def application_detail(request, pk):
    application = _application(request, pk)
    can_change = LicenceApplication.objects.restrict(request.user, "change").filter(pk=pk).exists()
    today = timezone.localdate()
    missing = services.missing_materials(application)
    notices = list(application.notices.order_by("pk"))
    changes = list(application.changes.order_by("pk"))
    deemed_now = services.deemed_acceptance_due(application, today)
    context = {
        "a": application,
        "today": today,
        "can_change": can_change,
        "can_reveal": LicenceApplication.objects.restrict(request.user, "reveal")
        .filter(pk=pk)
        .exists(),
        "missing": missing,
        "notices": notices,
        "changes": changes,
        "inspections": list(
            application.inspections.prefetch_related("staff").order_by("inspected_on", "pk")
        ),
        "deemed_now": deemed_now,
        "overdue": application.is_overdue(today),
        "notice_rule": applied_rule("licence.notice_workdays", on=application.received_on),
        "history": history_rows(application, secret_fields=LicenceApplication.PERSONAL_FIELDS),
    }
    if can_change:
        context.update(
            {
                "materials_form": MaterialsForm(application=application),
                "change_form": RequestChangeForm(initial={"changed_on": today}),
                "review_form": ReviewForm(initial={"reviewed_on": today}),
                "extend_form": ExtendForm(),
                "decide_form": DecideForm(initial={"decided_on": today}),
                "deliver_form": DeliverForm(initial={"delivered_on": today}),
                "may_notice": application.status == Status.RECEIVED
                and bool(missing)
                and not deemed_now
                and (not notices or (changes and changes[-1].created_at > notices[-1].created_at)),
            }
        )
    return render(request, "warmth_window/detail.html", context)


def _post_action(request, pk, call, success: str, form_class=None):
    """Run one service for a POST from the detail page; errors come back as messages."""
    application = _application(request, pk, "change")
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}：{error}" if label else error)
            return redirect("window:detail", pk=pk)
        data = form.cleaned_data
    try:
        call(application, data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    return redirect("window:detail", pk=pk)


@login_required
@require_POST
def application_materials(request, pk):
    application = _application(request, pk, "change")
    form = MaterialsForm(request.POST, application=application)
    form.is_valid()
    try:
        services.materials_update(
            actor=request.user,
            application=application,
            provided=form.provided(),
            notes=form.notes(),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("材料清单已保存"))
    return redirect("window:detail", pk=pk)


@login_required
@require_POST
def notice_issue(request, pk):
    application = _application(request, pk, "change")
    try:
        notice = services.notice_issue(actor=request.user, application=application)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("window:detail", pk=pk)
    messages.success(request, _("已出具一次性告知书 %(n)s，请打印交申请人") % {"n": notice.number})
    return redirect(reverse("window:detail", args=[pk]) + f"?printed={notice.pk}")


@login_required
def notice_pdf(request, pk):
    notice = get_restricted_or_404(
        OneTimeNotice.objects.select_related("application", "application__window"),
        request.user,
        pk=pk,
    )
    application = notice.application
    window = application.window
    pdf = render_pdf(
        "warmth_window/notice_pdf.html",
        {
            "notice": notice,
            "a": application,
            "window": window,
            "rule": applied_rule("licence.notice_workdays", on=application.received_on),
            "qr": qr_svg_data_uri(
                absolute_url(reverse("window:public", args=[window.public_token]))
            ),
        },
    )
    return pdf_response(pdf, filename=f"一次性告知书-{notice.number}.pdf")


@login_required
@require_POST
def request_change(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.request_change_record(
            actor=request.user,
            application=a,
            description=d["description"],
            changed_on=d["changed_on"],
            kind=d["kind"],
        ),
        _("已登记申请事项变更"),
        RequestChangeForm,
    )


@login_required
@require_POST
def application_accept(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.application_accept(actor=request.user, application=a),
        _("已受理"),
    )


@login_required
def application_inspect(request, pk):
    application = _application(request, pk, "change")
    if is_pick_search(request):
        form = InspectionForm(application=application, initial=pick_search_initial(request))
    else:
        form = InspectionForm(
            request.POST or None,
            application=application,
            initial={"inspected_on": timezone.localdate()},
        )
    if form.is_bound and form.is_valid():
        try:
            services.inspection_record(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记实地核查"))
            return redirect("window:detail", pk=pk)
    return render(
        request,
        "warmth_window/form.html",
        {
            "form": form,
            "title": _("实地核查 · %(n)s") % {"n": application.number},
            "back": reverse("window:detail", args=[pk]),
        },
    )


@login_required
@require_POST
def application_review(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.application_review(
            actor=request.user,
            application=a,
            opinion=d["review_opinion"],
            reviewed_on=d["reviewed_on"],
        ),
        _("已审核"),
        ReviewForm,
    )


@login_required
@require_POST
def application_extend(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.decision_extend(
            actor=request.user,
            application=a,
            approved_by=d["extension_approved_by"],
            reason=d["extension_reason"],
        ),
        _("决定期限已延长"),
        ExtendForm,
    )


@login_required
@require_POST
def application_decide(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.application_decide(
            actor=request.user,
            application=a,
            decision=d["decision"],
            reason=d["decision_reason"],
            decided_on=d["decided_on"],
        ),
        _("已作出许可决定"),
        DecideForm,
    )


@login_required
@require_POST
def application_deliver(request, pk):
    return _post_action(
        request,
        pk,
        lambda a, d: services.application_deliver(
            actor=request.user,
            application=a,
            delivered_on=d["delivered_on"],
            method=d["delivery_method"],
        ),
        _("已登记送达，办结"),
        DeliverForm,
    )


@login_required
@require_POST
def application_reveal(request, pk, field):
    return reveal_field(request, LicenceApplication, pk, field)


# ---------------------------------------------------------------------------- windows


@login_required
def window_list(request):
    if not user_can(request.user, "view", LicenceWindow):
        raise Http404
    return render(
        request,
        "warmth_window/window_list.html",
        {
            "windows": selectors.windows_visible(request.user).prefetch_related("staff"),
            "materials": selectors.local_materials(request.user),
            "can_add": user_can(request.user, "add", LicenceWindow),
            "can_add_material": user_can(request.user, "add", LocalMaterial),
        },
    )


@login_required
def window_detail(request, pk):
    window = get_restricted_or_404(
        LicenceWindow.objects.select_related("unit", "benchmark"), request.user, pk=pk
    )
    url = absolute_url(reverse("window:public", args=[window.public_token]))
    return render(
        request,
        "warmth_window/window_detail.html",
        {
            "window": window,
            "staff": window.staff.select_related("unit").order_by("name_pinyin"),
            "public_url": url,
            "qr": qr_svg_data_uri(url),
            "can_change": LicenceWindow.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
            "history": history_rows(window),
        },
    )


def _window_form(request, window: LicenceWindow | None):
    instance = window or LicenceWindow()
    if is_pick_search(request):
        form = WindowForm(actor=request.user, instance=window, initial=pick_search_initial(request))
    else:
        form = WindowForm(request.POST or None, actor=request.user, instance=window)
    if form.is_bound and form.is_valid():
        obj = form.save(commit=False)
        try:
            obj = services.window_save(
                actor=request.user, window=obj, staff=form.cleaned_data["staff"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        else:
            messages.success(request, _("窗口信息已保存"))
            return redirect("window:window_detail", pk=obj.pk)
    title = _("编辑办证窗口") if instance.pk else _("新建办证窗口")
    return render(
        request,
        "warmth_window/form.html",
        {"form": form, "title": title, "back": reverse("window:windows")},
    )


@login_required
def window_create(request):
    if not user_can(request.user, "add", LicenceWindow):
        raise Http404
    return _window_form(request, None)


@login_required
def window_edit(request, pk):
    window = get_restricted_or_404(LicenceWindow, request.user, "change", pk=pk)
    return _window_form(request, window)


def _material_form(request, material: LocalMaterial | None):
    form = LocalMaterialForm(request.POST or None, actor=request.user, instance=material)
    if form.is_bound and form.is_valid():
        try:
            services.local_material_save(actor=request.user, material=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        else:
            messages.success(request, _("本地补充材料已保存"))
            return redirect("window:windows")
    title = _("编辑本地补充材料") if material else _("新增本地补充材料")
    return render(
        request,
        "warmth_window/form.html",
        {"form": form, "title": title, "back": reverse("window:windows")},
    )


@login_required
def material_create(request):
    if not user_can(request.user, "add", LocalMaterial):
        raise Http404
    return _material_form(request, None)


@login_required
def material_edit(request, pk):
    return _material_form(
        request, get_restricted_or_404(LocalMaterial, request.user, "change", pk=pk)
    )


# ---------------------------------------------------------------------------- expiring licences


def _expiring(request):
    form = ExpiringFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.expiring_customers)


def _with_texts(customers):
    # A system read of the windows (public information) to name the customer's window.
    customers = list(customers)
    windows = selectors.windows_by_unit_path({c.unit for c in customers})
    days = applied_rule("licence.renewal_min_days").value
    return [
        (c, services.expiry_sms_text(c, selectors.window_for_customer(c, windows), days))
        for c in customers
    ]


@login_required
def expiring_list(request):
    if not user_can(request.user, "view", RetailCustomer):
        raise Http404
    form, rows = _expiring(request)
    listing = paginate(
        request,
        rows,
        sort_fields={"expires": "licence_expires_on", "licence": "licence_no"},
        default_sort="expires",
    )
    return render(
        request,
        "warmth_window/expiring.html",
        {
            "listing": listing,
            "rows": _with_texts(listing.rows),
            "filter_form": form,
            "days": applied_rule("licence.expiry_warning_days").value,
            "renewal_days": applied_rule("licence.renewal_min_days").value,
            "can_export": user_can(request.user, "export", RetailCustomer),
        },
    )


@login_required
def expiring_export(request):
    _form, rows = _expiring(request)
    rows = exportable(request, RetailCustomer, rows)

    def lines():
        for customer, text in _with_texts(
            rows.order_by("licence_expires_on", "pk").iterator(chunk_size=2000)
        ):
            yield [
                customer.licence_no,
                customer.shop_name,
                customer.owner_name,
                customer.unit.name,
                customer.account_manager.name if customer.account_manager else "",
                customer.licence_expires_on,
                text,
            ]

    return workbook_export(
        request,
        model=RetailCustomer,
        count=rows.count(),
        detail=_("许可证到期名单 ") + request.GET.urlencode(),
        filename="许可证到期名单.xlsx",
        title="许可证到期名单",
        headers=["许可证号", "店名", "经营者", "片区", "客户经理", "有效期至", "提醒短信"],
        rows=lines(),
        widths=[14, 24, 10, 16, 10, 12, 80],
    )


@login_required
def expiring_print(request):
    if not user_can(request.user, "view", RetailCustomer):
        raise Http404
    _form, rows = _expiring(request)
    rows = rows.order_by("licence_expires_on", "pk")[:500]
    return render(request, "warmth_window/expiring_print.html", {"rows": _with_texts(rows)})


# ---------------------------------------------------------------------------- public page


def public_page(request, token):
    window = selectors.public_window(token)
    card = getattr(window.benchmark, "member_card", None) if window.benchmark_id else None
    kinds = dict(ApplicationKind.choices)
    materials = [(kinds[kind], items) for kind, items in selectors.public_materials(window).items()]
    conditions = {m.code: m.when for m in rules.NATIONAL_MATERIALS if m.when != rules.ALWAYS}
    return render(
        request,
        "warmth_window/public.html",
        {
            "window": window,
            "benchmark": window.benchmark,
            "card": card,
            "materials": materials,
            "conditions": conditions,
            "rules": {
                key: applied_rule(f"licence.{key}").value
                for key in (
                    "notice_workdays",
                    "decision_workdays",
                    "delivery_workdays",
                    "renewal_min_days",
                )
            },
        },
    )


def public_photo(request, token):
    """Only the benchmark member's photo, only through his window's public link."""
    window = selectors.public_window(token)
    person = window.benchmark
    if person is None or not person.photo:
        raise Http404
    return FileResponse(person.photo.open("rb"), content_type="image/jpeg")
