import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.customers.models import RetailCustomer
from dangjian.demo.loader import load_demo
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.models import AccessLog

PASSWORD = "Demo-Password-2026"


@pytest.fixture
def demo(db):
    return load_demo(customers=600, people=120, password=PASSWORD)


def counts():
    return (
        Unit.objects.count(),
        PartyOrg.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        RetailCustomer.objects.count(),
    )


def test_loading_the_demo_twice_duplicates_nothing(demo):
    before = counts()
    again = load_demo(customers=600, people=120, password=PASSWORD)
    assert again.created is False
    assert counts() == before
    assert before[4] == 600
    assert before[0] >= 1 + 6 + 6 + 12  # company, bureaus, departments, areas


def test_demo_data_is_valid_and_realistic(demo):
    branches = PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH)
    assert branches.count() == 20
    assert PartyOrg.objects.filter(kind=PartyOrg.Kind.GROUP).count() >= 40
    assert all(b.units.exists() for b in branches)
    for person in Person.objects.all()[:50]:
        person.full_clean(exclude=["photo"])
        assert idcard.parse(person.id_number)[0] == person.birth_date
    for customer in RetailCustomer.objects.select_related("unit")[:50]:
        customer.full_clean()
        assert customer.unit.kind == Unit.Kind.MARKET_AREA
    assert Membership.objects.filter(status="probationary").exists()
    assert RetailCustomer.history.filter(history_type="~").exists()
    assert AccessLog.objects.exists()


def test_every_demo_account_can_log_in(demo, client):
    # The six role accounts and the modules' activity logins (window clerk, 专卖 inspector).
    names = {username for username, _description in demo.accounts}
    assert {"office", "leader", "secretary", "member", "manager", "auditor"} <= names
    assert {"clerk", "zhuanmai"} <= names
    for username, _description in demo.accounts:
        response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        client.logout()


def test_demo_secretary_sees_only_his_branch(demo, client):
    client.post(reverse("login"), {"username": "secretary", "password": PASSWORD})
    secretary = Person.objects.get(user__username="secretary")
    branch = secretary.membership.branch
    own = Person.objects.filter(membership__branch=branch).exclude(pk=secretary.pk).first()
    other = Person.objects.exclude(membership__branch=branch).filter(membership__isnull=False)[0]
    assert client.get(reverse("people:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("people:list")).content.decode()
    assert own.name in listing


def test_demo_manager_looks_after_his_area_customers(demo):
    manager = Person.objects.get(user__username="manager")
    area_customers = RetailCustomer.objects.filter(unit=manager.unit)
    assert area_customers.exists()
    assert area_customers.exclude(account_manager=manager).count() == 0


def test_demo_command_without_serving_loads_and_prints_accounts(db, capsys, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("demo", "--no-serve", "--customers", "300", "--people", "110")
    out = capsys.readouterr().out
    assert "office" in out and "Dangjian@2026" in out
    assert RetailCustomer.objects.count() == 300
    assert any(settings.STATIC_ROOT.iterdir())


def test_gen_scale_builds_a_consistent_tree_with_searchable_rows(db):
    from dangjian.demo.scale import generate

    counts = generate(customers=900, people=120, bureaus=3, log=lambda _msg: None)
    assert counts["customers"] == 900
    assert RetailCustomer.objects.count() == 900
    assert Person.objects.count() == 120
    # treebeard's own consistency check: paths, depths and child counts agree
    assert all(not problems for problems in Unit.objects.find_problems())
    assert all(not problems for problems in PartyOrg.objects.find_problems())
    assert PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH).count() == 6
    customer = RetailCustomer.objects.order_by("pk").first()
    customer.full_clean()
    assert customer.phone and customer.owner_initials
    person = Person.objects.order_by("pk").first()
    assert idcard.parse(person.id_number)[0] == person.birth_date
    with pytest.raises(ValueError):
        generate(customers=10, people=10, bureaus=1, log=lambda _msg: None)


def test_bench_runs_every_case_against_scale_data(db):
    from dangjian.demo import bench
    from dangjian.demo.scale import generate

    generate(customers=400, people=80, bureaus=2, log=lambda _msg: None)
    lines = []
    results = bench.run(repeat=1, only="列表", out=lines.append)
    assert results and all(r.status == 200 for r in results)
    assert "行/秒" in bench.import_throughput(50)
    assert RetailCustomer.objects.count() == 400  # the import was rolled back
