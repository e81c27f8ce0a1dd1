"""Area groups and broadcasts: members added in bulk, one delivery per recipient, a job that
sends them through real HTTP (a local server as SMS gateway and group robot), failures
recorded per channel and retried on the notifications backoff, nothing sent twice."""

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.notifications.models import Notification
from dangjian.platform.crypto import lookup_hash
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import (
    AreaGroupMember,
    AreaGroupOwner,
    Broadcast,
    BroadcastDelivery,
    BroadcastKind,
)
from dangjian.warmth.outreach.tasks import send_due_outreach

pytestmark = pytest.mark.django_db


def _kind(key="weather"):
    return BroadcastKind.objects.get(key=key)


def _send(cast, group, **extra):
    values = {"title": "暴雨预警", "content": "明天有暴雨，请注意防范。"}
    values.update(extra)
    return services.broadcast_send(actor=cast.manager, group=group, kind=_kind(), **values)


def _many_customers(unit, n, *, distinct_phones=False):
    """``n`` customers of ``unit``, fast: names are derived once, and unless each needs its
    own phone number, one number is encrypted once for all of them."""
    template = RetailCustomer(owner_name="王小明", shop_name="东湖便民店", phone="")
    template.derive_fields()
    rows = [
        RetailCustomer(
            licence_no=f"36019{i:07d}",
            shop_name=f"东湖便民店{i}",
            shop_initials=template.shop_initials,
            owner_name="王小明",
            owner_pinyin=template.owner_pinyin,
            owner_initials=template.owner_initials,
            phone=f"137{i:08d}" if distinct_phones else "",
            address="东湖人民路",
            unit=unit,
            business_format="Z",
            market="C",
            size="2",
        )
        for i in range(n)
    ]
    RetailCustomer.objects.bulk_create(rows, batch_size=5000)
    if not distinct_phones:
        RetailCustomer.objects.filter(licence_no__startswith="36019").update(
            phone="13712345678", phone_hash=lookup_hash("13712345678")
        )
    else:
        for row in RetailCustomer.objects.filter(licence_no__startswith="36019"):
            RetailCustomer.objects.filter(pk=row.pk).update(phone_hash=lookup_hash(row.phone))


def test_members_are_added_by_area_and_segment_once(cast, group):
    cast.customers.east.vulnerable = True
    cast.customers.east.save()
    result = services.area_group_members_add(
        actor=cast.manager, group=group, unit=cast.city.east_area
    )
    assert result["added"] == 1 and result["owners"] == 1  # the account manager
    assert (
        services.area_group_members_add(actor=cast.manager, group=group, segment="vulnerable")[
            "added"
        ]
        == 0
    )
    assert AreaGroupMember.objects.filter(group=group).count() == 1
    assert AreaGroupOwner.objects.get(group=group).person == cast.people.manager


def test_only_customers_the_actor_sees_inside_the_groups_unit_are_added(cast, group):
    result = services.area_group_members_add(
        actor=cast.office, group=group, customer_ids=[cast.customers.west.pk]
    )
    assert result["added"] == 0


def test_adding_needs_an_area_a_segment_or_customers(cast, group):
    with pytest.raises(ValidationError) as info:
        services.area_group_members_add(actor=cast.manager, group=group)
    assert "unit" in info.value.message_dict


def test_an_outsider_cannot_change_or_broadcast_to_the_group(cast, group):
    with pytest.raises(PermissionDenied):
        services.area_group_members_add(actor=cast.outsider, group=group, unit=cast.city.east_area)
    with pytest.raises(PermissionDenied):
        _send(cast.__class__(**{**vars(cast), "manager": cast.outsider}), group)


def test_a_group_outside_the_actors_units_is_refused(cast):
    from dangjian.warmth.outreach.models import AreaGroup

    with pytest.raises(ValidationError) as info:
        services.area_group_save(
            actor=cast.manager, group=AreaGroup(name="西山群", unit=cast.city.west_area)
        )
    assert "unit" in info.value.message_dict


def test_a_broadcast_without_title_saves_nothing(cast, group):
    with pytest.raises(ValidationError) as info:
        _send(cast, group, title=" ")
    assert "title" in info.value.message_dict
    assert not Broadcast.objects.exists() and not BroadcastDelivery.objects.exists()


def test_a_broadcast_reaches_members_owners_and_the_robot(cast, group, gateway, capsys):
    group.robot_webhook = gateway.url("/robot")
    group.save()
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    broadcast = _send(cast, group)
    assert broadcast.recipients == 3 and broadcast.job is not None

    counts = services.broadcast_deliver(broadcast_id=broadcast.pk)

    assert counts == {"sent": 3}
    assert gateway.calls == {"/sms": 1, "/robot": 1}
    robot_text = next(b for p, b in gateway.bodies if p == "/robot")["text"]["content"]
    assert "【天气提示】暴雨预警" in robot_text and "东湖县局" in robot_text
    assert Notification.objects.filter(user=cast.manager).count() == 1
    broadcast.refresh_from_db()
    assert broadcast.status == "done"


def test_a_failing_robot_is_logged_and_the_sms_still_go_out(cast, group, gateway):
    group.robot_webhook = gateway.url("/robot-bad")
    group.save()
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    broadcast = _send(cast, group)
    now = timezone.now()
    services.broadcast_deliver(broadcast_id=broadcast.pk, now=now)
    robot = BroadcastDelivery.objects.get(broadcast=broadcast, channel="wecom")
    assert robot.status == "failed" and "93000" in robot.last_error
    assert robot.next_attempt_at == now + dt.timedelta(minutes=1)
    assert BroadcastDelivery.objects.get(broadcast=broadcast, channel="sms").status == "sent"


