"""The month calendar of a unit, and managing its local days and business hours."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.platform import lunar, workdays
from dangjian.platform.pdf import pdf_response, render_pdf
from dangjian.platform.qr import qr_svg_data_uri
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import BusinessHoursForm, LocalDayForm
from .models import BusinessHours, LocalDay

KIND_LABELS = {
    workdays.DayKind.WORKDAY: "",
    workdays.DayKind.WEEKEND: gettext_lazy("周末"),
    workdays.DayKind.HOLIDAY: gettext_lazy("法定节假日"),
    workdays.DayKind.ADJUSTED_WORKDAY: gettext_lazy("调休上班"),
    workdays.DayKind.LOCAL_HOLIDAY: gettext_lazy("本单位放假"),
    workdays.DayKind.LOCAL_WORKDAY: gettext_lazy("本单位上班"),
}
WEEKDAYS = [
    gettext_lazy("一"),
    gettext_lazy("二"),
    gettext_lazy("三"),
    gettext_lazy("四"),
    gettext_lazy("五"),
    gettext_lazy("六"),
    gettext_lazy("日"),
]


def _month_of(value: str) -> dt.date:
    """``YYYY-MM`` → its first day; anything unreadable → this month (never an error page)."""
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in value.split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, AttributeError):
        return today.replace(day=1)
    if not lunar.MIN_YEAR < year < lunar.MAX_YEAR:  # the lunar tables end there
        return today.replace(day=1)
    return first


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _grid(first: dt.date, calendar: selectors.UnitCalendar) -> list[list[dict]]:
    """Weeks (Monday first) of the month, each day with its kind, holiday and lunar date."""
    festivals = {f.date: f.name for f in lunar.festivals(first.year)}
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            info = calendar.day_info(day)
            local = calendar.local_days.get(day)
            try:
                lunar_day = lunar.solar_to_lunar(day)
                lunar_label = lunar_day.label if lunar_day.day == 1 else lunar_day.label[-2:]
            except lunar.LunarRangeError:
                lunar_label = ""
            row.append(
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "kind": info.kind,
                    "kind_label": KIND_LABELS[info.kind],
                    "working": info.is_working,
                    "holiday_name": info.holiday_name,
                    "local": local,
                    "festival": festivals.get(day, ""),
                    "lunar": lunar_label,
                    "today": day == timezone.localdate(),
                }
            )
        weeks.append(row)
    return weeks


def _unit_and_month(request):
    """The unit (from ``?unit=``, else the first visible) and the month asked for; 404 for a
    unit outside the user's scope."""
    if not user_can(request.user, "view", LocalDay):
        raise Http404
    units = selectors.units_where(request.user, "view", LocalDay)
    if request.GET.get("unit"):
        try:
            unit = units.get(pk=int(request.GET["unit"]))
        except (ValueError, units.model.DoesNotExist) as exc:
            raise Http404 from exc
    else:
        unit = units.first()
    first = _month_of(request.GET.get("month", ""))
    last = _shift(first, 1) - dt.timedelta(days=1)
    calendar = selectors.unit_calendar(
        unit, start=first - dt.timedelta(days=7), end=last + dt.timedelta(days=7)
    )
    return units, unit, first, last, calendar


@login_required
def month(request):
    """The month grid of a unit's calendar (``?unit=<pk>&month=YYYY-MM``)."""
    units, unit, first, last, calendar = _unit_and_month(request)
    month_days = [d for d in calendar.local_days.values() if first <= d.date <= last]
    deletable = set()
    if unit is not None and month_days:
        deletable = set(
            LocalDay.objects.restrict(request.user, "delete")
            .filter(pk__in=[d.pk for d in month_days])
            .values_list("pk", flat=True)
        )
    can_add = (
        unit is not None
        and selectors.units_where(request.user, "add", LocalDay).filter(pk=unit.pk).exists()
    )
    can_hours = (
        unit is not None
        and selectors.units_where(request.user, "change", BusinessHours).filter(pk=unit.pk).exists()
    )
    working = workdays.working_days_between(
        first - dt.timedelta(days=1), last, calendar.extra_holidays, calendar.extra_workdays
    )
    return render(
        request,
        "workcalendar/month.html",
        {
            "unit": unit,
            "units": units,
            "first": first,
            "previous": _shift(first, -1),
            "next": _shift(first, 1),
            "weeks": _grid(first, calendar),
            "weekdays": WEEKDAYS,
            "provisional": not workdays.is_covered(first.year),
            "provisional_reason": workdays.provisional_reason([first.year]),
            "working_days": working.value,
            "local_days": [
                (d, d.pk in deletable) for d in sorted(month_days, key=lambda x: x.date)
            ],
            "calendar": calendar,
            "form": LocalDayForm(unit=unit, initial={"date": first}) if can_add else None,
            "can_add": can_add,
            "can_hours": can_hours,
            "history": selectors.local_day_history(unit) if can_add else [],
            "festivals": [f for f in lunar.festivals(first.year) if first <= f.date <= last],
        },
    )


