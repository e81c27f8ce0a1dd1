"""非工作日预约: the roster only on non-working days, bookings only on days the official
calendar marks non-working AND the roster covers — an adjusted working day (调休) refused —,
capacity per slot, a code to cancel, the reminder the day before, duty staff notified."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.notifications.models import Message
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import BookingMessage, DutyRoster, DutySlot, OffDayBooking
from dangjian.workcalendar.models import LocalDay

pytestmark = pytest.mark.django_db
T = dt.time


def _next_saturday(after=None):
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    return day


def _roster(cast, window, day=None, capacity=2):
    return services.roster_save(
        actor=cast.office,
        window=window,
        date=day or _next_saturday(),
        staff=[cast.people.member],
        slots=[(T(9), T(11), capacity), (T(14), T(16), 5)],
    )


def _book(slot, phone="13812345678", **extra):
    values = {"name": "刘店主", "phone": phone, "purpose": "renewal"}
    values.update(extra)
    return services.booking_create(slot=slot, **values)


def test_a_customer_books_a_weekend_slot_and_gets_a_confirmation_code(cast, window, capsys):
    roster = _roster(cast, window)
    slot = roster.slots.get(starts_at=T(9))
    booking = _book(slot, licence_no="360101000001")
    assert len(booking.code) == 8 and booking.customer == cast.customers.east
    assert BookingMessage.objects.get(booking=booking).kind == "confirmation"
    services.booking_messages_send_due()
    out = capsys.readouterr().out
    assert booking.code in out and "预约成功" in out
    # The duty staff are told.
    assert Message.objects.filter(kind="offday_booking").exists()


def test_a_booking_on_an_adjusted_working_day_is_refused(cast, window):
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休). A
    # roster row there (set before the calendar was known) must not make it bookable.
    roster = DutyRoster.objects.create(window=window, date=dt.date(2026, 10, 10))
    slot = DutySlot.objects.create(roster=roster, starts_at=T(9), ends_at=T(11), capacity=5)
    before = timezone.make_aware(dt.datetime(2026, 10, 1, 10, 0))
    with pytest.raises(ValidationError) as info:
        _book(slot, now=before)
    assert "调休" in info.value.message_dict["slot"][0]
    assert not OffDayBooking.objects.exists()


def test_the_roster_cannot_be_set_on_an_adjusted_working_day_or_a_working_day(cast, window):
    with pytest.raises(ValidationError) as info:
        _roster(cast, window, day=dt.date(2026, 10, 10))
    assert "调休" in " ".join(info.value.message_dict["date"])
    monday = _next_saturday() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as info:
        _roster(cast, window, day=monday)
    assert "工作日" in " ".join(info.value.message_dict["date"])
    assert not DutyRoster.objects.exists()


def test_a_local_holiday_of_the_unit_can_have_a_roster(cast, window):
    monday = _next_saturday() + dt.timedelta(days=2)
    LocalDay.objects.create(unit=cast.city.east, date=monday, name="东湖县庆", kind="holiday")
    assert _roster(cast, window, day=monday).date == monday


def test_a_full_slot_refuses_the_next_booking(cast, window):
    slot = _roster(cast, window, capacity=2).slots.get(starts_at=T(9))
    _book(slot, phone="13800000001")
    _book(slot, phone="13800000002")
    with pytest.raises(ValidationError) as info:
        _book(slot, phone="13800000003")
    assert "约满" in info.value.message_dict["slot"][0]


def test_the_same_phone_cannot_book_twice_on_one_day(cast, window):
    roster = _roster(cast, window)
    _book(roster.slots.get(starts_at=T(9)))
    with pytest.raises(ValidationError) as info:
        _book(roster.slots.get(starts_at=T(14)))
    assert "phone" in info.value.message_dict


def test_bad_input_names_the_field_and_saves_nothing(cast, window):
    slot = _roster(cast, window).slots.first()
    with pytest.raises(ValidationError) as info:
        _book(slot, name=" ", phone="12345", licence_no="abc", purpose="x")
    assert set(info.value.message_dict) == {"name", "phone", "licence_no", "purpose"}
    assert not OffDayBooking.objects.exists()


def test_a_replayed_form_is_refused(cast, window):
    slot = _roster(cast, window).slots.first()
    _book(slot, nonce="n-1")
    with pytest.raises(ValidationError):
        _book(slot, phone="13800000009", nonce="n-1")
    assert OffDayBooking.objects.count() == 1


def test_cancel_by_code_and_phone_tail_frees_the_place(cast, window):
    slot = _roster(cast, window, capacity=1).slots.get(starts_at=T(9))
    booking = _book(slot)
    assert services.booking_find(window=window, code=booking.code, phone_tail="0000") is None
    found = services.booking_find(window=window, code=booking.code.lower(), phone_tail="5678")
    services.booking_cancel(booking=found)
    assert OffDayBooking.objects.get().status == "cancelled"
    _book(slot, phone="13800000005")  # the place is free again
    with pytest.raises(ValidationError):
        services.booking_cancel(booking=OffDayBooking.objects.get(pk=booking.pk))


def test_the_reminder_goes_out_the_day_before_once(cast, window, gateway):
    day = _next_saturday()
    slot = _roster(cast, window, day=day).slots.first()
    booking = _book(slot)
    assert services.booking_reminders_schedule(today=day - dt.timedelta(days=2)) == 0
    assert services.booking_reminders_schedule(today=day - dt.timedelta(days=1)) == 1
    assert services.booking_reminders_schedule(today=day - dt.timedelta(days=1)) == 0
    services.booking_messages_send_due()
    texts = [b["text"] for p, b in gateway.bodies if p == "/sms"]
    assert any("明天" in t and booking.code in t for t in texts)


def test_slots_with_bookings_cannot_be_removed_or_shrunk(cast, window):
    roster = _roster(cast, window)
    _book(roster.slots.get(starts_at=T(9)))
    with pytest.raises(ValidationError):
        services.roster_save(
            actor=cast.office,
            window=window,
            date=roster.date,
            staff=[cast.people.member],
            slots=[(T(14), T(16), 5)],
        )
    with pytest.raises(ValidationError):
        services.roster_delete(actor=cast.office, roster=roster)


def test_duty_staff_mark_attendance(cast, window):
    roster = _roster(cast, window)
    booking = _book(roster.slots.first())
    services.booking_mark(actor=cast.member, booking=booking, status="attended")
    assert OffDayBooking.objects.get().status == "attended"


def test_an_outsider_cannot_edit_the_roster(cast, window):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.roster_save(
            actor=cast.outsider,
            window=window,
            date=_next_saturday(),
            staff=[cast.people.member],
            slots=[(T(9), T(11), 2)],
        )


def test_the_public_offer_lists_only_non_working_days_covered_by_the_roster(cast, window):
    from dangjian.warmth.outreach.selectors import bookable_days

    saturday = _next_saturday()
    _roster(cast, window, day=saturday)
    days = bookable_days(window)
    assert [d["date"] for d in days] == [saturday]
    assert [s.left for s in days[0]["slots"]] == [2, 5]
