"""Business hours per unit: defaults, validation, inheritance, scope."""

import datetime as dt

from django.urls import reverse

from dangjian.platform.audit import events
from dangjian.workcalendar.models import BusinessHours


def url(unit):
    return reverse("workcalendar:hours_edit", args=[unit.pk])


def test_the_form_starts_from_the_default_hours(cast, login):
    html = login(cast.office).get(url(cast.city.east)).content.decode()
    assert 'value="08:30"' in html and 'value="17:30"' in html


def test_office_sets_summer_hours_and_the_market_area_inherits_them(cast, login):
    client = login(cast.office)
    response = client.post(
        url(cast.city.east),
        {
            "morning_start": "08:00",
            "morning_end": "12:00",
            "afternoon_start": "15:00",
            "afternoon_end": "18:00",
        },
    )
    assert response.status_code == 302
    row = BusinessHours.objects.get(unit=cast.city.east)
    assert row.afternoon_start == dt.time(15, 0)
    assert events(verb="workcalendar.hours.set").count() == 1
    html = client.get(reverse("workcalendar:month"), {"unit": cast.city.east_area.pk})
    assert "15:00–18:00" in html.content.decode() and "东湖县局设定" in html.content.decode()


def test_hours_out_of_order_are_refused_in_chinese(cast, login):
    response = login(cast.office).post(
        url(cast.city.east),
        {
            "morning_start": "12:00",
            "morning_end": "08:00",
            "afternoon_start": "14:00",
            "afternoon_end": "17:30",
        },
    )
    assert response.status_code == 200
    assert "办公时间须依次为" in response.content.decode()
    assert not BusinessHours.objects.exists()


def test_garbage_time_gets_a_chinese_message(cast, login):
    response = login(cast.office).post(url(cast.city.east), {"morning_start": "8点半"})
    assert "请输入正确的时间" in response.content.decode()


def test_only_the_office_sets_hours_and_the_outsider_gets_404(cast, login):
    assert login(cast.secretary).get(url(cast.city.east)).status_code == 404
    assert login(cast.outsider).get(url(cast.city.east)).status_code == 404
