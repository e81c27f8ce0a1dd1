"""Dues pages: ledgers (member, branch), bulk entry, arrears, flags, calculator, import."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.excel import xlsx_response
from dangjian.platform.exports import workbook_export
from dangjian.platform.listing import ListPage, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.tabular import limit_upload_size
from dangjian.platform.upload import import_upload_page

from . import rules, selectors, services
from .forms import (
    BaseForm,
    CalculatorForm,
    ConsentForm,
    CorrectionForm,
    DecisionForm,
    ExtraForm,
    PaymentForm,
    ResolveForm,
    parse_month,
)
from .importing import COLUMNS, TEMPLATE_EXAMPLE
from .models import ArrearsFlag, DuesBase, DuesPayment, Method
from .tasks import import_bases


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _branch(request, pk) -> PartyOrg:
    if not selectors.sees_branch_dues(request.user):
        raise Http404  # a member reads his own ledger, not his branch's
    return get_restricted_or_404(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH), request.user, "view", pk=pk
    )


def _member(request, pk) -> Person:
    """A member whose dues the user may see; 404 for anyone else."""
    return get_restricted_or_404(
        selectors.visible_members(request.user).select_related("membership__branch"),
        request.user,
        "view",
        pk=pk,
    )


@login_required
def index(request):
    """Members go to their own ledger; officers to the arrears overview of their branches."""
    if not user_can(request.user, "view", DuesPayment):
        raise Http404
    if not selectors.sees_branch_dues(request.user):
        return redirect("dues:mine")
    return redirect("dues:arrears")


@login_required
def mine(request):
    """The member's own ledger and base."""
    person = getattr(request.user, "person", None)
    if person is None or not selectors.visible_members(request.user).filter(pk=person.pk).exists():
        raise Http404
    return member_detail(request, person.pk)


@login_required
def member_detail(request, pk):
    person = _member(request, pk)
    year = _year(request)
    ledger = selectors.member_ledger(request.user, person, year=year)
    user = request.user
    can_add = user_can(user, "add", DuesPayment)
    return render(
        request,
        "dues/member.html",
        {
            "person": person,
            "ledger": ledger,
            "year": year,
            "bases": selectors.member_bases(user, person),
            "payments": selectors.member_payments(user, person)[:24],
            "extras": selectors.member_extras(user, person),
            "consents": person.dues_consents.order_by("-agreed_on") if can_add else [],
            "decisions": person.dues_decisions.order_by("-decided_on") if can_add else [],
            "paid_through": selectors.dues_paid_through(person),
            "corrections": selectors.member_corrections(user, person)[:50],
            "corrected_months": set(
                selectors.member_corrections(user, person)
                .filter(new_month__isnull=False)
                .values_list("new_month", flat=True)
            ),
            "can_correct": can_add and user_can(user, "change", DuesPayment),
            "can_add": can_add,
            "is_self": getattr(user, "person", None) == person,
        },
    )


