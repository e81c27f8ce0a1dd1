from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.dues.selectors import dues_paid_through
from dangjian.platform.audit import log_access
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.pdf import pdf_response, render_pdf
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import selectors, services
from .forms import (
    CancelForm,
    MobileEndForm,
    MobileFilterForm,
    MobileForm,
    ReceiveForm,
    TransferFilterForm,
    TransferInForm,
    TransferOutForm,
    members_in_reach,
)
from .models import MobileMember, Transfer

SORTS = {"issued": "issued_on", "number": "number", "valid": "valid_until"}
MOBILE_SORTS = {"since": "since", "name": "person__name_pinyin"}


def _filtered(request):
    return filtered_list(request, TransferFilterForm(request.GET or None), selectors.transfer_list)


@login_required
def transfer_list(request):
    if not user_can(request.user, "view", Transfer):
        raise Http404
    form, transfers = _filtered(request)
    listing = paginate(request, transfers, sort_fields=SORTS, default_sort="-issued")
    return render(
        request,
        "transfers/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "flags": selectors.flag_counts(request.user),
            "can_add": user_can(request.user, "add", Transfer),
            "can_export": user_can(request.user, "export", Transfer),
            "today": timezone.localdate(),
        },
    )


@login_required
def transfer_export(request):
    _form, transfers = _filtered(request)
    transfers = exportable(request, Transfer, transfers)
    today = timezone.localdate()

    def rows():
        for t in transfers.order_by("-issued_on", "pk").iterator(chunk_size=2000):
            yield [
                t.number,
                t.person.name,
                t.get_member_status_display(),
                t.from_org_name,
                t.to_org_name,
                t.direction,
                t.get_reason_display(),
                f"{t.dues_paid_through:%Y-%m}" if t.dues_paid_through else "",
                t.issued_on,
                t.valid_until,
                t.get_status_display(),
                t.received_on,
                _("是") if t.is_overdue(today) else "",
            ]

    return workbook_export(
        request,
        model=Transfer,
        count=transfers.count(),
        filename="组织关系转接.xlsx",
        title="组织关系转接",
        headers=[
            "介绍信编号",
            "姓名",
            "党员类别",
            "转出组织",
            "转入组织",
            "类型",
            "转接原因",
            "党费交至",
            "开具日期",
            "有效期至",
            "状态",
            "回执日期",
            "逾期",
        ],
        rows=rows(),
        widths=[12, 10, 10, 28, 28, 14, 12, 10, 12, 12, 8, 12, 6],
    )


@login_required
def transfer_detail(request, pk):
    transfer = get_restricted_or_404(
        Transfer.objects.select_related("person", "from_org", "to_org", "received_by"),
        request.user,
        pk=pk,
    )
    can_change = Transfer.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "overdue": transfer.is_overdue(),
            "can_change": can_change,
            "can_receive": can_change
            and transfer.status == Transfer.Status.ISSUED
            and services.receiving_side(request.user, transfer),
            "receive_form": ReceiveForm(),
            "cancel_form": CancelForm(),
            "history": history_rows(transfer),
        },
    )


