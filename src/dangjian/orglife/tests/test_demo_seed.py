"""The demo's year of organisational life: the secretary's month to finish, red elsewhere."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.demo.loader import load_demo
from dangjian.orglife import selectors
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orgs.models import PartyOrg


@pytest.fixture
def demo(db, monkeypatch):
    day = dt.date(2026, 11, 24)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    # Only this module's seeder: the others are tested by their own apps.
    monkeypatch.setattr("dangjian.demo.loader.SEEDERS", ["dangjian.demo.orglife"])
    load_demo(customers=200, people=120, password="Demo-Password-2026")
    return day


def test_the_secretary_branch_has_a_year_and_a_month_to_finish(demo, client):
    branch = PartyOrg.objects.get(code="GZ-DEMO-P-B12")
    held = Meeting.objects.filter(branch=branch, status="held")
    assert held.filter(held_on__month=10).count() >= 3
    assert Attendance.objects.filter(meeting__branch=branch).exists()
    assert held.exclude(minutes="").count() == held.count()
    secretary = User.objects.get(username="secretary")
    calendar = selectors.branch_calendar(secretary, branch, 2026, today=demo)
    months = {c.month: c.status for c in calendar["months"]}
    assert months[10] == "done" and months[11] == "due"
    planned = Meeting.objects.filter(branch=branch, status="planned", planned_on__month=11)
    assert set(planned.values_list("kind", flat=True)) >= {"theme_day"}
    client.force_login(secretary)
    assert client.get(reverse("orglife:branch", args=[branch.pk])).status_code == 200


def test_the_office_sees_some_late_branches(demo):
    office = User.objects.get(username="office")
    branches = list(selectors.visible_branches(office))
    rows = selectors.compliance_rows(office, branches, 2026, today=timezone.localdate())
    late = [r for r in rows if r.cells[9].status in ("late", "missing")]
    assert 0 < len(late) < len(rows)


def test_scale_generator_adds_meetings_for_scale_branches(db):
    from dangjian.demo import scale, scale_orglife

    scale.generate(customers=50, people=300, bureaus=2, log=lambda _m: None)
    counts = scale_orglife.generate(years=2, attendance_years=1)
    assert counts["meetings"] > 0 and counts["attendance"] > 0
    assert Meeting.objects.filter(status="held").exists()
    assert all(url.startswith("/") for _label, _user, url in scale_orglife.BENCH_CASES)
