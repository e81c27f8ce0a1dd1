from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.excel import xlsx_response
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.reveal import reveal_field
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.tabular import limit_upload_size
from dangjian.platform.upload import import_upload_page

from . import selectors, services
from .forms import CustomerFilterForm, CustomerForm
from .importing import COLUMNS, TEMPLATE_EXAMPLE
from .models import RetailCustomer
from .tasks import import_customers

SORTS = {
    "licence": "licence_no",
    "owner": "owner_pinyin",
    "tier": "tier",
    "expiry": "licence_expires_on",
}


def _filtered(request):
    form = CustomerFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.customer_list)


@login_required
def customer_list(request):
    if not user_can(request.user, "view", RetailCustomer):
        raise Http404
    form, customers = _filtered(request)
    listing = paginate(request, customers, sort_fields=SORTS, default_sort="licence")
    return render(
        request,
        "customers/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", RetailCustomer),
            "can_export": user_can(request.user, "export", RetailCustomer),
            "can_import": user_can(request.user, "import", RetailCustomer),
        },
    )


@login_required
def customer_export(request):
    _form, customers = _filtered(request)
    customers = exportable(request, RetailCustomer, customers)

    def rows():
        for c in customers.order_by("licence_no").iterator(chunk_size=5000):
            yield [
                c.licence_no,
                c.shop_name,
                c.owner_name,
                c.phone_masked,
                c.address,
                c.unit.name,
                c.account_manager.name if c.account_manager else "",
                c.code,
                c.tier,
                c.credit_grade,
                "、".join(c.segments),
                "、".join(c.needs),
                c.licence_expires_on,
            ]

    return workbook_export(
        request,
        model=RetailCustomer,
        count=customers.count(),
        filename="零售客户.xlsx",
        title="零售客户",
        headers=[
            "许可证号",
            "店名",
            "经营者",
            "联系电话",
            "经营地址",
            "县局/片区",
            "客户经理",
            "分类编码",
            "档位",
            "信用等级",
            "客户群体",
            "特殊需求",
            "许可证有效期至",
        ],
        rows=rows(),
        widths=[16, 24, 10, 14, 36, 14, 10, 10, 6, 8, 20, 12, 14],
    )


@login_required
def customer_detail(request, pk):
    customer = get_restricted_or_404(
        RetailCustomer.objects.select_related("unit", "account_manager", "inspector", "courier"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "history": history_rows(customer, secret_fields=RetailCustomer.PERSONAL_FIELDS),
            "can_change": RetailCustomer.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
            "can_reveal": RetailCustomer.objects.restrict(request.user, "reveal")
            .filter(pk=pk)
            .exists(),
        },
    )


@login_required
def customer_edit(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", RetailCustomer):
            raise Http404
        customer = RetailCustomer()
    else:
        customer = get_restricted_or_404(RetailCustomer, request.user, "change", pk=pk)
    form = CustomerForm(request.POST or None, instance=customer, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.customer_save(actor=request.user, customer=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        else:
            messages.success(request, _("已保存“%(name)s”") % {"name": saved.shop_name})
            return redirect("customers:detail", pk=saved.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_reveal(request, pk, field):
    return reveal_field(request, RetailCustomer, pk, field)


# -- import (runs as a background job) --------------------------------------------------------


@login_required
@limit_upload_size
def customer_import(request):
    return import_upload_page(
        request,
        model=RetailCustomer,
        kind="customers.import",
        task=import_customers,
        what=_("零售客户"),
        template="customers/import.html",
        context={"columns": COLUMNS},
    )


@login_required
def customer_import_template(request):
    if not user_can(request.user, "import", RetailCustomer):
        raise Http404
    return xlsx_response(
        filename=_("零售客户导入模板.xlsx"),
        title=_("零售客户"),
        headers=[c.label for c in COLUMNS],
        rows=[TEMPLATE_EXAMPLE],
    )
