"""A year of dues ledgers for the demo city.

Every member has a base from thirteen months ago (employed, a few retired); most paid every
closed month, usually in the first days of the month. In the secretary's branch: one member's
dues are paid by his wife (代缴), one member has an approved hardship exemption, and one has
not paid for the last six months — the morning scan flags him and tells the secretary. The
demo ``member`` account is paid up. A few other branches have members a month or three
behind (yellow in the overview), one has a member flagged (red).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.dues import rules
from dangjian.dues.models import DuesBase, DuesPayment, ExtraPayment, QuarterlyConsent
from dangjian.dues.services import dues_arrears_scan
from dangjian.people.models import Membership

from .loader import _demo_nodes

METHODS = ("cash", "bank", "online", "online")


def seed(rng: random.Random) -> None:
    _company, committee, my_branch, _area = _demo_nodes()
    today = timezone.localdate()
    this_month = rules.month_start(today)
    first = rules.add_months(this_month, -12)
    office = User.objects.filter(username="office").first()
    secretary = User.objects.filter(username="secretary").first()
    demo_member = User.objects.filter(username="member").select_related("person").first()
    member_pk = getattr(getattr(demo_member, "person", None), "pk", None)
    secretary_pk = getattr(getattr(secretary, "person", None), "pk", None) if secretary else None

    memberships = list(
        Membership.objects.filter(branch__path__startswith=committee.path, standing="normal")
        .select_related("person")
        .order_by("branch_id", "person_id")
    )
    mine = [
        m
        for m in memberships
        if m.branch_id == my_branch.pk and m.person_id not in (member_pk, secretary_pk)
    ]
    # The secretary's branch: who plays which part.
    roles: dict[int, str] = {}
    for part, m in zip(("unpaid6", "proxy", "hardship", "late2"), mine, strict=False):
        roles[m.person_id] = part
    other_branches = sorted({m.branch_id for m in memberships if m.branch_id != my_branch.pk})
    red_branches = set(rng.sample(other_branches, min(2, len(other_branches))))
    flagged_in = {b: False for b in red_branches}

    bases, payments = [], []
    for m in memberships:
        person = m.person
        part = roles.get(person.pk, "")
        age = today.year - person.birth_date.year
        category = rules.RETIRED if age >= 60 else rules.EMPLOYED
        amount = Decimal(rng.randrange(2600, 12500, 50))
        if part == "hardship":
            bases.append(
                DuesBase(
                    person=person,
                    effective_month=first,
                    category=rules.HARDSHIP,
                    amount=Decimal("1850.00"),
                    approved_amount=Decimal("0.00"),
                    branch_agreed_on=first - dt.timedelta(days=12),
                    committee_approval=f"市公司党委 赣烟党〔{first.year}〕7号：家庭重病，同意免交",
                    committee_approved_on=first - dt.timedelta(days=5),
                    note="生活困难，经批准免交",
                    created_by=secretary,
                )
            )
            continue
        bases.append(
            DuesBase(
                person=person,
                effective_month=first,
                category=category,
                amount=amount,
                created_by=office,
            )
        )
        due = rules.monthly_dues(amount, category)
        start = max(first, rules.month_start(m.joined_on))
        months = rules.month_range(start, this_month)
        skip: set[dt.date] = set()
        if part == "unpaid6":
            skip = set(months[-7:])  # six closed months and this one
        elif part == "late2":
            skip = set(months[-3:])
        elif m.branch_id in red_branches and not flagged_in[m.branch_id] and rng.random() < 0.3:
            skip = set(months[-8:])
            flagged_in[m.branch_id] = True
        elif m.branch_id != my_branch.pk and rng.random() < 0.08:
            skip = set(months[-rng.randint(2, 4) :])
        for month in months:
            if month in skip:
                continue
            if month == this_month and (person.pk != member_pk and rng.random() < 0.6):
                continue  # this month is still open for most
            paid_on = min(today, month + dt.timedelta(days=rng.randint(1, 12)))
            payments.append(
                DuesPayment(
                    person=person,
                    month=month,
                    due=due,
                    amount=due,
                    paid_on=paid_on,
                    method=rng.choice(METHODS),
                    proxy_name="王秀兰" if part == "proxy" else "",
                    note="本人出差，由配偶代缴" if part == "proxy" else "",
                    recorded_by=secretary if m.branch_id == my_branch.pk else office,
                )
            )
    DuesBase.objects.bulk_create(bases, batch_size=2000)
    DuesPayment.objects.bulk_create(payments, batch_size=2000)

    if demo_member is not None and member_pk:
        QuarterlyConsent.objects.create(
            person_id=member_pk,
            agreed_on=first,
            decision="支委会同意其按季度交纳党费",
            recorded_by=secretary,
        )
        ExtraPayment.objects.create(
            person_id=member_pk,
            amount=Decimal("500.00"),
            paid_on=rules.add_months(this_month, -4) + dt.timedelta(days=9),
            method="bank",
            note="自愿交纳特殊党费",
            recorded_by=secretary,
        )
    dues_arrears_scan(today=today)
