"""Greetings: written by the daily task for the right customers on the right day (a lunar
birthday with a fixed date), once per occasion and year, opt-outs respected, sent through
the SMS gateway (a real local HTTP server) or the console."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.conftest import make_customer
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import Greeting, GreetingOccasion
from dangjian.warmth.outreach.tasks import schedule_greetings

pytestmark = pytest.mark.django_db
D = dt.date


def _customer(cast, licence, birthday, *, lunar, **extra):
    return make_customer(
        licence,
        cast.city.east_area,
        birthday=birthday,
        birthday_is_lunar=lunar,
        owner_name=extra.pop("owner_name", "刘大妈"),
        **extra,
    )


def _greeted(day):
    services.greetings_schedule(on=day)
    return set(
        Greeting.objects.filter(on_date=day, occasion__key="birthday").values_list(
            "customer__licence_no", flat=True
        )
    )


def test_a_lunar_birthday_greeting_goes_out_on_the_right_day(cast, gateway, settings):
    # Born 农历十月十六 (stored as the lunar month and day): in 2026 that is 24 November.
    _customer(cast, "360101000101", D(1962, 10, 16), lunar=True, phone="13911112222")
    # A solar 16 October birthday is not greeted on 24 November.
    _customer(cast, "360101000102", D(1962, 10, 16), lunar=False, phone="13911113333")

    assert _greeted(D(2026, 11, 23)) == set()
    assert _greeted(D(2026, 11, 24)) == {"360101000101"}
    assert _greeted(D(2026, 10, 16)) == {"360101000102"}

    services.greetings_send_due()
    greeting = Greeting.objects.get(customer__licence_no="360101000101")
    assert greeting.status == "sent" and greeting.year == 2026
    assert gateway.phones["13911112222"] == 1
    path, body = next(b for b in gateway.bodies if b[1].get("phone") == "13911112222")
    assert "刘大妈，祝您生日快乐" in body["text"] and "东湖县局" in body["text"]


def test_a_leap_month_birthday_is_greeted_once_in_the_ordinary_month(cast):
    _customer(cast, "360101000103", D(1970, 6, 10), lunar=True)
    assert _greeted(D(2025, 7, 4)) == {"360101000103"}  # 六月初十
    assert _greeted(D(2025, 8, 3)) == set()  # 闰六月初十
    assert Greeting.objects.count() == 1


def test_a_30th_birthday_is_greeted_on_the_29th_of_a_short_month(cast):
    _customer(cast, "360101000104", D(1965, 4, 30), lunar=True)
    assert _greeted(D(2026, 6, 14)) == {"360101000104"}  # 农历四月廿九, 四月 has no 三十


def test_a_29_february_birthday_is_greeted_on_28_february(cast):
    _customer(cast, "360101000105", D(1968, 2, 29), lunar=False)
    assert _greeted(D(2026, 2, 28)) == {"360101000105"}


def test_each_greeting_is_written_once_per_customer_occasion_and_year(cast):
    _customer(cast, "360101000106", D(1980, 3, 5), lunar=False)
    assert services.greetings_schedule(on=D(2026, 3, 5)) == {"birthday": 1}
    assert services.greetings_schedule(on=D(2026, 3, 5)) == {}
    assert services.greetings_schedule(on=D(2027, 3, 5)) == {"birthday": 1}
    assert Greeting.objects.count() == 2


def test_festivals_greet_every_customer_with_a_phone_on_the_real_date(cast):
    make_customer("360101000107", cast.city.east_area, phone="")
    counts = services.greetings_schedule(on=D(2026, 9, 25))  # 中秋节 2026
    assert counts == {"zhongqiu": 3}  # the cast's three customers; the one without a phone not
    assert services.greetings_schedule(on=D(2026, 9, 24)) == {}


def test_customers_who_opted_out_are_not_greeted(cast):
    services.greeting_opt_out(actor=cast.manager, customer=cast.customers.east, reason="不需要")
    counts = services.greetings_schedule(on=D(2026, 2, 17))  # 春节
    assert counts == {"chunjie": 2}
    assert not Greeting.objects.filter(customer=cast.customers.east).exists()


def test_opting_out_withdraws_greetings_not_yet_sent(cast):
    services.greetings_schedule(on=D(2026, 2, 17))
    services.greeting_opt_out(actor=cast.manager, customer=cast.customers.east)
    assert not Greeting.objects.filter(customer=cast.customers.east).exists()
    services.greeting_opt_in(actor=cast.manager, customer=cast.customers.east)
    assert services.greetings_schedule(on=D(2026, 2, 17)) == {"chunjie": 1}


def test_an_outsider_cannot_opt_out_another_branchs_customer(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.greeting_opt_out(actor=cast.outsider, customer=cast.customers.east)


def test_a_disabled_occasion_sends_nothing(cast):
    GreetingOccasion.objects.filter(key="zhongqiu").update(is_active=False)
    assert services.greetings_schedule(on=D(2026, 9, 25)) == {}


def test_greetings_go_to_the_console_without_an_sms_gateway(cast, capsys):
    services.greetings_schedule(on=D(2026, 10, 1))  # 国庆节
    counts = services.greetings_send_due()
    assert counts == {"sent": 3}
    assert "值此国庆节之际" in capsys.readouterr().out
    assert set(Greeting.objects.values_list("channel", flat=True)) == {"console"}


def test_a_failing_gateway_marks_greetings_failed_for_retry(cast, gateway):
    gateway.sms_down = True
    services.greetings_schedule(on=D(2026, 10, 1))
    now = timezone.now()
    services.greetings_send_due(now=now)
    rows = list(Greeting.objects.all())
    assert {g.status for g in rows} == {"failed"}
    assert all("500" in g.last_error for g in rows)
    assert all(g.next_attempt_at == now + dt.timedelta(minutes=1) for g in rows)
    gateway.sms_down = False
    services.greetings_send_due(now=now + dt.timedelta(minutes=2))
    assert {g.status for g in Greeting.objects.all()} == {"sent"}
    assert all(n == 1 for n in gateway.phones.values()) is False  # 3 customers share one number
    assert gateway.calls["/sms"] == 6


def test_the_daily_task_schedules_and_sends_todays_greetings(cast, capsys):
    today = timezone.localdate()
    make_customer(
        "360101000108",
        cast.city.east_area,
        birthday=today.replace(year=1975)
        if (today.month, today.day) != (2, 29)
        else D(1976, 2, 29),
    )
    result = schedule_greetings.call_local()
    assert result.get("birthday", 0) >= 1
    assert Greeting.objects.filter(customer__licence_no="360101000108", status="sent").exists()


def test_a_template_with_an_unknown_variable_is_refused(cast):
    occasion = GreetingOccasion.objects.get(key="birthday")
    occasion.body = "{{ nmae }}，生日快乐"
    with pytest.raises(ValidationError) as info:
        services.greeting_occasion_update(actor=cast.office, occasion=occasion)
    assert "nmae" in str(info.value)
    assert GreetingOccasion.objects.get(key="birthday").body != "{{ nmae }}，生日快乐"


def test_an_edited_template_is_used_for_the_next_greetings(cast, capsys):
    occasion = GreetingOccasion.objects.get(key="guoqing")
    occasion.body = "{{ name }}：国庆快乐！{{ unit }}"
    services.greeting_occasion_update(actor=cast.office, occasion=occasion)
    services.greetings_schedule(on=D(2026, 10, 1))
    services.greetings_send_due()
    assert "王小明：国庆快乐！东湖县局" in capsys.readouterr().out
