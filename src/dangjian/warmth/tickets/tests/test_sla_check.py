from dangjian.notifications.models import Message
from dangjian.warmth.tickets import services
from dangjian.warmth.tickets.models import Ticket, TicketEvent

from .conftest import at


def test_reminder_before_due_then_escalation_each_sent_once(
    cast, staff, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket()  # complaint: due next Monday 09:00, reminder 7 h before
    assert services.tickets_sla_check(now=at(25, 9)) == {"reminded": 0, "escalated": 0}
    assert services.tickets_sla_check(now=at(27, 9)) == {"reminded": 1, "escalated": 0}
    assert services.tickets_sla_check(now=at(27, 10)) == {"reminded": 0, "escalated": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tickets_sla_check(now=at(30, 10)) == {"reminded": 0, "escalated": 1}
    assert services.tickets_sla_check(now=at(30, 11)) == {"reminded": 0, "escalated": 0}
    ticket.refresh_from_db()
    assert ticket.resolution_reminded and ticket.resolution_escalated
    escalation = ticket.events.get(kind=TicketEvent.Kind.ESCALATED)
    # The manager works in 东湖城区片区: his superior is the leader of 东湖县局 above it.
    assert str(staff.leader) in escalation.text
    assert Message.objects.filter(kind="sla_escalation").count() == 1


def test_superior_is_the_leader_or_office_nearest_above_the_owner(cast, staff, make_ticket):
    ticket = make_ticket()
    assert services.superiors_of(ticket) == [staff.leader]
    ticket = make_ticket(actor=staff.clerk, customer=None, unit=cast.city.east)
    # The clerk's own unit is 东湖县局: above it is the company, where the office sits.
    assert services.superiors_of(ticket) == [cast.office]


def test_a_waiting_ticket_is_not_chased(cast, staff, make_ticket):
    ticket = make_ticket()
    services.ticket_wait(actor=cast.manager, ticket=ticket, note="请补充", now=at(24, 9))
    assert services.tickets_sla_check(now=at(30, 12)) == {"reminded": 0, "escalated": 0}


def test_an_unaccepted_public_ticket_is_chased_from_its_unit(cast, staff, public_ticket):
    ticket = public_ticket()  # first response due Monday 15:00
    assert services.tickets_sla_check(now=at(23, 14, 30)) == {"reminded": 1, "escalated": 0}
    assert services.tickets_sla_check(now=at(23, 15, 30)) == {"reminded": 0, "escalated": 1}
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and ticket.response_escalated


def test_the_management_command_runs_the_check(cast, make_ticket, capsys):
    from django.core.management import call_command

    make_ticket()
    call_command("tickets_sla_check")
    assert "提醒" in capsys.readouterr().out
