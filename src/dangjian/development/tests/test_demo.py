"""The demo seeder: a case at every stage in the secretary's branch, quiet branches."""

import random
import time

import pytest

from dangjian.demo import development, loader
from dangjian.development import selectors
from dangjian.development.models import DevelopmentCase, Stage
from dangjian.people.models import Membership


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setattr(loader, "SEEDERS", [])
    loader.load_demo(customers=200, people=400)
    started = time.monotonic()
    development.seed(random.Random(2028))
    return time.monotonic() - started


def test_demo_pipeline_has_every_stage_in_the_secretarys_branch(demo):
    _c, _p, branch, _a = loader._demo_nodes()
    stages = set(DevelopmentCase.objects.filter(branch=branch).values_list("stage", flat=True))
    assert {
        Stage.APPLICANT,
        Stage.ACTIVIST,
        Stage.CANDIDATE,
        Stage.PROBATIONARY,
        Stage.FULL,
    } <= stages
    completed = DevelopmentCase.objects.filter(branch=branch, stage=Stage.FULL).first()
    assert Membership.objects.get(person=completed.person).status == "full"
    assert DevelopmentCase.objects.exclude(branch=branch).count() >= 10
    from dangjian.accounts.models import User

    rows = selectors.balance(User.objects.get(username="office"), years=3)
    assert sum(r.highlighted for r in rows) >= 2
    print(f"development demo seed: {demo:.1f}s")
    assert demo < 30


def test_demo_pages_render_for_the_secretary_and_the_office(demo, client):
    from django.urls import reverse

    from dangjian.accounts.models import User

    _c, _p, branch, _a = loader._demo_nodes()
    client.force_login(User.objects.get(username="secretary"))
    assert client.get(reverse("development:case_list")).status_code == 200
    for case in DevelopmentCase.objects.filter(branch=branch):
        page = client.get(reverse("development:case_detail", args=[case.pk]))
        assert page.status_code == 200
        if case.is_open:
            assert "记录下一步" in page.content.decode()
    client.force_login(User.objects.get(username="office"))
    for name in ("development:pipeline", "development:balance", "development:plan_list"):
        assert client.get(reverse(name)).status_code == 200