def _month_url(unit, date: dt.date) -> str:
    return f"{reverse('workcalendar:month')}?unit={unit.pk}&month={date:%Y-%m}"


@login_required
def day_add(request, unit_pk):
    """Add a local holiday or working day to a unit (office)."""
    unit = selectors.units_where(request.user, "add", LocalDay).filter(pk=unit_pk).first()
    if unit is None:
        raise Http404
    form = LocalDayForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.local_day_add(actor=request.user, unit=unit, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("已将%(date)s设为%(kind)s（%(unit)s）")
                % {
                    "date": f"{day.date:%Y-%m-%d}",
                    "kind": day.get_kind_display(),
                    "unit": unit.name,
                },
            )
            return redirect(_month_url(unit, day.date))
    return render(request, "workcalendar/day_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def day_delete(request, pk):
    """Remove a local day (office); the history keeps who removed it."""
    day = get_restricted_or_404(
        LocalDay.objects.select_related("unit"), request.user, "delete", pk=pk
    )
    unit, date = day.unit, day.date
    services.local_day_remove(actor=request.user, local_day=day)
    messages.success(request, _("已删除%(date)s的本单位设置") % {"date": f"{date:%Y-%m-%d}"})
    return redirect(_month_url(unit, date))


@login_required
def hours_edit(request, unit_pk):
    """Set a unit's business hours (office); the subtree inherits them."""
    unit = selectors.units_where(request.user, "change", BusinessHours).filter(pk=unit_pk).first()
    if unit is None:
        raise Http404
    current = BusinessHours.objects.filter(unit=unit).first()
    if current is None:
        effective = selectors.unit_calendar(unit).hours.periods
        current = BusinessHours(
            unit=unit,
            morning_start=effective[0][0],
            morning_end=effective[0][1],
            afternoon_start=effective[-1][0],
            afternoon_end=effective[-1][1],
        )
    form = BusinessHoursForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_hours_set(actor=request.user, unit=unit, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("已保存%(unit)s的办公时间") % {"unit": unit.name})
            return redirect(_month_url(unit, timezone.localdate()))
    return render(request, "workcalendar/hours_form.html", {"form": form, "unit": unit})


@login_required
def month_pdf(request):
    """The month grid as an A4 landscape PDF, with a QR code back to the page."""
    _units, unit, first, last, calendar = _unit_and_month(request)
    params = f"unit={unit.pk}&" if unit else ""
    page_url = request.build_absolute_uri(
        f"{reverse('workcalendar:month')}?{params}month={first:%Y-%m}"
    )
    working = workdays.working_days_between(
        first - dt.timedelta(days=1), last, calendar.extra_holidays, calendar.extra_workdays
    )
    pdf = render_pdf(
        "workcalendar/month_pdf.html",
        {
            "title": _("工作日历"),
            "unit": unit,
            "first": first,
            "weeks": _grid(first, calendar),
            "weekdays": WEEKDAYS,
            "provisional_reason": workdays.provisional_reason([first.year]),
            "working_days": working.value,
            "qr": qr_svg_data_uri(page_url),
        },
        page_size="A4",
        landscape=True,
    )
    return pdf_response(pdf, filename=f"工作日历-{first:%Y-%m}.pdf")