def test_a_customer_without_a_phone_fails_without_retry(cast, group):
    cast.customers.east.phone = ""
    cast.customers.east.save()
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    broadcast = _send(cast, group)
    services.broadcast_deliver(broadcast_id=broadcast.pk)
    row = BroadcastDelivery.objects.get(broadcast=broadcast, customer=cast.customers.east)
    assert row.status == "failed" and row.last_error == "客户没有手机号码"
    assert row.next_attempt_at is None


def test_a_broadcast_to_50000_customers_with_a_failing_sms_gateway(cast, group, gateway):
    """The brief's edge case: one channel down for a big broadcast."""
    _many_customers(cast.city.east_area, 50_000)
    group.robot_webhook = gateway.url("/robot")
    group.save()
    added = services.area_group_members_add(
        actor=cast.manager, group=group, unit=cast.city.east_area
    )["added"]
    assert added == 50_001
    gateway.sms_down = True
    broadcast = _send(cast, group)
    assert broadcast.recipients == 50_001 + 2  # customers, the manager's inbox, the robot

    now = timezone.now()
    started = time.monotonic()
    counts = services.broadcast_deliver(broadcast_id=broadcast.pk, now=now)
    elapsed = time.monotonic() - started

    assert counts == {"sent": 2, "failed": 50_001}
    sms = BroadcastDelivery.objects.filter(broadcast=broadcast, channel="sms")
    assert sms.filter(status="failed").count() == 50_001
    # Each records the gateway's answer (those after the breaker tripped say so as well).
    assert not sms.exclude(last_error__contains="短信网关返回HTTP 500").exists()
    assert sms.filter(last_error__startswith="本轮暂停发送").count() > 49_000
    # Retried on the notifications backoff (1 minute after the first attempt).
    assert not sms.exclude(next_attempt_at=now + dt.timedelta(minutes=1)).exists()
    # The breaker: the gateway that is down is not called 50 000 times.
    assert gateway.calls["/sms"] < 50
    assert gateway.calls["/robot"] == 1
    assert Notification.objects.filter(user=cast.manager).count() == 1
    assert elapsed < 300  # ~70 s on a quiet 2-core machine; generous for a shared one
    print(f"50 000 deliveries, SMS gateway down: {elapsed:.1f} s")

    # The job delivered twice (a retried task): nothing is sent again.
    assert services.broadcast_deliver(broadcast_id=broadcast.pk, now=now) == {}
    assert gateway.calls["/robot"] == 1


@pytest.mark.django_db(transaction=True)
def test_after_the_gateway_recovers_every_customer_gets_exactly_one_sms(
    cast, group, gateway, settings
):
    settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT = 15  # a slow answer is not a failure here
    _many_customers(cast.city.east_area, 2_000, distinct_phones=True)
    group.robot_webhook = gateway.url("/robot")
    group.save()
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    gateway.sms_down = True
    broadcast = _send(cast, group)
    now = timezone.now()
    services.broadcast_deliver(broadcast_id=broadcast.pk, now=now)
    gateway.sms_down = False

    # Two workers pick up the retries at the same time.
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":  # one writer at a time: run them one after the other
        services.broadcast_deliver(broadcast_id=broadcast.pk, now=now + dt.timedelta(minutes=2))
        services.broadcast_deliver(broadcast_id=broadcast.pk, now=now + dt.timedelta(minutes=2))
    else:
        results = []

        def worker():
            try:
                results.append(
                    services.broadcast_deliver(
                        broadcast_id=broadcast.pk, now=now + dt.timedelta(minutes=2)
                    )
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]

    assert BroadcastDelivery.objects.filter(broadcast=broadcast).exclude(status="sent").count() == 0
    # Every customer got exactly one SMS (the gateway counts the ones it accepted).
    assert len(gateway.phones) == 2_001
    assert set(gateway.phones.values()) == {1}
    assert gateway.calls["/robot"] == 1


def test_the_periodic_task_retries_what_is_due(cast, group, gateway):
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    gateway.sms_down = True
    broadcast = _send(cast, group)
    services.broadcast_deliver(broadcast_id=broadcast.pk)
    gateway.sms_down = False
    BroadcastDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    result = send_due_outreach.call_local()
    assert result["broadcasts"] == {broadcast.pk: {"sent": 1}}


def test_manual_retry_makes_failed_deliveries_due_and_starts_a_job(cast, group, gateway):
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    cast.customers.east.phone = ""
    cast.customers.east.save()
    broadcast = _send(cast, group)
    services.broadcast_deliver(broadcast_id=broadcast.pk)
    assert services.broadcast_retry_failed(actor=cast.manager, broadcast=broadcast) == 1
    broadcast.refresh_from_db()
    assert broadcast.status == "queued"
    row = BroadcastDelivery.objects.get(broadcast=broadcast, customer__isnull=False)
    assert row.status == "pending" and row.attempts == 0


def test_a_kind_template_with_an_unknown_variable_is_refused(cast):
    kind = _kind()
    kind.body = "{{ contnet }}"
    with pytest.raises(ValidationError) as info:
        services.broadcast_kind_update(actor=cast.office, kind=kind)
    assert "contnet" in str(info.value)
