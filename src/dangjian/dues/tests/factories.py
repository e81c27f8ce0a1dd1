"""Plain rows for dues tests (workflow checks go through the services)."""

import datetime as dt
from decimal import Decimal

from dangjian.dues.models import DuesBase, DuesPayment


def base(person, month: dt.date, amount="4000", category="employed", **extra) -> DuesBase:
    return DuesBase.objects.create(
        person=person,
        effective_month=month,
        category=category,
        amount=Decimal(amount),
        **extra,
    )


def paid(person, month: dt.date, amount, *, paid_on=None, **extra) -> DuesPayment:
    amount = Decimal(amount)
    return DuesPayment.objects.create(
        person=person,
        month=month,
        due=amount,
        amount=amount,
        paid_on=paid_on or month,
        method="cash",
        **extra,
    )
