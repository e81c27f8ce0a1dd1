"""上门服务: only for customers who cannot come (or with a reason), two staff at least,
staff notified, outcome recorded; bad input names the field and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.conftest import make_person
from dangjian.notifications.models import Message
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import HomeService

pytestmark = pytest.mark.django_db


def _service(cast, customer=None, **extra):
    values = {
        "customer": customer or cast.customers.east,
        "kind": HomeService.Kind.LICENCE,
        "request_note": "许可证延续，代为收取材料",
        "scheduled_at": timezone.now() + dt.timedelta(days=1),
    }
    values.update(extra)
    return HomeService(**values)


def _staff(cast):
    courier = make_person("周九", cast.city.east_area, post="送货员")
    return [cast.people.manager, courier]


def test_an_elderly_customer_gets_a_visit_with_two_staff_who_are_notified(cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    service = services.home_service_create(
        actor=cast.manager, service=_service(cast), staff=_staff(cast)
    )
    assert service.status == "scheduled" and service.needs == "高龄"
    assert service.address == cast.customers.east.address
    assert service.staff.count() == 2
    message = Message.objects.get(kind="home_service_assigned")
    assert "上门办证" in message.subject and cast.customers.east.shop_name in message.body


def test_a_customer_without_special_needs_is_refused_unless_a_reason_is_given(cast):
    with pytest.raises(ValidationError) as info:
        services.home_service_create(actor=cast.manager, service=_service(cast), staff=_staff(cast))
    assert "override_reason" in info.value.message_dict
    assert not HomeService.objects.exists()
    service = services.home_service_create(
        actor=cast.manager,
        service=_service(cast, override_reason="店主骨折住院，家属代办"),
        staff=_staff(cast),
    )
    assert service.override_reason


def test_fewer_than_two_staff_are_refused(cast):
    cast.customers.east.disabled = True
    cast.customers.east.save()
    with pytest.raises(ValidationError) as info:
        services.home_service_create(
            actor=cast.manager, service=_service(cast), staff=[cast.people.manager]
        )
    assert "staff" in info.value.message_dict
    # The same person twice is still one.
    with pytest.raises(ValidationError):
        services.home_service_create(
            actor=cast.manager,
            service=_service(cast),
            staff=[cast.people.manager, cast.people.manager],
        )
    assert not HomeService.objects.exists()


def test_a_time_in_the_past_is_refused(cast):
    cast.customers.east.ill = True
    cast.customers.east.save()
    with pytest.raises(ValidationError) as info:
        services.home_service_create(
            actor=cast.manager,
            service=_service(cast, scheduled_at=timezone.now() - dt.timedelta(days=1)),
            staff=_staff(cast),
        )
    assert "scheduled_at" in info.value.message_dict


def test_staff_outside_the_actors_units_are_refused(cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    with pytest.raises(ValidationError) as info:
        services.home_service_create(
            actor=cast.manager,
            service=_service(cast),
            staff=[cast.people.manager, cast.people.west_member],
        )
    assert "staff" in info.value.message_dict


def test_an_outsider_cannot_book_a_visit_for_another_branchs_customer(cast):
    with pytest.raises(ValidationError) as info:
        services.home_service_create(
            actor=cast.outsider,
            service=_service(cast, override_reason="x"),
            staff=[cast.people.west_member, cast.people.outsider],
        )
    assert "customer" in info.value.message_dict


def test_the_outcome_is_recorded_and_closes_the_visit(cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    service = services.home_service_create(
        actor=cast.manager, service=_service(cast), staff=_staff(cast)
    )
    with pytest.raises(ValidationError) as info:
        services.home_service_record(actor=cast.manager, service=service, outcome="absent", note="")
    assert "outcome_note" in info.value.message_dict
    services.home_service_record(actor=cast.manager, service=service, outcome="completed", note="")
    service.refresh_from_db()
    assert service.status == "done" and service.outcome == "completed" and service.done_at
    with pytest.raises(ValidationError):
        services.home_service_cancel(actor=cast.manager, service=service, reason="x")


def test_rescheduling_keeps_two_staff_and_notifies_again(cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    staff = _staff(cast)
    service = services.home_service_create(actor=cast.manager, service=_service(cast), staff=staff)
    later = timezone.now() + dt.timedelta(days=3)
    services.home_service_reschedule(
        actor=cast.manager, service=service, scheduled_at=later, staff=staff
    )
    assert Message.objects.filter(kind="home_service_assigned").count() == 2
    with pytest.raises(ValidationError):
        services.home_service_reschedule(
            actor=cast.manager, service=service, scheduled_at=later, staff=staff[:1]
        )


def test_an_outsider_cannot_cancel(cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    service = services.home_service_create(
        actor=cast.manager, service=_service(cast), staff=_staff(cast)
    )
    with pytest.raises(PermissionDenied):
        services.home_service_cancel(actor=cast.outsider, service=service, reason="x")
