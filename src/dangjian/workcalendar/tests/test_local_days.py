"""Office manages local days: validation in Chinese, audit, history, scope."""

import datetime as dt

from django.urls import reverse

from dangjian.platform.audit import events_for
from dangjian.workcalendar.models import LocalDay


def add_url(unit):
    return reverse("workcalendar:day_add", args=[unit.pk])


def test_office_adds_a_local_holiday_and_it_is_audited_with_history(cast, login):
    client = login(cast.office)
    response = client.post(
        add_url(cast.city.east),
        {"date": "2026-11-10", "kind": "holiday", "name": "县庆", "note": ""},
    )
    assert response.status_code == 302
    assert "month=2026-11" in response["Location"]
    day = LocalDay.objects.get()
    assert (day.unit, day.date, day.name) == (cast.city.east, dt.date(2026, 11, 10), "县庆")
    assert [e.verb for e in events_for(day)] == ["workcalendar.local_day.add"]
    assert day.history.get().history_user == cast.office


def test_office_removes_it_and_the_history_keeps_the_removal(cast, login):
    day = LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 11, 10), kind="holiday", name="县庆"
    )
    client = login(cast.office)
    response = client.post(reverse("workcalendar:day_delete", args=[day.pk]))
    assert response.status_code == 302
    assert not LocalDay.objects.exists()
    removal = LocalDay.history.filter(id=day.pk).order_by("-history_date").first()
    assert removal.history_type == "-" and removal.history_user == cast.office
    html = client.get(reverse("workcalendar:month"), {"unit": cast.city.east.pk}).content.decode()
    assert "删除" in html and "县庆" in html


def test_a_holiday_on_a_day_that_is_already_off_is_refused_in_chinese(cast, login):
    response = login(cast.office).post(
        add_url(cast.city.east), {"date": "2026-10-01", "kind": "holiday", "name": "国庆"}
    )
    assert response.status_code == 200
    assert "该日本来就不上班" in response.content.decode()
    assert not LocalDay.objects.exists()


def test_a_workday_on_a_normal_working_day_is_refused(cast, login):
    response = login(cast.office).post(
        add_url(cast.city.east), {"date": "2026-11-10", "kind": "workday", "name": "加班"}
    )
    assert "该日本来就是工作日" in response.content.decode()


def test_a_weekend_can_be_made_a_local_working_day(cast, login):
    login(cast.office).post(
        add_url(cast.city.east), {"date": "2026-11-14", "kind": "workday", "name": "集中办证"}
    )
    assert LocalDay.objects.get().kind == "workday"


def test_duplicates_bad_dates_and_missing_fields_get_clear_messages(cast, login):
    LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 11, 10), kind="holiday", name="县庆"
    )
    client = login(cast.office)
    body = client.post(
        add_url(cast.city.east), {"date": "2026-11-10", "kind": "holiday", "name": "又一次"}
    ).content.decode()
    assert "已有设置" in body
    body = client.post(add_url(cast.city.east), {"date": "2026-02-30", "kind": "holiday"})
    body = body.content.decode()
    assert "请输入正确的日期" in body and "此项为必填项" in body
    body = client.post(
        add_url(cast.city.east), {"date": "2062-11-10", "kind": "holiday", "name": "笔误"}
    ).content.decode()
    assert "日期应在" in body
    assert LocalDay.objects.count() == 1


def test_a_local_day_in_an_uncovered_year_is_accepted(cast, login):
    response = login(cast.office).post(
        add_url(cast.city.east), {"date": "2027-03-02", "kind": "holiday", "name": "县庆"}
    )
    assert response.status_code == 302


def test_secretary_and_auditor_may_not_manage_local_days(cast, login):
    day = LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 11, 10), kind="holiday", name="县庆"
    )
    for user in (cast.secretary, cast.auditor):
        client = login(user)
        assert client.get(add_url(cast.city.east)).status_code == 404
        assert client.post(reverse("workcalendar:day_delete", args=[day.pk])).status_code == 404
    assert LocalDay.objects.count() == 1


def test_outsider_cannot_touch_the_other_bureaus_days(cast, login):
    day = LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 11, 10), kind="holiday", name="县庆"
    )
    client = login(cast.outsider)
    assert client.post(add_url(cast.city.east), {"date": "2026-11-11"}).status_code == 404
    assert client.post(reverse("workcalendar:day_delete", args=[day.pk])).status_code == 404
    assert client.get(reverse("workcalendar:day_delete", args=[day.pk])).status_code == 405
