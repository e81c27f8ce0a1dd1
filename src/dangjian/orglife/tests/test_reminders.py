"""Reminders before a meeting falls due, escalation to the superiors when late, sent once."""

import datetime as dt

import pytest

from dangjian.notifications.models import Message
from dangjian.orglife import services
from dangjian.orglife.models import ComplianceReminder

from .factories import held_meeting


@pytest.fixture(autouse=True)
def _no_dispatch(settings):
    settings.DANGJIAN_NOTIFY_DISPATCH = "none"


def test_the_secretary_is_reminded_before_the_month_ends_and_only_once(cast):
    east = cast.city.east_branch
    held_meeting(cast.secretary, east, "committee_meeting", dt.date(2026, 11, 3))
    services.compliance_reminders_send(today=dt.date(2026, 11, 24), days_before=7)
    reminders = ComplianceReminder.objects.filter(branch=east, stage="reminder")
    kinds = set(reminders.values_list("kind", flat=True))
    # Committee meeting held this month: no reminder for it; group meeting and theme day due.
    assert "committee_meeting" not in kinds
    assert {"group_meeting", "theme_day"} <= kinds
    sent = Message.objects.filter(kind="notice").count()
    # One secretary per branch (东湖 and 西山 each have one).
    assert sent == ComplianceReminder.objects.filter(stage="reminder").count()
    services.compliance_reminders_send(today=dt.date(2026, 11, 25), days_before=7)
    assert Message.objects.filter(kind="notice").count() == sent


def test_no_reminder_long_before_the_due_date(cast):
    services.compliance_reminders_send(today=dt.date(2026, 11, 2), days_before=7)
    assert not ComplianceReminder.objects.filter(stage="reminder", kind="theme_day").exists()


def test_a_late_branch_is_escalated_to_the_office_once(cast):
    east = cast.city.east_branch
    held_meeting(cast.secretary, east, "theme_day", dt.date(2026, 10, 20))
    counts = services.compliance_reminders_send(today=dt.date(2026, 11, 2), days_before=7)
    assert counts["escalations"] > 0
    escalated = set(
        ComplianceReminder.objects.filter(branch=east, stage="escalation").values_list(
            "kind", "period_start"
        )
    )
    assert ("committee_meeting", dt.date(2026, 10, 1)) in escalated
    assert ("theme_day", dt.date(2026, 10, 1)) not in escalated  # held in October
    overdue = Message.objects.filter(kind="task_overdue")
    assert overdue.exists()
    assert all(m.deliveries.filter(user=cast.office).exists() for m in overdue)
    # The branch's own secretary is not his own superior; the outsider is not above 东湖.
    assert not overdue.filter(deliveries__user__in=[cast.secretary, cast.outsider]).exists()
    before = overdue.count()
    services.compliance_reminders_send(today=dt.date(2026, 11, 3), days_before=7)
    assert Message.objects.filter(kind="task_overdue").count() == before


def test_the_periodic_task_calls_the_service(cast):
    from dangjian.orglife.tasks import send_compliance_reminders

    result = send_compliance_reminders.call_local()
    assert set(result) == {"reminders", "escalations"}
