"""The demo city: one municipal tobacco company with its bureaus, party branches, staff,
members and retail customers, plus one login per role.

Idempotent: the data is created only when the company code is absent; the accounts are
upserted on every run (so a changed ``--password`` takes effect).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from importlib import import_module

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.audit import log_access, record_event

from . import names

COMPANY_CODE = "GZ-DEMO"
COMMITTEE_CODE = "GZ-DEMO-P"
DEFAULT_PASSWORD = "Dangjian@2026"

# (name, short name, GB/T 2260 region code) — real counties of Ganzhou, Jiangxi.
BUREAUS = [
    ("章贡区局（营销部）", "章贡", "360702"),
    ("南康区局（营销部）", "南康", "360703"),
    ("赣县区局（营销部）", "赣县", "360704"),
    ("信丰县局（营销部）", "信丰", "360722"),
    ("于都县局（营销部）", "于都", "360731"),
    ("瑞金市局（营销部）", "瑞金", "360781"),
]
AREA_NAMES = ["城东片区", "城西片区", "城南片区", "城北片区"]
RURAL_AREA_NAMES = ["乡镇一片区", "乡镇二片区"]
# Modules that add a year of activity to the demo city, in order; each has ``seed(rng)``.
SEEDERS: list[str] = [
    "dangjian.demo.orglife",
    "dangjian.demo.development",
    "dangjian.demo.dues",
    "dangjian.demo.disclosure",
    "dangjian.demo.transfers",
    "dangjian.demo.exemplar_showcase",
    "dangjian.demo.exemplar_conduct",
    "dangjian.demo.warmth_visits",
    "dangjian.demo.warmth_window",
    "dangjian.demo.warmth_tickets",
    "dangjian.demo.warmth_outreach",  # after the window seeder: uses its licence windows
    "dangjian.demo.appraisal",  # after the window seeder: window clerks are rated too
    "dangjian.demo.appraisal_grading",  # after dangjian.demo.appraisal (its campaign's ratings)
    "dangjian.demo.exemplar_study",
    "dangjian.demo.exemplar_contests",
]

DEPARTMENTS = ["办公室", "党建工作科", "人力资源科", "专卖监督管理科", "营销管理科", "财务管理科"]


@dataclass
class DemoResult:
    created: bool
    accounts: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def load_demo(
    *, customers: int = 8000, people: int = 400, password: str = DEFAULT_PASSWORD, seed: int = 2026
) -> DemoResult:
    """Create the demo city (unless present) and upsert the demo accounts."""
    created = False
    if not Unit.objects.filter(code=COMPANY_CODE).exists():
        with transaction.atomic():
            _build(random.Random(seed), n_customers=customers, n_people=people)
        created = True
    with transaction.atomic():
        accounts = _accounts(password)
    if created:
        _history_and_logs(random.Random(seed + 1))
        _reminder()
        for offset, module in enumerate(SEEDERS, start=2):
            # A year of each module's activity, after the accounts exist.
            with transaction.atomic():
                import_module(module).seed(random.Random(seed + offset))
    with transaction.atomic():
        accounts += _activity_accounts(password)
    return DemoResult(
        created=created,
        accounts=accounts,
        counts={
            "units": Unit.objects.count(),
            "party_orgs": PartyOrg.objects.count(),
            "people": Person.objects.count(),
            "members": Membership.objects.count(),
            "customers": RetailCustomer.objects.count(),
        },
    )


# ---------------------------------------------------------------------------- trees


def _unit(parent, name, code, kind):
    node = Unit(name=name, code=code, kind=kind)
    if parent is None:
        return Unit.objects.add_root(instance=node)
    return Unit.objects.add_child(parent, instance=node)


def _org(parent, name, code, kind, units=(), established=None):
    node = PartyOrg(name=name, code=code, kind=kind, established_on=established)
    if parent is None:
        node = PartyOrg.objects.add_root(instance=node)
    else:
        node = PartyOrg.objects.add_child(parent, instance=node)
    if units:
        node.units.set(units)
    # add_child leaves the in-memory parent's numchild stale; reload before the next child.
    if parent is not None:
        parent.refresh_from_db()
    return node


def _build(rng: random.Random, *, n_customers: int, n_people: int) -> None:
    company = _unit(None, "赣州市烟草公司", COMPANY_CODE, Unit.Kind.COMPANY)
    departments = []
    for i, name in enumerate(DEPARTMENTS, 1):
        departments.append(_unit(company, name, f"{COMPANY_CODE}-D{i:02d}", Unit.Kind.DEPARTMENT))
        company.refresh_from_db()
    bureaus = []  # (unit, region, short, [areas])
    for i, (name, short, region) in enumerate(BUREAUS, 1):
        bureau = _unit(company, name, f"{COMPANY_CODE}-B{i:02d}", Unit.Kind.BUREAU)
        company.refresh_from_db()
        n_areas = 2 + (i % 3)  # 2..4
        area_names = AREA_NAMES[: n_areas - 1] + RURAL_AREA_NAMES[:1]
        areas = []
        for j, area_name in enumerate(area_names, 1):
            areas.append(
                _unit(bureau, short + area_name, f"{bureau.code}-A{j}", Unit.Kind.MARKET_AREA)
            )
            bureau.refresh_from_db()
        bureaus.append((bureau, region, short, areas))

    # Party tree: 党委 → 机关支部 / (章贡: 党总支 →) 县局支部 → 党小组.
    committee = _org(
        None,
        "中共赣州市烟草公司党委",
        COMMITTEE_CODE,
        PartyOrg.Kind.COMMITTEE,
        (),
        dt.date(1984, 7, 1),
    )
    branches = []  # (branch, [units covered], [groups])
    half = len(departments) // 2
    for k, covered in enumerate((departments[:half], departments[half:]), 1):
        branch = _org(
            committee,
            f"市公司机关第{'一二'[k - 1]}党支部",
            f"{COMMITTEE_CODE}-J{k}",
            PartyOrg.Kind.BRANCH,
            covered,
            dt.date(1990 + k, 7, 1),
        )
        branches.append((branch, covered))
    for i, (bureau, _region, short, areas) in enumerate(bureaus, 1):
        parent = committee
        if i == 1:
            parent = _org(
                committee,
                f"{short}区局（营销部）党总支",
                f"{COMMITTEE_CODE}-Z{i}",
                PartyOrg.Kind.GENERAL_BRANCH,
                [bureau],
                dt.date(1995, 6, 1),
            )
        # Bureau office branch + one branch per area pair and one for 专卖 = ~3 per bureau.
        plan = [("机关党支部", [bureau])]
        plan.append(("营销一党支部", areas[: (len(areas) + 1) // 2]))
        if len(areas) > 1:
            plan.append(("营销二党支部", areas[(len(areas) + 1) // 2 :]))
        for k, (suffix, covered) in enumerate(plan, 1):
            branch = _org(
                parent,
                f"{short}{suffix}",
                f"{COMMITTEE_CODE}-B{i}{k}",
                PartyOrg.Kind.BRANCH,
                covered,
                dt.date(1998 + i, 7, 1),
            )
            branches.append((branch, covered))
        committee.refresh_from_db()
    groups_by_branch = {}
    for index, (branch, _covered) in enumerate(branches):
        groups = []
        # By position, not pk: on PostgreSQL pks depend on what the sequences saw before,
        # and the demo must be the same city every time.
        for g in range(2 + index % 2):
            groups.append(
                _org(
                    branch,
                    f"{branch.name.replace('党支部', '')}第{'一二三'[g]}党小组",
                    f"{branch.code}-G{g + 1}",
                    PartyOrg.Kind.GROUP,
                )
            )
        groups_by_branch[branch.pk] = groups

    # People: spread over every unit; most staff are in market areas and bureaus.
    unit_region = {}
    unit_branch = {}
    for dept in departments:
        unit_region[dept.pk] = "360702"
    for bureau, region, _short, areas in bureaus:
        unit_region[bureau.pk] = region
        for area in areas:
            unit_region[area.pk] = region
    for branch, covered in branches:
        for unit in covered:
            unit_branch[unit.pk] = branch
    all_areas = [a for _b, _r, _s, areas in bureaus for a in areas]
    bureau_of = {a.pk: b.pk for b, _r, _s, areas in bureaus for a in areas}
    slots = []  # (unit, post)
    for dept in departments:
        slots += [(dept, p) for p in names.POSTS_COMPANY[:4]]
    for bureau, _r, _s, areas in bureaus:
        slots += [(bureau, p) for p in names.POSTS_BUREAU]
        for area in areas:
            slots += [(area, "客户经理"), (area, "客户经理"), (area, "送货员")]
    while len(slots) < n_people:
        unit = rng.choice(all_areas + [b for b, *_ in bureaus] + departments)
        pool = (
            names.POSTS_AREA
            if unit.kind == Unit.Kind.MARKET_AREA
            else names.POSTS_BUREAU
            if unit.kind == Unit.Kind.BUREAU
            else names.POSTS_COMPANY
        )
        slots.append((unit, rng.choice(pool)))

    used_ids = set()
    persons = []
    for unit, post in slots:
        gender = "M" if rng.random() < 0.62 else "F"
        birth = names.birth_date(rng)
        while True:
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            number = idcard.make(unit_region[unit.pk], birth, seq)
            if number not in used_ids:
                used_ids.add(number)
                break
        person = Person(
            name=names.person_name(rng, gender),
            gender=gender,
            birth_date=birth,
            education=names.weighted(rng, names.EDUCATION_WEIGHTS),
            unit=unit,
            post=post,
            phone=names.phone(rng),
            id_number=number,
            employed_on=birth + dt.timedelta(days=365 * rng.randint(20, 25)),
        )
        person.derive_fields()
        persons.append(person)
    persons = bulk_create_with_history(persons, Person, batch_size=500)
    persons = list(Person.objects.filter(unit__path__startswith=company.path).order_by("pk"))

    # Memberships: about three quarters of staff, in the branch covering their unit.
    memberships = []
    secretaries = {}
    for person in persons:
        branch = unit_branch.get(person.unit_id)
        if branch is None:
            continue
        first_in_branch = branch.pk not in secretaries
        if not first_in_branch and rng.random() > 0.75:
            continue
        if first_in_branch:
            secretaries[branch.pk] = person
        joined = person.birth_date + dt.timedelta(days=365 * rng.randint(20, 35))
        joined = min(joined, dt.date(2025, 12, 1))
        probationary = not first_in_branch and rng.random() < 0.06
        if probationary:
            joined = dt.date(2025, rng.randint(3, 11), 1)
        standing = "normal"
        standing_since = None
        if not first_in_branch and rng.random() < 0.01:
            standing, standing_since = "reserved", dt.date(2024, 3, 1)
        memberships.append(
            Membership(
                person=person,
                branch=branch,
                group=rng.choice(groups_by_branch[branch.pk]),
                status="probationary" if probationary else "full",
                standing=standing,
                standing_since=standing_since,
                joined_on=joined,
                full_member_on=None if probationary else joined + dt.timedelta(days=365),
                is_mobile=not first_in_branch and rng.random() < 0.04,
            )
        )
    bulk_create_with_history(memberships, Membership, batch_size=500)
    for branch, _covered in branches:
        secretary = secretaries.get(branch.pk)
        if secretary is not None:
            branch.secretary_name = secretary.name
            branch.save(update_fields=["secretary_name"])
            Person.objects.filter(pk=secretary.pk).update(title="党支部书记")

    # Retail customers: spread over market areas, each with one of the area's managers.
    managers = {}
    couriers = {}
    inspectors = {}  # by market area, else by county bureau
    for person in persons:
        if person.post == "客户经理" and person.unit.kind == Unit.Kind.MARKET_AREA:
            managers.setdefault(person.unit_id, []).append(person)
        elif person.post == "送货员":
            couriers.setdefault(person.unit_id, []).append(person)
        elif person.post == "专卖稽查员":
            inspectors.setdefault(person.unit_id, []).append(person)
    today = dt.date(2026, 1, 1)
    rows = []
    per_region = {}
    for n in range(n_customers):
        area = all_areas[n % len(all_areas)]
        region = unit_region[area.pk]
        per_region[region] = per_region.get(region, 0) + 1
        rural = area.name.endswith(tuple(RURAL_AREA_NAMES))
        gender = "M" if rng.random() < 0.55 else "F"
        owner = names.person_name(rng, gender)
        if rural:
            town = rng.choice(names.TOWNS)
            street = town
            address = f"{town}镇{rng.choice(names.VILLAGES)}村{rng.randint(1, 200)}号"
        else:
            street = rng.choice(names.STREETS_URBAN)
            address = f"{area.name[:2]}{street}{rng.randint(1, 999)}号"
        fmt = names.weighted(rng, names.FORMAT_WEIGHTS)
        tier = max(1, min(30, int(rng.gauss(15, 6))))
        birthday = None
        if rng.random() < 0.6:
            birthday = dt.date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28))
        age = today.year - birthday.year if birthday else 40
        rows.append(
            RetailCustomer(
                licence_no=f"{region}{per_region[region]:06d}",
                shop_name=names.shop_name(rng, fmt, owner, street),
                owner_name=owner,
                phone=names.phone(rng) if rng.random() < 0.95 else "",
                address=address,
                unit=area,
                account_manager=rng.choice(managers[area.pk]) if area.pk in managers else None,
                courier=rng.choice(couriers[area.pk]) if area.pk in couriers else None,
                inspector=rng.choice(
                    inspectors.get(area.pk) or inspectors.get(bureau_of[area.pk]) or [None]
                ),
                business_format=fmt,
                market="X" if rural else "C",
                size="1" if fmt in "MS" else rng.choice("233"),
                tier=tier,
                credit_grade=names.weighted(rng, [("A", 25), ("B", 50), ("C", 20), ("D", 5)]),
                modern_terminal=fmt in "BS" and rng.random() < 0.5,
                vulnerable=rng.random() < 0.05,
                strong_operator=tier >= 22 and rng.random() < 0.6,
                prime_location=rng.random() < 0.1,
                birthday=birthday,
                birthday_is_lunar=birthday is not None and rng.random() < 0.3,
                elderly=age >= 65,
                disabled=rng.random() < 0.015,
                ill=rng.random() < 0.02,
                licence_expires_on=today + dt.timedelta(days=rng.randint(-30, 5 * 365)),
                is_active=rng.random() > 0.02,
            )
        )
    for row in rows:
        row.derive_fields()
    bulk_create_with_history(rows, RetailCustomer, batch_size=1000)


# ---------------------------------------------------------------------------- accounts


def _demo_nodes():
    company = Unit.objects.get(code=COMPANY_CODE)
    committee = PartyOrg.objects.get(code=COMMITTEE_CODE)
    # The secretary's branch: the first bureau's first market branch (has members and areas).
    branch = PartyOrg.objects.get(code=f"{COMMITTEE_CODE}-B12")
    area = Unit.objects.get(code=f"{COMPANY_CODE}-B01-A1")
    return company, committee, branch, area


def _account(username, display_name, password, grants, person=None):
    user, _ = User.objects.get_or_create(username=username)
    user.display_name = display_name
    user.set_password(password)
    user.is_active = True
    user.save()
    for role, node in grants:
        field_name = "unit" if isinstance(node, Unit) else "party_org"
        RoleGrant.objects.get_or_create(user=user, role=role, **{field_name: node})
    if person is not None and person.user_id != user.pk:
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save()
    return user


def _accounts(password: str) -> list[tuple[str, str]]:
    company, committee, branch, area = _demo_nodes()
    secretary = (
        Person.objects.filter(membership__branch=branch, title="党支部书记").order_by("pk").first()
    )
    candidates = (
        Person.objects.filter(membership__branch=branch, membership__status="full")
        .exclude(pk=secretary.pk)
        .order_by("pk")
    )
    member = candidates.exclude(post="客户经理").first() or candidates.first()
    taken = [p.pk for p in (secretary, member) if p is not None]
    manager = (
        Person.objects.filter(unit=area, post="客户经理")
        .exclude(pk__in=taken)
        .order_by("pk")
        .first()
        or Person.objects.filter(unit=area).exclude(pk__in=taken).order_by("pk").first()
    )
    if manager is not None:
        # The demo manager looks after every customer in his area.
        RetailCustomer.objects.filter(unit=area).update(account_manager=manager)
    plan = [
        ("office", "党建办", [(Role.OFFICE, company), (Role.OFFICE, committee)], None),
        ("leader", "公司领导", [(Role.LEADER, company), (Role.LEADER, committee)], None),
        ("secretary", secretary.name, [(Role.SECRETARY, branch)], secretary),
        ("member", member.name if member else "党员", [(Role.MEMBER, branch)], member),
        ("manager", manager.name, [(Role.ACCOUNT_MANAGER, area)], manager),
        ("auditor", "审计", [(Role.AUDITOR, company), (Role.AUDITOR, committee)], None),
    ]
    accounts = []
    for username, display, grants, person in plan:
        _account(username, display, password, grants, person)
        where = "、".join(str(node) for _role, node in grants)
        accounts.append((username, f"{grants[0][0].label}（{where}）"))
    return accounts


# Logins the modules' seeders create for their activity (window clerks, the 专卖 inspector who
# receives transferred tickets): they take the demo password too, on every run.
ACTIVITY_ACCOUNTS = re.compile(r"^(clerk(\d{2})?|zhuanmai)$")


def _activity_accounts(password: str) -> list[tuple[str, str]]:
    accounts = []
    users = User.objects.filter(username__regex=ACTIVITY_ACCOUNTS.pattern).order_by("username")
    for user in users.prefetch_related("grants__unit", "grants__party_org"):
        user.set_password(password)
        user.save(update_fields=["password"])
        grants = list(user.grants.all())
        where = "、".join(str(g.unit or g.party_org) for g in grants)
        role = grants[0].get_role_display() if grants else ""
        accounts.append((user.username, f"{role}（{where}）" if grants else user.display_name))
    return accounts


def _reminder() -> None:
    """A 定时提醒 due two minutes after the first load: the worker delivers it to the inbox."""
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.notifications.models import ScheduledReminder

    company, _committee, branch, _area = _demo_nodes()
    office = User.objects.get(username="office")
    reminder = ScheduledReminder.objects.create(
        title="本月主题党日提醒",
        content=f"{branch.name}本月主题党日定于本周五下午三点在党员活动室开展，请准时参加。",
        due_at=timezone.now() + timezone.timedelta(minutes=2),
        unit=company,
        created_by=office,
    )
    reminder.users.set(User.objects.filter(username__in=["secretary", "member", "office"]))


def _history_and_logs(rng: random.Random) -> None:
    """A few ordinary edits (so 变更历史 has entries) and access-log rows."""
    office = User.objects.get(username="office")
    customers = list(
        RetailCustomer.objects.filter(unit__code__startswith=COMPANY_CODE).order_by("pk")[:6]
    )
    for customer in customers:
        customer._history_user = office
        customer.tier = min(30, customer.tier + 1)
        customer.credit_grade = "A"
        customer.save()
        record_event(actor=office, verb="customer.update", target=customer, summary="调整档位")
    for person in Person.objects.filter(unit__code__startswith=COMPANY_CODE).order_by("pk")[:4]:
        person._history_user = office
        person.education = "bachelor"
        person.phone = names.phone(rng)
        person.save()
        record_event(actor=office, verb="person.update", target=person, summary="更新联系方式")
    probationary = Membership.objects.filter(
        status="probationary", branch__code__startswith=COMMITTEE_CODE
    ).first()
    if probationary is not None:
        probationary._history_user = office
        probationary.status = "full"
        probationary.full_member_on = probationary.joined_on + dt.timedelta(days=365)
        probationary.save()
    for customer in customers[:3]:
        log_access(
            user=office, action="reveal", model=RetailCustomer, object_id=customer.pk, field="phone"
        )
    log_access(
        user=office,
        action="export",
        model=RetailCustomer,
        rows=RetailCustomer.objects.count(),
        detail="演示：导出全部零售客户",
    )
    log_access(user=office, action="export", model=Person, rows=Person.objects.count())
