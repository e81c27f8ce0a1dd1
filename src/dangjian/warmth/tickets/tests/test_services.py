import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.warmth.tickets import services
from dangjian.warmth.tickets.models import Ticket, TicketEvent

from .conftest import at


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def test_staff_who_receives_a_ticket_owns_it_and_has_responded(cast, make_ticket):
    ticket = make_ticket()
    assert ticket.owner == cast.manager
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.unit == cast.customers.east.unit
    assert ticket.response_met is True
    assert kinds(ticket) == ["created", "accepted"]
    assert ticket.contact_phone_hash and ticket.contact_phone == "13900000000"


def test_due_times_are_business_hours_on_the_work_calendar(make_ticket):
    # Monday 09:00 + 4 business hours (08:30–12:00, 14:00–17:30) = 15:00; 35 h = 5 days.
    ticket = make_ticket()
    assert ticket.first_response_due == at(23, 15)
    assert ticket.resolution_due == at(30, 9)


def test_a_public_ticket_waits_for_the_first_staff_member_who_accepts_it(
    cast, staff, public_ticket
):
    ticket = public_ticket()
    assert ticket.status == Ticket.Status.NEW and ticket.owner is None
    services.ticket_accept(actor=staff.clerk, ticket=ticket, now=at(23, 10))
    ticket.refresh_from_db()
    assert ticket.owner == staff.clerk
    assert ticket.first_response_seconds == 3600 and ticket.response_met
    with pytest.raises(ValidationError, match="已由他人受理"):
        services.ticket_accept(actor=cast.office, ticket=ticket)


def test_outsider_cannot_accept_another_bureaus_ticket(cast, public_ticket):
    with pytest.raises(PermissionDenied):
        services.ticket_accept(actor=cast.outsider, ticket=public_ticket())


