"""The fixed cast every test module uses.

A small city: company → two bureaus (东湖, 西山) → one market area each; a party committee
with one branch per bureau, each covering its bureau. Users:

- ``office``: 党建办, on the company unit and on the committee (sees everything);
- ``secretary``: secretary of branch 东湖 (the owner of branch records);
- ``member``: a member of branch 东湖 (same branch, sees only himself);
- ``auditor``: read-only on the company and the committee;
- ``manager``: account manager on 东湖's market area;
- ``outsider``: secretary of branch 西山 and account manager on 西山's area — must never
  see anything of 东湖.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard

PASSWORD = "Dangjian-Test-2026"


def make_user(username: str, *grants) -> User:
    user = User.objects.create_user(username, password=PASSWORD, display_name=username)
    for role, node in grants:
        if isinstance(node, Unit):
            RoleGrant.objects.create(user=user, role=role, unit=node)
        else:
            RoleGrant.objects.create(user=user, role=role, party_org=node)
    return user


_seq = iter(range(1, 10**6))


def make_person(
    name: str, unit: Unit, *, branch: PartyOrg | None = None, user=None, post="", status="full"
) -> Person:
    n = next(_seq)
    # Wrap around so long test runs never produce birth dates in the future.
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=(n % 400) * 37)
    person = Person.objects.create(
        name=name,
        gender=idcard.parse(idcard.make("360102", birth, n))[1],
        birth_date=birth,
        unit=unit,
        post=post,
        id_number=idcard.make("360102", birth, n),
        phone=f"138{n:08d}",
        user=user,
    )
    if branch is not None:
        Membership.objects.create(
            person=person,
            branch=branch,
            status=status,
            joined_on=dt.date(2010, 7, 1),
            full_member_on=dt.date(2011, 7, 1) if status == "full" else None,
        )
    return person


def make_customer(licence_no: str, unit: Unit, **extra) -> RetailCustomer:
    values = {
        "shop_name": f"{unit.name}便民店{licence_no[-3:]}",
        "owner_name": "王小明",
        "phone": "13900000000",
        "address": f"{unit.name}人民路{licence_no[-3:]}号",
        "business_format": "Z",
        "market": "C",
        "size": "2",
    }
    values.update(extra)
    return RetailCustomer.objects.create(licence_no=licence_no, unit=unit, **values)


@pytest.fixture
def city(db):
    company = Unit.objects.add_root(
        instance=Unit(name="赣州市烟草公司", code="U-C", kind="company")
    )
    east = Unit.objects.add_child(
        company, instance=Unit(name="东湖县局", code="U-E", kind="bureau")
    )
    west = Unit.objects.add_child(
        company, instance=Unit(name="西山县局", code="U-W", kind="bureau")
    )
    east_area = Unit.objects.add_child(
        east, instance=Unit(name="东湖城区片区", code="U-EA", kind="market_area")
    )
    west_area = Unit.objects.add_child(
        west, instance=Unit(name="西山城区片区", code="U-WA", kind="market_area")
    )
    committee = PartyOrg.objects.add_root(
        instance=PartyOrg(name="市公司党委", code="P-C", kind="committee")
    )
    east_branch = PartyOrg.objects.add_child(
        committee, instance=PartyOrg(name="东湖县局党支部", code="P-E", kind="branch")
    )
    west_branch = PartyOrg.objects.add_child(
        committee, instance=PartyOrg(name="西山县局党支部", code="P-W", kind="branch")
    )
    east_group = PartyOrg.objects.add_child(
        east_branch, instance=PartyOrg(name="东湖第一党小组", code="P-EG", kind="group")
    )
    east_branch.units.set([east, east_area])
    west_branch.units.set([west, west_area])
    return SimpleNamespace(
        company=company,
        east=east,
        west=west,
        east_area=east_area,
        west_area=west_area,
        committee=committee,
        east_branch=east_branch,
        west_branch=west_branch,
        east_group=east_group,
    )


@pytest.fixture
def cast(city):
    office = make_user("office", (Role.OFFICE, city.company), (Role.OFFICE, city.committee))
    auditor = make_user("auditor", (Role.AUDITOR, city.company), (Role.AUDITOR, city.committee))
    secretary = make_user("secretary", (Role.SECRETARY, city.east_branch))
    member = make_user("member", (Role.MEMBER, city.east_branch))
    manager = make_user("manager", (Role.ACCOUNT_MANAGER, city.east_area))
    outsider = make_user(
        "outsider", (Role.SECRETARY, city.west_branch), (Role.ACCOUNT_MANAGER, city.west_area)
    )
    people = SimpleNamespace(
        secretary=make_person(
            "张三", city.east, branch=city.east_branch, user=secretary, post="书记"
        ),
        member=make_person(
            "李四", city.east, branch=city.east_branch, user=member, post="客户经理"
        ),
        probationary=make_person(
            "单雄信", city.east_area, branch=city.east_branch, status="probationary"
        ),
        manager=make_person("王五", city.east_area, user=manager, post="客户经理"),
        outsider=make_person("赵六", city.west, branch=city.west_branch, user=outsider),
        west_member=make_person("钱七", city.west_area, branch=city.west_branch),
    )
    customers = SimpleNamespace(
        east=make_customer("360101000001", city.east_area, account_manager=people.manager),
        east_bureau=make_customer("360101000002", city.east, owner_name="曾小贤"),
        west=make_customer("360102000001", city.west_area, owner_name="孙八"),
    )
    return SimpleNamespace(
        city=city,
        office=office,
        auditor=auditor,
        secretary=secretary,
        member=member,
        manager=manager,
        outsider=outsider,
        people=people,
        customers=customers,
    )


@pytest.fixture
def login(client):
    """``login(user)`` → a logged-in test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    """Cheap password hashing and a private media directory for each test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api(client):
    """``api(user)`` → a client sending that user's bearer token (REST API tests)."""
    from dangjian.accounts.models import ApiToken

    def _api(user):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)}"
        return client

    return _api
