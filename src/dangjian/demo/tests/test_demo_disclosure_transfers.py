"""The demo city's 党务公开 and 组织关系转接 data: the secretary's branch shows real data."""

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.demo.loader import load_demo
from dangjian.disclosure.models import Notice, Objection
from dangjian.disclosure.selectors import visible_notices
from dangjian.transfers.models import MobileMember, Transfer
from dangjian.transfers.selectors import flag_counts


@pytest.fixture
def demo(db):
    return load_demo(customers=200, people=120, password="Demo-Password-2026")


def test_the_demo_has_notices_transfers_and_mobile_members(demo, client):
    secretary = User.objects.get(username="secretary")
    member = User.objects.get(username="member")
    live = Notice.objects.get(kind="pre_appointment", status="published")
    assert live.is_open_for_objections() and live.is_public
    assert live.objections.filter(status=Objection.Status.OPEN).exists()
    assert Notice.objects.filter(status="closed").count() >= 3
    assert live in set(visible_notices(member))
    assert flag_counts(secretary)["overdue"] >= 1
    assert MobileMember.objects.restrict(secretary).filter(status="active").count() >= 2
    assert Transfer.objects.filter(status="received").exists()
    for row in Transfer.objects.all():
        row.full_clean()
    client.force_login(secretary)
    for name in ("disclosure:list", "transfers:list", "transfers:mobile_list"):
        assert client.get(reverse(name)).status_code == 200
    client.logout()
    assert live.title in client.get(reverse("disclosure:public_list")).content.decode()
