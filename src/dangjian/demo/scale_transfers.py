"""Scale data for 组织关系转接 on top of ``demo.scale``: ``years`` years of transfer letters
(about 4% of members a year: half between branches of the system, half to or from outside;
a few percent never receipted, so the overdue list has rows) and 流动党员 records for about
3% of members (some away too long).

Letters are records only: memberships are not moved. Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no
history rows (scale data, not user edits).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.people.models import Membership
from dangjian.transfers.models import MobileMember, Transfer
from dangjian.transfers.rules import add_months, letter_valid_until

from .scale import PREFIX, insert_objects

BATCH = 5000


def generate(*, years: int = 5, seed: int = 13) -> dict:
    """Add transfer letters and 流动党员 records for the scale members; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    members = list(
        Membership.objects.filter(branch__code__startswith=f"{PREFIX}-")
        .order_by("pk")
        .values_list(
            "person_id", "branch_id", "branch__name", "status", "joined_on", "full_member_on"
        )
    )
    if not members:
        return {"transfers": 0, "mobile": 0}
    branches = sorted({(m[1], m[2]) for m in members})
    counts = {"transfers": 0, "mobile": 0}
    through = Transfer.orgs.through
    for year in range(today.year - years + 1, today.year + 1):
        rows: list[Transfer] = []
        for seq, member in enumerate(rng.sample(members, len(members) * 4 // 100), 1):
            person_id, branch_id, branch_name, status, joined, full = member
            issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            if issued > today:
                continue
            internal = rng.random() < 0.5
            to_id, to_name = rng.choice(branches) if internal else (None, "系统外某党支部")
            if to_id == branch_id:
                to_id, to_name = None, "系统外某党支部"
            valid_until = letter_valid_until(issued, 3)
            # Past validity: nearly all receipted (the rest are overdue); recent: half.
            received = rng.random() > 0.03 if valid_until < today else rng.random() < 0.5
            rows.append(
                Transfer(
                    number=f"{PREFIX}{year}-{seq:06d}",
                    person_id=person_id,
                    member_status=status,
                    joined_on=joined,
                    full_member_on=full,
                    from_org_id=branch_id,
                    from_org_name=branch_name,
                    to_org_id=to_id,
                    to_org_name=to_name,
                    reason=rng.choice(Transfer.Reason.values),
                    dues_paid_through=add_months(issued.replace(day=1), -1),
                    issued_on=issued,
                    valid_months=3,
                    valid_until=valid_until,
                    status=Transfer.Status.RECEIVED if received else Transfer.Status.ISSUED,
                    received_on=min(issued + dt.timedelta(days=10), today) if received else None,
                )
            )
        with transaction.atomic():
            created = insert_objects(Transfer, rows)
            through.objects.bulk_create(
                [
                    through(transfer_id=t.pk, partyorg_id=org_id)
                    for t in created
                    for org_id in {t.from_org_id, t.to_org_id} - {None}
                ],
                batch_size=BATCH,
            )
        counts["transfers"] += len(created)
    mobiles = [
        MobileMember(
            person_id=person_id,
            branch_id=branch_id,
            destination="外省某市",
            since=add_months(today, -rng.randint(1, 11)),
        )
        for person_id, branch_id, *_rest in rng.sample(members, len(members) * 3 // 100)
    ]
    with transaction.atomic():
        insert_objects(MobileMember, mobiles)
    counts["mobile"] = len(mobiles)
    return counts


BENCH_CASES: list[tuple[str, str, str]] = [
    ("组织关系转接 列表", "office", "/transfers/"),
    ("组织关系转接 逾期未回执", "office", "/transfers/?overdue=on"),
    ("组织关系转接 搜索", "office", "/transfers/?q=zh"),
    ("组织关系转接 支部书记 列表", "secretary", "/transfers/"),
    ("流动党员 列表", "office", "/transfers/mobile/"),
    ("流动党员 超期未转接", "office", "/transfers/mobile/?flagged=on"),
    ("API 组织关系转接列表", "office", "/api/v1/transfers"),
]
