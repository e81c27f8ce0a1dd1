"""Business events: recorded by services, queried by target, verb, actor and time."""

import datetime as dt

from django.utils import timezone

from dangjian.orgs.models import Unit
from dangjian.platform.audit import events, events_for, last_event, record_event
from dangjian.platform.models import AuditEvent


def test_record_event_stores_who_did_what_to_which_record(cast):
    event = record_event(
        actor=cast.office, verb="unit.rename", target=cast.city.east, summary="改名", data={"a": 1}
    )
    assert event.actor == cast.office
    assert (event.target_type, event.target_id) == ("orgs.unit", str(cast.city.east.pk))
    assert event.data == {"a": 1}


def test_events_for_a_target_are_only_that_records_newest_first(cast):
    first = record_event(actor=cast.office, verb="unit.rename", target=cast.city.east)
    record_event(actor=cast.office, verb="unit.rename", target=cast.city.west)
    second = record_event(actor=cast.secretary, verb="unit.move", target=cast.city.east)
    # the branch with the same pk as a unit is another record
    record_event(actor=cast.office, verb="x", target=cast.city.committee)
    assert list(events_for(cast.city.east)) == [second, first]
    assert list(events_for(cast.city.east, verb="unit.move")) == [second]
    assert last_event(cast.city.east) == second
    assert last_event(cast.city.east, verb="unit.rename") == first
    assert last_event(cast.city.east_area) is None


def test_events_by_verb_prefix_actor_and_type(cast):
    a = record_event(actor=cast.office, verb="customer.create", target=cast.customers.east)
    b = record_event(actor=cast.manager, verb="customer.update", target=cast.customers.east)
    c = record_event(actor=cast.manager, verb="unit.rename", target=cast.city.east)
    assert set(events(verb_prefix="customer.")) == {a, b}
    assert set(events(actor=cast.manager)) == {b, c}
    assert set(events(target_type=Unit)) == {c}
    assert set(events(target_type="customers.retailcustomer", actor=cast.office)) == {a}


def test_events_in_a_time_range(cast):
    old = record_event(actor=cast.office, verb="meeting.record", target=cast.city.east)
    new = record_event(actor=cast.office, verb="meeting.record", target=cast.city.east)
    now = timezone.now()
    AuditEvent.objects.filter(pk=old.pk).update(at=now - dt.timedelta(days=40))
    month_ago = now - dt.timedelta(days=30)
    assert list(events(verb="meeting.record", since=month_ago)) == [new]
    assert list(events(verb="meeting.record", until=month_ago)) == [old]
    assert not events(verb="nothing.like.this").exists()


def test_events_survive_a_deleted_actor_and_anonymous_actors(cast):
    event = record_event(actor=None, verb="job.run", target=cast.city.east)
    assert event.actor is None
    assert list(events(verb="job.run")) == [event]