def _member_form(request, pk, form_class, service, title, *, initial=None, to_kwargs=None):
    person = _member(request, pk)
    if not user_can(request.user, "add", DuesPayment):
        raise Http404
    form = form_class(request.POST or None, initial=initial or {})
    if request.method == "POST" and form.is_valid():
        try:
            kwargs = to_kwargs(form.cleaned_data) if to_kwargs else dict(form.cleaned_data)
            service(actor=request.user, person=person, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("dues:member", pk=person.pk)
    return render(request, "dues/form.html", {"form": form, "person": person, "title": title})


@login_required
def base_create(request, pk):
    return _member_form(
        request,
        pk,
        BaseForm,
        services.dues_base_add,
        _("登记党费基数"),
        initial={"effective_month": timezone.localdate().strftime("%Y-%m"), "category": "employed"},
    )


@login_required
def payment_create(request, pk):
    person = _member(request, pk)
    month = timezone.localdate().replace(day=1)
    if request.GET.get("month"):
        with contextlib.suppress(ValueError):
            month = parse_month(request.GET["month"])
    ledger = selectors.build_ledgers(
        list(Person.objects.filter(pk=person.pk).select_related("membership__branch")), [month]
    )[0]
    due = ledger.cells[0].due
    return _member_form(
        request,
        pk,
        PaymentForm,
        services.dues_payment_add,
        _("登记交纳党费"),
        initial={
            "month": month.strftime("%Y-%m"),
            "amount": due if due else "",
            "paid_on": timezone.localdate(),
            "method": Method.CASH,
        },
    )


@login_required
def extra_create(request, pk):
    return _member_form(
        request,
        pk,
        ExtraForm,
        services.dues_extra_add,
        _("登记自愿多交党费"),
        initial={"paid_on": timezone.localdate(), "method": Method.CASH},
    )


@login_required
def consent_create(request, pk):
    return _member_form(
        request, pk, ConsentForm, services.dues_consent_add, _("登记按季度交纳（支部同意）")
    )


@login_required
def decision_create(request, pk):
    return _member_form(
        request, pk, DecisionForm, services.dues_decision_add, _("登记补交党费决定")
    )


@login_required
def payment_correct(request, pk):
    """Correct a recorded payment: the wrong entry reversed, the right one recorded anew."""
    payment = get_restricted_or_404(
        DuesPayment.objects.select_related("person", "recorded_by"), request.user, "change", pk=pk
    )
    person = _member(request, payment.person_id)
    form = CorrectionForm(
        request.POST or None,
        initial={
            "action": "amend",
            "month": payment.month.strftime("%Y-%m"),
            "amount": payment.amount,
            "paid_on": payment.paid_on,
            "method": payment.method,
            "proxy_name": payment.proxy_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_payment_correct(
                actor=request.user,
                payment=payment,
                reason=data["reason"],
                reverse_only=data["action"] == "reverse",
                month=data["month"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                proxy_name=data["proxy_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已更正，原记录和更正记录均已保留"))
            return redirect(
                reverse("dues:member", args=[person.pk]) + f"?year={payment.month.year}"
            )
    return render(
        request,
        "dues/correct.html",
        {"form": form, "person": person, "payment": payment, "title": _("更正党费记录")},
    )


# ------------------------------------------------------------------------ branch pages


@login_required
def branch_ledger(request, pk):
    branch = _branch(request, pk)
    year = _year(request)
    ledgers = selectors.branch_ledger(request.user, branch, year=year)
    months = rules.month_range(dt.date(year, 1, 1), dt.date(year, 12, 1))
    return render(
        request,
        "dues/branch.html",
        {
            "branch": branch,
            "year": year,
            "months": months,
            "ledgers": ledgers,
            "can_add": user_can(request.user, "add", DuesPayment),
            "can_export": user_can(request.user, "export", DuesPayment),
            "this_month": timezone.localdate().replace(day=1).strftime("%Y-%m"),
        },
    )


STATE_TEXT = {
    selectors.EXEMPT: "免交",
    selectors.UNPAID: "欠交",
    selectors.UNDERPAID: "少交",
    selectors.NO_BASE: "未核定",
    selectors.OPEN: "",
    selectors.OUTSIDE: "",
}


@login_required
def branch_export(request, pk):
    branch = _branch(request, pk)
    if not user_can(request.user, "export", DuesPayment):
        raise Http404
    year = _year(request)
    ledgers = selectors.branch_ledger(request.user, branch, year=year)
    headers = [_("姓名"), _("类别"), _("基数（元）")]
    headers += [_("%(m)s月") % {"m": m} for m in range(1, 13)]
    headers += [_("应交合计"), _("实交合计"), _("欠交合计")]

    def rows():
        for lg in ledgers:
            base = lg.current_base
            row = [
                lg.person.name,
                base.get_category_display() if base else "",
                base.amount if base else None,
            ]
            for cell in lg.cells:
                if cell.payment is not None:
                    text = f"{cell.paid}"
                    if cell.payment.proxy_name:
                        text += _("（%(n)s代缴）") % {"n": cell.payment.proxy_name}
                    row.append(text)
                else:
                    row.append(STATE_TEXT.get(cell.state, ""))
            row += [lg.due_total, lg.paid_total, lg.arrears_total]
            yield row

    return workbook_export(
        request,
        model=DuesPayment,
        count=len(ledgers),
        detail=f"{branch.name} {year}",
        filename=_("%(b)s%(y)s年党费台账.xlsx") % {"b": branch.name, "y": year},
        title=_("%(y)s年党费台账") % {"y": year},
        headers=headers,
        rows=rows(),
    )


@login_required
def bulk_entry(request, pk):
    """One month of a branch: one row per member, prefilled with the due; all or nothing."""
    branch = _branch(request, pk)
    if not user_can(request.user, "add", DuesPayment):
        raise Http404
    today = timezone.localdate()
    try:
        month = parse_month(request.GET.get("month") or request.POST.get("month") or today)
    except ValueError:
        month = today.replace(day=1)
    ledgers = selectors.branch_month_rows(request.user, branch, month)
    errors: dict[int, list[str]] = {}
    values: dict[int, dict] = {}
    if request.method == "POST":
        rows = []
        for lg in ledgers:
            pid = lg.person.pk
            data = {
                "pay": request.POST.get(f"pay_{pid}") == "on",
                "amount": request.POST.get(f"amount_{pid}", ""),
                "paid_on": request.POST.get(f"paid_on_{pid}", ""),
                "method": request.POST.get(f"method_{pid}", ""),
                "proxy": request.POST.get(f"proxy_{pid}", "").strip(),
            }
            values[pid] = data
            if not data["pay"]:
                continue
            try:
                paid_on = dt.date.fromisoformat(data["paid_on"])
            except ValueError:
                errors[pid] = [_("交纳日期：请填写 2025-03-05 这样的日期")]
                continue
            rows.append(
                services.BulkRow(
                    person=lg.person,
                    amount=data["amount"],
                    paid_on=paid_on,
                    method=data["method"],
                    proxy_name=data["proxy"],
                )
            )
        if not errors and not rows:
            messages.warning(request, _("没有勾选任何党员"))
        elif not errors:
            try:
                saved = services.dues_payments_bulk(
                    actor=request.user, branch=branch, month=month, rows=rows
                )
            except services.BulkRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("已登记 %(n)s 名党员 %(m)s 的党费")
                    % {"n": len(saved), "m": f"{month:%Y-%m}"},
                )
                return redirect(reverse("dues:branch", args=[branch.pk]) + f"?year={month.year}")
        if errors:
            messages.error(
                request,
                _("有 %(n)s 行未通过检查，全部未保存，请修改后重新提交") % {"n": len(errors)},
            )
    entries = []
    for lg in ledgers:
        cell = lg.cells[0]
        pid = lg.person.pk
        entries.append(
            {
                "ledger": lg,
                "cell": cell,
                "open": cell.state in (selectors.UNPAID, selectors.OPEN),
                "values": values.get(
                    pid,
                    {
                        "pay": False,
                        "amount": cell.due if cell.due else "",
                        "paid_on": today.isoformat(),
                        "method": Method.CASH,
                        "proxy": "",
                    },
                ),
                "errors": errors.get(pid, []),
            }
        )
    return render(
        request,
        "dues/bulk.html",
        {
            "branch": branch,
            "month": month,
            "entries": entries,
            "methods": Method.choices,
        },
    )


@login_required
def branch_arrears(request, pk):
    branch = _branch(request, pk)
    return render(
        request,
        "dues/branch_arrears.html",
        {
            "branch": branch,
            "ledgers": selectors.branch_arrears(request.user, branch),
            "flags": selectors.open_flags(request.user, branch=branch),
        },
    )


def _arrears_filters(request):
    """The arrears overview's organisations to filter by (the levels above the branches the
    user sees: county bureaus, general branches) and the filtered rows, all in memory —
    ``company_arrears`` is one GROUP BY over the visible branches."""
    visible = PartyOrg.objects.restrict(request.user, "view").exclude(
        kind__in=(PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP)
    )
    top = visible.aggregate(top=Min("depth"))["top"] or 1
    orgs = list(
        visible.filter(depth__lte=top + 2).order_by("path").only("pk", "name", "depth", "path")
    )
    org = None
    if request.GET.get("org", "").isdigit():
        org = next((o for o in orgs if o.pk == int(request.GET["org"])), None)
    query = request.GET.get("q", "").strip()[:50]
    state = request.GET.get("state", "")
    rows = selectors.company_arrears(request.user)
    all_flags = sum(r["flags"] for r in rows)
    if org is not None:
        rows = [r for r in rows if r["branch__path"].startswith(org.path)]
    if query:
        rows = [r for r in rows if query in r["branch__name"]]
    if state == "behind":
        rows = [r for r in rows if r["behind"]]
    elif state == "flagged":
        rows = [r for r in rows if r["flags"]]
    return {
        "orgs": orgs,
        "top": top,
        "org": org,
        "query": query,
        "state": state,
        "rows": rows,
        "all_flags": all_flags,
    }


@login_required
def arrears(request):
    """Per visible branch: members, members behind, open flags (the company overview),
    filtered by an organisation's subtree, a branch name and a state; paginated."""
    if not selectors.sees_branch_dues(request.user):
        raise Http404
    found = _arrears_filters(request)
    rows = found["rows"]
    paginator = Paginator(rows, 50)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dues/arrears.html",
        {
            **found,
            "listing": ListPage(
                page=page,
                paginator=paginator,
                query=found["query"],
                sort="",
                querystring=params.urlencode(),
            ),
            "totals": {
                "branches": len(rows),
                "members": sum(r["members"] for r in rows),
                "behind": sum(r["behind"] for r in rows),
                "flags": sum(r["flags"] for r in rows),
            },
            "states": [
                ("", _("全部支部")),
                ("behind", _("有未交党员")),
                ("flagged", _("有连续六个月未交")),
            ],
            "last_closed": rules.add_months(timezone.localdate().replace(day=1), -1),
            "flag_count": found["all_flags"],
            "can_export": user_can(request.user, "export", DuesPayment),
            "can_import": user_can(request.user, "import", DuesBase),
        },
    )


@login_required
def arrears_export(request):
    """The whole filtered overview (every page) as Excel."""
    if not selectors.sees_branch_dues(request.user, "export"):
        raise Http404
    rows = _arrears_filters(request)["rows"]
    last_closed = rules.add_months(timezone.localdate().replace(day=1), -1)
    return workbook_export(
        request,
        model=DuesPayment,
        count=len(rows),
        detail=_("党费收缴情况 %(q)s") % {"q": request.GET.urlencode()},
        filename=_("党费收缴情况.xlsx"),
        title=_("党费收缴情况"),
        headers=[
            _("支部"),
            _("党员"),
            _("未交至%(m)s") % {"m": f"{last_closed.year}年{last_closed.month}月"},
            _("连续六个月未交"),
        ],
        rows=([r["branch__name"], r["members"], r["behind"], r["flags"]] for r in rows),
        widths=[36, 10, 16, 16],
    )


FLAG_SORTS = {"months": "months", "name": "person__name_pinyin"}


@login_required
def flag_list(request):
    if not selectors.sees_branch_dues(request.user):
        raise Http404
    # Hundreds of open flags nationally: 50 a page, the longest arrears first.
    listing = paginate(
        request,
        selectors.open_flags(request.user),
        sort_fields=FLAG_SORTS,
        default_sort="-months",
        per_page=50,
    )
    return render(
        request,
        "dues/flags.html",
        {
            "listing": listing,
            "flags": listing.rows,
            "can_change": user_can(request.user, "change", ArrearsFlag),
            "form": ResolveForm(),
        },
    )


@login_required
@require_POST
def flag_resolve(request, pk):
    flag = get_restricted_or_404(ArrearsFlag, request.user, "change", pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        services.arrears_flag_resolve(
            actor=request.user, flag=flag, resolution=form.cleaned_data["resolution"]
        )
        messages.success(request, _("已记录处理结果"))
    else:
        messages.error(request, _("处理结果：请填写处理结果"))
    page = request.POST.get("page", "")
    return redirect(reverse("dues:flags") + (f"?page={page}" if page.isdigit() else ""))


# ------------------------------------------------------------------------ calculator


@login_required
def calculator(request):
    """党费计算器: any signed-in user may compute the dues for a base and category."""
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = rules.compute_dues(form.cleaned_data["base"], form.cleaned_data["category"])
    return render(request, "dues/calculator.html", {"form": form, "result": result})


# ------------------------------------------------------------------------ import


@login_required
@limit_upload_size
def base_import(request):
    return import_upload_page(
        request,
        model=DuesBase,
        kind="dues.import_bases",
        task=import_bases,
        what=_("党费基数"),
        template="dues/import.html",
        context={"columns": COLUMNS},
    )


@login_required
def base_import_template(request):
    if not user_can(request.user, "import", DuesBase):
        raise Http404
    return xlsx_response(
        filename=_("党费基数导入模板.xlsx"),
        title=_("党费基数"),
        headers=[c.label for c in COLUMNS],
        rows=[TEMPLATE_EXAMPLE],
    )
