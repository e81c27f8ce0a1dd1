"""The demo city's dues: a year of ledgers the demo accounts can read."""

from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.demo import loader
from dangjian.demo.loader import _demo_nodes, load_demo
from dangjian.dues.models import ArrearsFlag, DuesBase, DuesPayment
from dangjian.dues.selectors import dues_paid_through

PASSWORD = "Demo-Password-2026"


def test_demo_has_a_year_of_ledgers(db, client, monkeypatch):
    # Only this app's seeder: the other apps' seeders have their own tests.
    monkeypatch.setattr(loader, "SEEDERS", ["dangjian.demo.dues"])
    load_demo(customers=100, people=400, password=PASSWORD)  # the demo city as shipped
    _company, _committee, branch, _area = _demo_nodes()
    assert DuesPayment.objects.count() > 500
    assert (
        DuesPayment.objects.filter(person__membership__branch=branch)
        .exclude(proxy_name="")
        .exists()
    )
    assert DuesBase.objects.filter(
        person__membership__branch=branch, category="hardship", approved_amount=0
    ).exists()
    flagged = ArrearsFlag.objects.filter(person__membership__branch=branch)
    assert flagged.count() == 1 and flagged.get().months == 6 and flagged.get().notified_at
    client.force_login(User.objects.get(username="member"))
    page = client.get(reverse("dues:mine"))
    assert page.status_code == 200 and "我的党费" in page.content.decode()
    assert dues_paid_through(User.objects.get(username="member").person) is not None
    client.force_login(User.objects.get(username="secretary"))
    assert client.get(reverse("dues:branch", args=[branch.pk])).status_code == 200
    client.force_login(User.objects.get(username="office"))
    page = client.get(reverse("dues:arrears")).content.decode()
    assert "table-danger" in page