@login_required
def transfer_create(request):
    if not user_can(request.user, "add", Transfer):
        raise Http404
    initial = {}
    person_pk = request.GET.get("person")
    if person_pk and person_pk.isdigit():
        person = members_in_reach(request.user).filter(pk=person_pk).first()
        if person is not None:
            initial = {"person": person, "dues_paid_through": dues_paid_through(person)}
    if is_pick_search(request):
        form = TransferOutForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = TransferOutForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        paid = data["dues_paid_through"] or dues_paid_through(data["person"])
        try:
            transfer = services.transfer_issue(
                actor=request.user,
                person=data["person"],
                to_org=data["to_org"],
                to_org_name=data["to_org_name"],
                cross_province=data["cross_province"],
                reason=data["reason"],
                reason_note=data["reason_note"],
                dues_paid_through=paid,
                issued_on=data["issued_on"],
                valid_months=data["valid_months"],
                away_from=data["away_from"],
                away_until=data["away_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, _("已开具介绍信 %(n)s") % {"n": transfer.number})
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/form.html",
        {"form": form, "title": _("开具组织关系介绍信（转出）")},
    )


@login_required
def transfer_create_incoming(request):
    if not user_can(request.user, "add", Transfer):
        raise Http404
    if is_pick_search(request):
        form = TransferInForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = TransferInForm(request.POST or None, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            transfer = services.transfer_register_incoming(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("to_org", str(exc))
        else:
            messages.success(request, _("已登记转入介绍信 %(n)s") % {"n": transfer.number})
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/form.html",
        {"form": form, "title": _("登记系统外转入的介绍信")},
    )


# The pickers' suggestion lists: (model the user must be able to add, form, field).
SUGGESTIONS = {
    "member": (Transfer, TransferOutForm, "person"),
    "receiving_branch": (Transfer, TransferOutForm, "to_org"),
    "non_member": (Transfer, TransferInForm, "person"),
    "own_branch": (Transfer, TransferInForm, "to_org"),
    "mobile_member": (MobileMember, MobileForm, "person"),
}


@login_required
def suggest(request, kind):
    """Matches for a picker, within the same scope the form validates against."""
    if kind not in SUGGESTIONS:
        raise Http404
    model, form_class, field = SUGGESTIONS[kind]
    if not user_can(request.user, "add", model):
        raise Http404
    return suggest_response(request, form_class(actor=request.user), field)


@login_required
@require_POST
def transfer_receive(request, pk):
    transfer = get_restricted_or_404(Transfer, request.user, "change", pk=pk)
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("回执日期：请填写正确的日期"))
        return redirect("transfers:detail", pk=pk)
    try:
        services.transfer_receive(actor=request.user, transfer=transfer, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("已确认接收，组织关系转接完成"))
    return redirect("transfers:detail", pk=pk)


@login_required
@require_POST
def transfer_cancel(request, pk):
    transfer = get_restricted_or_404(Transfer, request.user, "change", pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废原因：请填写"))
        return redirect("transfers:detail", pk=pk)
    try:
        services.transfer_cancel(
            actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("介绍信已作废"))
    return redirect("transfers:detail", pk=pk)


@login_required
def transfer_letter(request, pk):
    transfer = get_restricted_or_404(
        Transfer.objects.select_related("person", "from_org", "to_org"), request.user, pk=pk
    )
    # The letter carries the ID number in full, as the official form does: log it.
    log_access(
        user=request.user,
        action="export",
        model=Transfer,
        object_id=transfer.pk,
        field="id_number",
        detail=_("打印组织关系介绍信"),
        request=request,
    )
    pdf = render_pdf("transfers/letter_pdf.html", {"t": transfer, "person": transfer.person})
    return pdf_response(pdf, filename=f"组织关系介绍信-{transfer.number}.pdf")


# -- 流动党员 ----------------------------------------------------------------------------------


def _mobile_filtered(request):
    return filtered_list(request, MobileFilterForm(request.GET or None), selectors.mobile_list)


@login_required
def mobile_list(request):
    if not user_can(request.user, "view", MobileMember):
        raise Http404
    form, records = _mobile_filtered(request)
    listing = paginate(request, records, sort_fields=MOBILE_SORTS, default_sort="-since")
    return render(
        request,
        "transfers/mobile_list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", MobileMember),
            "can_export": user_can(request.user, "export", MobileMember),
        },
    )


@login_required
def mobile_export(request):
    _form, records = _mobile_filtered(request)
    records = exportable(request, MobileMember, records)

    def rows():
        for m in records.order_by("-since", "pk").iterator(chunk_size=2000):
            yield [
                m.person.name,
                m.branch.name,
                m.destination,
                m.workplace,
                m.since,
                m.expected_return,
                m.contact_phone_masked,
                m.get_status_display(),
                m.ended_on,
                _("是") if m.flagged_at else "",
            ]

    return workbook_export(
        request,
        model=MobileMember,
        count=records.count(),
        filename="流动党员.xlsx",
        title="流动党员",
        headers=[
            "姓名",
            "所在支部",
            "流入地",
            "工作单位/住址",
            "外出日期",
            "预计返回",
            "联系电话",
            "状态",
            "结束日期",
            "超期未转接",
        ],
        rows=rows(),
        widths=[10, 24, 28, 28, 12, 12, 14, 12, 12, 10],
    )


@login_required
def mobile_create(request):
    if not user_can(request.user, "add", MobileMember):
        raise Http404
    if is_pick_search(request):
        form = MobileForm(actor=request.user, initial=pick_search_initial(request))
    else:
        form = MobileForm(request.POST or None, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            mobile = services.mobile_register(actor=request.user, mobile=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, _("已登记流动党员 %(p)s") % {"p": mobile.person.name})
            return redirect("transfers:mobile_detail", pk=mobile.pk)
    return render(request, "transfers/form.html", {"form": form, "title": _("登记流动党员")})


@login_required
def mobile_detail(request, pk):
    mobile = get_restricted_or_404(
        MobileMember.objects.select_related("person", "branch"), request.user, pk=pk
    )
    return render(
        request,
        "transfers/mobile_detail.html",
        {
            "mobile": mobile,
            "can_change": MobileMember.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
            "end_form": MobileEndForm(initial={"ended_on": timezone.localdate()}),
            "history": history_rows(mobile, secret_fields=MobileMember.PERSONAL_FIELDS),
        },
    )


@login_required
@require_POST
def mobile_end(request, pk):
    mobile = get_restricted_or_404(MobileMember, request.user, "change", pk=pk)
    form = MobileEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("返回日期：请填写正确的日期"))
        return redirect("transfers:mobile_detail", pk=pk)
    try:
        services.mobile_end(actor=request.user, mobile=mobile, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已登记返回"))
    return redirect("transfers:mobile_detail", pk=pk)
