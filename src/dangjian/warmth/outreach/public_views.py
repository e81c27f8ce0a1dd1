"""The public booking page of 非工作日预约: no login, phone first.

Abuse controls from ``platform.public_forms``: a one-use form token (its nonce is stored on
the booking under a unique constraint), a rate limit per client address for bookings and
for cancellation attempts (a code cannot be guessed by trying).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform import public_forms
from dangjian.warmth.window.models import LicenceWindow

from . import selectors, services
from .forms import BookingCancelForm, BookingForm
from .models import DutySlot, OffDayBooking

PURPOSE = "outreach.booking"
CANCEL_PURPOSE = "outreach.booking_cancel"
RATE_LIMIT, RATE_WINDOW = 5, 3600  # bookings per address per hour
CANCEL_LIMIT, CANCEL_WINDOW = 10, 3600
SESSION_KEY = "outreach_booked"


def _window(token: str) -> LicenceWindow:
    window = (
        LicenceWindow.objects.select_related("unit")
        .filter(public_token=token, is_active=True)
        .first()
    )
    if window is None:
        raise Http404
    return window


def _page(request, window, *, form=None, chosen=None, status=200, limited=False):
    days = selectors.bookable_days(window)
    if form is None and chosen is not None:
        form = BookingForm(
            initial={
                "slot": chosen.pk,
                "token": public_forms.issue_form_token(PURPOSE, window.pk),
            }
        )
    return render(
        request,
        "outreach/public_book.html",
        {
            "window": window,
            "days": days,
            "form": form,
            "chosen": chosen,
            "limited": limited,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _slot_of(window, value) -> DutySlot | None:
    if not str(value or "").isdigit():
        return None
    return (
        DutySlot.objects.select_related("roster")
        .filter(pk=int(value), roster__window=window)
        .first()
    )


def book(request, token):
    """The days and slots on offer; ``?slot=`` opens the form for one slot."""
    window = _window(token)
    chosen = _slot_of(window, request.GET.get("slot"))
    return _page(request, window, chosen=chosen)


@require_POST
def book_submit(request, token):
    window = _window(token)
    if public_forms.over_rate_limit(request, PURPOSE, limit=RATE_LIMIT, window=RATE_WINDOW):
        return _page(request, window, status=429, limited=True)
    form = BookingForm(request.POST)
    chosen = _slot_of(window, request.POST.get("slot"))
    if form.is_valid() and chosen is None:
        form.add_error(None, _("请选择预约时段"))
    if form.is_valid():
        try:
            nonce = public_forms.read_form_token(form.cleaned_data["token"], PURPOSE, window.pk)
        except public_forms.TokenInvalid:
            form.add_error(None, _("表单已过期或无效，请重新选择时段后填写"))
        else:
            data = form.cleaned_data
            try:
                booking = services.booking_create(
                    slot=chosen,
                    name=data["name"],
                    phone=data["phone"],
                    licence_no=data["licence_no"],
                    purpose=data["purpose"],
                    note=data["note"],
                    nonce=nonce,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                request.session[SESSION_KEY] = booking.pk
                return redirect("outreach:book_done", token=token)
    data = form.data.copy()
    data["token"] = public_forms.issue_form_token(PURPOSE, window.pk)
    form.data = data
    return _page(request, window, form=form, chosen=chosen, status=422)


def book_done(request, token):
    window = _window(token)
    pk = request.session.get(SESSION_KEY)
    booking = (
        OffDayBooking.objects.select_related("slot__roster")
        .filter(pk=pk, slot__roster__window=window)
        .first()
        if pk
        else None
    )
    if booking is None:
        return redirect("outreach:book", token=token)
    return render(request, "outreach/public_done.html", {"window": window, "booking": booking})


def book_cancel(request, token):
    window = _window(token)
    form = BookingCancelForm(request.POST or None)
    cancelled = None
    status = 200
    if request.method == "POST":
        if public_forms.over_rate_limit(
            request, CANCEL_PURPOSE, limit=CANCEL_LIMIT, window=CANCEL_WINDOW
        ):
            form.add_error(None, _("尝试次数过多，请一小时后再试或致电窗口"))
            status = 429
        elif form.is_valid():
            booking = services.booking_find(
                window=window,
                code=form.cleaned_data["code"],
                phone_tail=form.cleaned_data["phone_tail"],
            )
            if booking is None:
                form.add_error(None, _("预约码或手机号后四位不正确"))
                status = 422
            else:
                try:
                    cancelled = services.booking_cancel(booking=booking)
                except ValidationError as exc:
                    form.add_error(None, "；".join(exc.messages))
                    status = 422
        else:
            status = 422
    return render(
        request,
        "outreach/public_cancel.html",
        {"window": window, "form": form, "cancelled": cancelled},
        status=status,
    )
