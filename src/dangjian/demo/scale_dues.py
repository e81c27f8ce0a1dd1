"""Scale data for dues on top of ``demo.scale`` (2 000 branches, ~30 000 members): one base
per member from the start of the window and ``years`` years of monthly payments (~95% paid;
about 3% of members stop paying for the last 3–9 months so the arrears view and the flag
scan have work). Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no audit rows (scale data, not user edits).
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.dues import rules
from dangjian.dues.models import DuesBase, DuesPayment
from dangjian.people.models import Membership

from .scale import PREFIX, insert_objects

BATCH = 10000


def generate(*, years: int = 5, seed: int = 11) -> dict:
    """Add bases and ``years`` years of ledgers for every scale member; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    this_month = rules.month_start(today)
    first = rules.add_months(this_month, -12 * years)
    rows = Membership.objects.filter(
        branch__code__startswith=f"{PREFIX}-", standing="normal"
    ).values_list("person_id", "joined_on")
    counts = {"bases": 0, "payments": 0}
    bases: list[DuesBase] = []
    payments: list[DuesPayment] = []

    def flush(force=False):
        if len(bases) >= BATCH or (force and bases):
            insert_objects(DuesBase, bases)
            counts["bases"] += len(bases)
            bases.clear()
        if len(payments) >= BATCH or (force and payments):
            insert_objects(DuesPayment, payments)
            counts["payments"] += len(payments)
            payments.clear()

    with transaction.atomic():
        for person_id, joined_on in rows.iterator(chunk_size=5000):
            category = rules.RETIRED if rng.random() < 0.12 else rules.EMPLOYED
            amount = Decimal(rng.randrange(2600, 12500, 50))
            bases.append(
                DuesBase(
                    person_id=person_id,
                    effective_month=first,
                    category=category,
                    amount=amount,
                )
            )
            due = rules.monthly_dues(amount, category)
            start = max(first, rules.month_start(joined_on))
            months = rules.month_range(start, rules.add_months(this_month, -1))
            stop = len(months) - rng.randint(3, 9) if rng.random() < 0.03 else len(months)
            for index, month in enumerate(months):
                if index >= stop or rng.random() < 0.02:
                    continue
                payments.append(
                    DuesPayment(
                        person_id=person_id,
                        month=month,
                        due=due,
                        amount=due,
                        paid_on=month.replace(day=rng.randint(1, 20)),
                        method="online",
                    )
                )
            flush()
        flush(force=True)
    return counts


BENCH_CASES: list[tuple[str, str, str]] = [
    ("党费 收缴情况（全公司）", "office", "/dues/arrears/"),
    ("党费 连续未交提示", "office", "/dues/flags/"),
    ("党费 支部书记 收缴情况", "secretary", "/dues/arrears/"),
    ("API 党费交纳记录", "office", "/api/v1/dues/payments"),
    ("API 党费计算器", "office", "/api/v1/dues/calculator?base=5000.01&category=employed"),
]
