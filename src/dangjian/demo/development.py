"""Member development for the demo city, walked through the real services.

The secretary's branch (GZ-DEMO-P-B12) has a case at every stage — a fresh application
waiting for its talk, an activist with a mentor and half-year assessments, a candidate
before 政审, one ready for the 支部大会 (公示 done), a probationary member, and completed
cases — so the secretary can walk the next steps in the browser. Other branches carry a
realistic pipeline (some deadlines overdue), every branch has this year's plan, and a few
branches have had no new member for more than three years (the balance view shows them).
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.development import services
from dangjian.development.models import DevelopmentCase, DevelopmentPlan
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.crypto import lookup_hash

from . import names
from .loader import COMMITTEE_CODE, _demo_nodes

# Days after the application on which each step happens (keeps every national rule).
OFFSET = {
    1: 0, 2: 20, 3: 95, 4: 100, 5: 105, 6: 280, 7: 475, 8: 480, 9: 485, 10: 510,
    11: 520, 12: 540, 13: 550, 14: 555, 15: 585, 16: 595, 17: 625, 18: 635, 19: 640,
    20: 645, 21: 800, 22: 935, 23: 955, 24: 980, 25: 990,
}  # fmt: skip
SECOND_ASSESSMENT = 460
NOTICE_BEFORE = {7: 455, 15: 562}
HIGHER_COMMITTEE_STEPS = {4, 8, 13, 16, 17, 18, 24}
# Secretary's branch: (last step, days since that step) — one case per stage and more.
SECRETARY_CASES = [(20, 60), (25, 200), (14, 15), (9, 10), (6, 100), (2, 40), (1, 5), (25, 700)]


def _applicants(branch: PartyOrg, exclude: set[int]) -> list[Person]:
    units = branch.units.values("pk")
    today = timezone.localdate()
    adults = today.replace(year=today.year - 22)
    return list(
        Person.objects.filter(
            unit__in=units, membership__isnull=True, birth_date__lt=adults, left_on__isnull=True
        )
        .exclude(pk__in=exclude)
        .order_by("pk")
    )


def _new_employee(branch: PartyOrg, rng: random.Random) -> Person:
    """A young employee of the branch's unit (the secretary's branch needs more applicants)."""
    unit = branch.units.order_by("path").first()
    gender = rng.choice("MF")
    birth = dt.date(rng.randint(1992, 2000), rng.randint(1, 12), rng.randint(1, 28))
    while True:
        number = idcard.make("360702", birth, rng.randrange(500) * 2 + (gender == "M"))
        if not Person.objects.filter(id_number_hash=lookup_hash(number)).exists():
            break
    return Person.objects.create(
        name=names.person_name(rng, gender),
        gender=gender,
        birth_date=birth,
        unit=unit,
        post="客户经理",
        phone=names.phone(rng),
        id_number=number,
        employed_on=birth.replace(year=birth.year + 22),
    )


def _full_members(branch: PartyOrg) -> list[Person]:
    return list(
        Person.objects.filter(membership__branch=branch, membership__status="full").order_by("pk")[
            :6
        ]
    )


def _walk(case_args, last: int, ago: int, office, secretary, members, rng) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=OFFSET[last] + ago)

    def on(n: int) -> dt.date:
        return start + dt.timedelta(days=n)

    case = services.case_open(
        actor=secretary or office, applied_on=start, decision="支部书记接收", **case_args
    )
    for number in range(2, last + 1):
        actor = office if number in HIGHER_COMMITTEE_STEPS or secretary is None else secretary
        extra: dict = {}
        if number == 5:
            for p in members[: rng.choice((1, 2))]:
                services.contact_add(
                    actor=actor, case=case, role="mentor", person=p, named_on=on(5)
                )
        if number == 9:
            for p in members[2:4]:
                services.contact_add(
                    actor=actor, case=case, role="sponsor", person=p, named_on=on(9)
                )
        if number in NOTICE_BEFORE:
            services.notice_publish(
                actor=actor,
                case=case,
                before_step=number,
                starts_on=start + dt.timedelta(days=NOTICE_BEFORE[number]),
                content=f"拟将{case.person.name}同志列为{'发展对象' if number == 7 else '预备党员'}，现予公示。",
            )
        if number == 7 and last >= 7:
            services.step_record(
                actor=actor,
                case=case,
                number=6,
                occurred_on=start + dt.timedelta(days=SECOND_ASSESSMENT),
                decision="半年考察",
                notes="表现良好",
            )
        if number in (10, 13, 17, 24):
            extra["passed"] = True
        if number == 11:
            extra["training_hours"] = 24
            extra["training_days"] = 3
        if number in (15, 23):
            entitled = max(len(members) + 3, 7)
            extra["vote"] = {
                "entitled": entitled,
                "present": entitled - 1,
                "yes": entitled - 2,
                "no": 0,
                "abstain": 1,
                "written_yes": 1,
            }
            if number == 23:
                extra["outcome"] = "full"
        decisions = {
            2: "支委会指派谈话",
            3: "支部委员会会议决定",
            7: "支部委员会会议决定",
            12: "支委会审查",
            15: "支部党员大会决议",
            17: "上级党委会议审批",
            23: "支部党员大会决议",
            24: "上级党委会议审批",
        }
        services.step_record(
            actor=actor,
            case=case,
            number=number,
            occurred_on=on(OFFSET[number]),
            decision=decisions.get(number, ""),
            **extra,
        )
        case.refresh_from_db()


def seed(rng: random.Random) -> None:
    _company, _committee, sec_branch, _area = _demo_nodes()
    office = User.objects.get(username="office")
    secretary = User.objects.filter(username="secretary").first()
    today = timezone.localdate()
    used: set[int] = set()
    branches = list(
        PartyOrg.objects.filter(
            kind=PartyOrg.Kind.BRANCH, code__startswith=COMMITTEE_CODE
        ).order_by("path")
    )

    def make(branch, plan, actor):
        members = _full_members(branch)
        if len(members) < 4:
            return
        pool = _applicants(branch, used)
        for last, ago in plan:
            if pool:
                person = pool.pop(rng.randrange(len(pool)))
            elif branch.pk == sec_branch.pk:
                person = _new_employee(branch, rng)
            else:
                return
            used.add(person.pk)
            try:
                with transaction.atomic():
                    _walk(
                        {"person": person, "branch": branch}, last, ago, office, actor, members, rng
                    )
            except ValidationError:
                continue  # e.g. a holiday-stretched notice: skip this one, keep the demo going  # e.g. a holiday-stretched notice: skip this one, keep the demo going

    make(sec_branch, SECRETARY_CASES, secretary)
    others = [b for b in branches if b.pk != sec_branch.pk]
    quiet = set()
    for i, branch in enumerate(others):
        if i % 4 == 3 and len(quiet) < 3:
            quiet.add(branch.pk)
            continue
        plan = [(rng.choice((1, 2, 3, 6, 9, 12)), rng.randint(3, 120))]
        if i % 3 == 0:
            plan.append((rng.choice((17, 21, 25)), rng.randint(10, 300)))
        make(branch, plan, None)
    # A few branches have recruited nobody for years: their newest members joined long ago.
    cutoff = today.replace(year=today.year - 4)
    for branch_pk in quiet:
        members = Membership.objects.filter(branch_id=branch_pk)
        for m in members.filter(joined_on__gt=cutoff):
            joined = m.joined_on.replace(year=m.joined_on.year - 5)
            members.filter(pk=m.pk).update(
                joined_on=joined,
                status="full",
                full_member_on=joined.replace(year=joined.year + 1),
            )
    DevelopmentPlan.objects.bulk_create(
        [
            DevelopmentPlan(
                branch=b, year=today.year, quota=0 if b.pk in quiet else rng.randint(1, 3)
            )
            for b in branches
        ],
        ignore_conflicts=True,
    )
    assert DevelopmentCase.objects.filter(branch=sec_branch).exists()
