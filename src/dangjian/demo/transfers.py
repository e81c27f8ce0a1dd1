"""Demo 组织关系转接 and 流动党员: letters in and out (one overdue), mobile members."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.transfers.models import MobileMember, Transfer
from dangjian.transfers.rules import add_months, letter_valid_until

from .loader import _demo_nodes

PLACES = [
    ("广东省深圳市龙岗区", "深圳某物流公司"),
    ("浙江省义乌市", "义乌小商品市场商户"),
    ("福建省厦门市思明区", "厦门某科技公司"),
    ("江西省南昌市红谷滩区", "省公司借调"),
    ("上海市浦东新区", "上海某制造企业"),
]


def seed(rng: random.Random) -> None:
    _company, _committee, branch, _area = _demo_nodes()
    today = timezone.localdate()
    secretary = User.objects.get(username="secretary")
    demo_people = set(
        User.objects.filter(username__in=["secretary", "member", "manager"]).values_list(
            "person__pk", flat=True
        )
    )
    own = list(
        Membership.objects.filter(branch=branch, is_mobile=False)
        .exclude(person_id__in=demo_people)
        .select_related("person")
        .order_by("pk")
    )
    others = list(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH).exclude(pk=branch.pk).order_by("pk")
    )
    counter: dict[int, int] = {}

    def number(year: int) -> str:
        counter[year] = counter.get(year, 0) + 1
        return f"{year}-{counter[year]:04d}"

    def letter(m: Membership, *, to_org=None, to_name="", issued, months=3, **extra):
        return Transfer(
            number=number(issued.year),
            person=m.person,
            member_status=m.status,
            joined_on=m.joined_on,
            full_member_on=m.full_member_on,
            from_org=m.branch,
            from_org_name=m.branch.name,
            to_org=to_org,
            to_org_name=to_org.name if to_org else to_name,
            reason=extra.pop("reason", Transfer.Reason.JOB),
            dues_paid_through=add_months(issued.replace(day=1), -1),
            issued_on=issued,
            valid_months=months,
            valid_until=letter_valid_until(issued, months),
            created_by=secretary,
            **extra,
        )

    rows: list[Transfer] = []
    # Out of the secretary's branch: one to another branch awaiting its receipt; one to
    # another province, overdue (past validity, no receipt).
    if len(own) >= 4:
        rows.append(letter(own[0], to_org=others[0], issued=today - dt.timedelta(days=12)))
        rows.append(
            letter(
                own[1],
                to_name="广东省深圳市某物流公司党支部",
                issued=add_months(today, -8),
                months=6,
                cross_province=True,
                reason=Transfer.Reason.EMPLOYMENT,
            )
        )
        rows.append(
            letter(
                own[2],
                to_name="江西省南昌市某党支部",
                issued=add_months(today, -5),
                reason=Transfer.Reason.RESIDENCE,
            )
        )
    # Into the secretary's branch from another branch, received: the membership moved.
    incoming = (
        Membership.objects.filter(branch=others[1], is_mobile=False)
        .exclude(person_id__in=demo_people)
        .select_related("person", "branch")
        .order_by("pk")
        .first()
    )
    if incoming is not None:
        received = letter(
            incoming,
            to_org=branch,
            issued=today - dt.timedelta(days=60),
            status=Transfer.Status.RECEIVED,
            received_on=today - dt.timedelta(days=52),
            receipt_note="已报到",
            received_by=secretary,
        )
        rows.append(received)
        incoming.branch = branch
        incoming.group = None
        incoming.save()
    # Elsewhere: a few letters between other branches, most received long ago.
    for org in rng.sample(others[2:], min(5, len(others) - 2)):
        pool = list(
            Membership.objects.filter(branch=org, is_mobile=False)
            .exclude(person_id__in=demo_people)
            .select_related("person", "branch")
            .order_by("pk")[:20]
        )
        if not pool:
            continue
        m = rng.choice(pool)
        issued = today - dt.timedelta(days=rng.randint(20, 300))
        done = issued < today - dt.timedelta(days=40)
        rows.append(
            letter(
                m,
                to_name=rng.choice(["湖南省长沙市某党支部", "江西省吉安市某党支部"]),
                issued=issued,
                status=Transfer.Status.RECEIVED if done else Transfer.Status.ISSUED,
                received_on=issued + dt.timedelta(days=15) if done else None,
            )
        )
    Transfer.objects.bulk_create(rows)
    through = Transfer.orgs.through
    through.objects.bulk_create(
        [
            through(transfer_id=t.pk, partyorg_id=org_id)
            for t in rows
            for org_id in {t.from_org_id, t.to_org_id} - {None}
        ]
    )

    # 流动党员: two in the secretary's branch (one away too long), and a record for every
    # membership the roster already marks as mobile.
    mobiles = []
    # (A small branch shares people between the letters and the register.)
    away = own[3:5] if len(own) >= 5 else own[-2:]
    for m, months_ago in zip(away, (2, 8), strict=False):
        place, work = rng.choice(PLACES)
        mobiles.append(
            MobileMember(
                person=m.person,
                branch=branch,
                destination=place,
                workplace=work,
                since=add_months(today, -months_ago),
                expected_return=add_months(today, 3) if months_ago == 2 else None,
                contact_phone=m.person.phone,
                created_by=secretary,
            )
        )
        m.is_mobile = True
        m.save(update_fields=["is_mobile"])
    for m in Membership.objects.filter(is_mobile=True).exclude(
        person_id__in=[x.person_id for x in mobiles]
    ):
        place, work = rng.choice(PLACES)
        mobiles.append(
            MobileMember(
                person_id=m.person_id,
                branch_id=m.branch_id,
                destination=place,
                workplace=work,
                since=today - dt.timedelta(days=rng.randint(30, 300)),
            )
        )
    MobileMember.objects.bulk_create(mobiles)
