"""The public booking page (no login): the offer, booking with a one-use token, the
confirmation with its code, cancellation by code, the rate limit."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import OffDayBooking

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def slot(cast, window):
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    roster = services.roster_save(
        actor=cast.office,
        window=window,
        date=day,
        staff=[cast.people.member],
        slots=[(T(9), T(11), 3)],
    )
    return roster.slots.get()


def _form(client, window, slot):
    page = client.get(reverse("outreach:book", args=[window.public_token]) + f"?slot={slot.pk}")
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    return {
        "slot": slot.pk,
        "token": token,
        "name": "刘店主",
        "phone": "13812345678",
        "purpose": "new",
    }


def test_the_page_offers_the_rostered_weekend(client, window, slot):
    body = client.get(reverse("outreach:book", args=[window.public_token])).content.decode()
    assert "09:00–11:00" in body and "余 3 个" in body


def test_an_unknown_window_is_404(client, db):
    assert client.get(reverse("outreach:book", args=["nope"])).status_code == 404


def test_booking_shows_the_code_and_a_replay_is_refused(client, window, slot):
    data = _form(client, window, slot)
    response = client.post(reverse("outreach:book_submit", args=[window.public_token]), data)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    booking = OffDayBooking.objects.get()
    assert booking.code in done and "138****5678" in done
    again = client.post(
        reverse("outreach:book_submit", args=[window.public_token]),
        {**data, "phone": "13800000001"},
    )
    assert again.status_code == 422 and OffDayBooking.objects.count() == 1


def test_a_bad_phone_is_named_and_nothing_saved(client, window, slot):
    data = {**_form(client, window, slot), "phone": "123"}
    response = client.post(reverse("outreach:book_submit", args=[window.public_token]), data)
    assert response.status_code == 422
    assert "手机号码：请填写11位手机号码" in response.content.decode()
    assert not OffDayBooking.objects.exists()


def test_cancel_with_code_and_phone_tail(client, window, slot):
    booking = services.booking_create(slot=slot, name="刘店主", phone="13812345678", purpose="new")
    url = reverse("outreach:book_cancel", args=[window.public_token])
    wrong = client.post(url, {"code": booking.code, "phone_tail": "0000"})
    assert wrong.status_code == 422
    right = client.post(url, {"code": booking.code, "phone_tail": "5678"})
    assert right.status_code == 200 and "已取消" in right.content.decode()
    assert OffDayBooking.objects.get().status == "cancelled"


def test_too_many_bookings_from_one_address_are_refused(client, window, slot):
    url = reverse("outreach:book_submit", args=[window.public_token])
    for i in range(5):
        client.post(url, {**_form(client, window, slot), "phone": f"1380000000{i}"})
    response = client.post(url, {**_form(client, window, slot), "phone": "13800000009"})
    assert response.status_code == 429