def test_owner_stays_owner_after_a_transfer_and_the_handler_works_it(cast, staff, make_ticket):
    ticket = make_ticket()
    services.ticket_transfer(
        actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="涉及专卖"
    )
    ticket.refresh_from_db()
    assert ticket.owner == cast.manager and ticket.handler == staff.inspector
    assert ticket.handler_unit == cast.city.east
    services.ticket_resolve(actor=staff.inspector, ticket=ticket, resolution="已协调补货")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    with pytest.raises(PermissionDenied, match="首问负责人"):
        services.ticket_close(actor=staff.inspector, ticket=ticket)
    services.ticket_close(actor=cast.manager, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and ticket.rating_code


def test_a_transfer_back_to_a_previous_handler_is_a_loop(cast, staff, make_ticket):
    ticket = make_ticket()
    services.ticket_transfer(actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="A→B")
    services.ticket_transfer(actor=staff.inspector, ticket=ticket, to_user=staff.clerk, note="B→C")
    with pytest.raises(ValidationError, match="循环") as info:
        services.ticket_transfer(
            actor=staff.clerk, ticket=ticket, to_user=staff.inspector, note="C→B"
        )
    assert "to_user" in info.value.message_dict
    ticket.refresh_from_db()
    assert ticket.handler == staff.clerk and ticket.transfer_count == 2


def test_a_transfer_to_the_owner_is_refused_in_favour_of_returning(cast, staff, make_ticket):
    ticket = make_ticket()
    services.ticket_transfer(actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="x")
    with pytest.raises(ValidationError, match="退回首问负责人"):
        services.ticket_transfer(
            actor=staff.inspector, ticket=ticket, to_user=cast.manager, note="y"
        )
    services.ticket_return(actor=staff.inspector, ticket=ticket, note="不属于专卖")
    ticket.refresh_from_db()
    assert ticket.handler is None
    # Returned: the inspector held it and passed it back — he cannot get it again.
    with pytest.raises(ValidationError, match="循环"):
        services.ticket_transfer(
            actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="z"
        )


def test_more_transfers_than_the_policy_allows_are_refused(cast, staff, make_ticket, settings):
    from dangjian.warmth.tickets.models import SlaPolicy

    SlaPolicy.objects.filter(kind="complaint").update(max_transfers=2)
    ticket = make_ticket()
    services.ticket_transfer(actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="1")
    services.ticket_transfer(actor=staff.inspector, ticket=ticket, to_user=staff.clerk, note="2")
    with pytest.raises(ValidationError, match="达到上限"):
        services.ticket_transfer(actor=staff.clerk, ticket=ticket, to_user=staff.third, note="3")


def test_waiting_for_the_customer_pauses_the_clock(cast, make_ticket):
    ticket = make_ticket()
    services.ticket_wait(actor=cast.manager, ticket=ticket, note="请提供订货记录", now=at(24, 9))
    services.ticket_resume(actor=cast.manager, ticket=ticket, note="已提供", now=at(25, 9))
    ticket.refresh_from_db()
    assert ticket.paused_seconds == 7 * 3600
    assert ticket.resolution_due == at(1, 9, month=12)  # moved on by one working day
    services.ticket_close(actor=cast.manager, ticket=ticket, resolution="已补货", now=at(30, 15))
    ticket.refresh_from_db()
    # Monday 09:00 → next Monday 15:00 is 39 business hours, 7 of them paused.
    assert ticket.resolution_seconds == 32 * 3600
    assert ticket.resolution_met is True


def test_the_public_tracking_page_resumes_a_waiting_ticket(cast, make_ticket):
    ticket = make_ticket()
    services.ticket_wait(actor=cast.manager, ticket=ticket, note="请拍照", now=at(24, 9))
    services.ticket_supplement(ticket=ticket, text="照片已上传", now=at(24, 14))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.paused_seconds == 3 * 3600
    with pytest.raises(ValidationError, match="不需要补充"):
        services.ticket_supplement(ticket=ticket, text="再补充")


def test_merge_points_the_duplicate_to_the_survivor_and_both_timelines_show_it(cast, make_ticket):
    first = make_ticket()
    second = make_ticket(subject="同一问题再次反映")
    third = make_ticket(subject="第三次")
    services.ticket_merge(actor=cast.manager, ticket=third, into=second)
    services.ticket_merge(actor=cast.manager, ticket=second, into=first, note="同一客户")
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Ticket.Status.MERGED and second.merged_into == first
    assert third.merged_into == first  # chains are flattened
    assert first.events.filter(kind=TicketEvent.Kind.MERGED, other=second).exists()
    with pytest.raises(ValidationError, match="自身"):
        services.ticket_merge(actor=cast.manager, ticket=first, into=first)
    with pytest.raises(ValidationError, match="已合并"):
        services.ticket_merge(actor=cast.manager, ticket=make_ticket(), into=second)


def test_rating_link_is_used_once(cast, make_ticket):
    ticket = make_ticket()
    services.ticket_close(actor=cast.manager, ticket=ticket, resolution="已解决")
    ticket.refresh_from_db()
    code = ticket.rating_code
    with pytest.raises(ValidationError) as info:
        services.ticket_rate(code=code, rating=9)
    assert "rating" in info.value.message_dict
    services.ticket_rate(code=code, rating=5, comment="很及时")
    ticket.refresh_from_db()
    assert ticket.rating == 5 and ticket.rating_code is None
    with pytest.raises(PermissionDenied):
        services.ticket_rate(code=code, rating=1)


def test_bad_input_names_the_field_and_saves_nothing(cast, category):
    with pytest.raises(ValidationError) as info:
        services.ticket_create(
            kind="nonsense",
            category=category,
            unit=cast.city.east,
            contact_name="",
            contact_phone="12ab",
            subject="x" * 101,
            text="",
        )
    fields = set(info.value.message_dict)
    assert {"kind", "contact_name", "contact_phone", "subject", "text"} <= fields
    assert Ticket.objects.count() == 0


def test_attachments_are_checked_before_anything_is_saved(cast, make_ticket):
    bad = SimpleUploadedFile("virus.exe", b"MZ")
    with pytest.raises(ValidationError, match="类型不支持"):
        make_ticket(uploads=[bad])
    assert Ticket.objects.count() == 0
    good = SimpleUploadedFile("photo.png", b"\x89PNG")
    ticket = make_ticket(uploads=[good])
    assert ticket.attachments.count() == 1


def test_staff_cannot_register_in_a_unit_outside_their_grants(cast, make_ticket):
    with pytest.raises(ValidationError) as info:
        make_ticket(actor=cast.outsider, customer=None, unit=cast.city.east)
    assert "unit" in info.value.message_dict


def test_sla_hours_edit_needs_the_office(cast):
    from dangjian.warmth.tickets.models import SlaPolicy

    policy = SlaPolicy.objects.first()
    with pytest.raises(PermissionDenied):
        services.sla_policy_save(actor=cast.manager, policy=policy)
    policy.resolution_hours = 10
    services.sla_policy_save(actor=cast.office, policy=policy)


def test_the_clock_runs_on_an_adjusted_working_saturday(cast, make_ticket):
    # Friday 2026-10-09 16:00; Saturday 10-10 is a 调休 working day after National Day.
    ticket = make_ticket(kind="inquiry", priority="urgent", now=at(9, 16, month=10))
    assert ticket.first_response_due == at(9, 17, month=10)
    # 4 h resolution: 1.5 h on Friday, 2.5 h on the adjusted Saturday → 11:00.
    assert ticket.resolution_due == at(10, 11, month=10)


def test_the_clock_stops_over_a_statutory_holiday(cast, make_ticket):
    # Wednesday 2026-09-30 16:00; 10-01 to 10-07 is the National Day holiday.
    ticket = make_ticket(kind="inquiry", priority="urgent", now=at(30, 16, month=9))
    # 4 h: 1.5 h on 09-30, then nothing until Thursday 10-08 → 11:00.
    assert ticket.resolution_due == at(8, 11, month=10)
    assert dt.timedelta(0) < ticket.resolution_due - ticket.created_at
