"""dues_paid_through: 「党费交至」 for the transfer letter."""

import datetime as dt

from dangjian.dues.selectors import dues_paid_through

from .factories import base, paid

TODAY = dt.date(2025, 6, 15)


def test_none_without_a_base(cast):
    assert dues_paid_through(cast.people.member, today=TODAY) is None


def test_none_for_a_person_who_is_no_member(cast):
    assert dues_paid_through(cast.people.manager, today=TODAY) is None


def test_last_month_of_an_unbroken_run(cast):
    person = cast.people.member
    base(person, dt.date(2025, 1, 1), "4000")  # 1% → 40.00
    for month in (1, 2, 3, 4):
        paid(person, dt.date(2025, month, 1), "40.00")
    paid(person, dt.date(2025, 6, 1), "40.00")  # May missing: the run stops at April
    assert dues_paid_through(person, today=TODAY) == dt.date(2025, 4, 1)


def test_nothing_paid_is_none(cast):
    person = cast.people.member
    base(person, dt.date(2025, 1, 1), "4000")
    assert dues_paid_through(person, today=TODAY) is None


def test_underpaid_month_breaks_the_run(cast):
    person = cast.people.member
    base(person, dt.date(2025, 1, 1), "4000")
    paid(person, dt.date(2025, 1, 1), "40.00")
    base(person, dt.date(2025, 2, 1), "6000")  # 1.5% → 90.00
    paid(person, dt.date(2025, 2, 1), "40.00")
    assert dues_paid_through(person, today=TODAY) == dt.date(2025, 1, 1)


def test_quarterly_advance_counts(cast):
    person = cast.people.member
    base(person, dt.date(2025, 4, 1), "3000")  # 0.5% → 15.00
    for month in (4, 5, 6, 7, 8):
        paid(person, dt.date(2025, month, 1), "15.00", paid_on=dt.date(2025, 4, 2))
    assert dues_paid_through(person, today=TODAY) == dt.date(2025, 8, 1)


def test_exempt_months_are_settled_up_to_now(cast):
    person = cast.people.member
    base(person, dt.date(2025, 1, 1), "800", category="hardship", approved_amount=0)
    assert dues_paid_through(person, today=TODAY) == dt.date(2025, 6, 1)


def test_ledger_starts_with_the_month_of_joining(cast):
    """预备党员 pay from the month the 支部大会 accepted them: earlier months are not owed."""
    person = cast.people.probationary
    person.membership.joined_on = dt.date(2025, 3, 20)
    person.membership.save()
    base(person, dt.date(2025, 1, 1), "3000")
    paid(person, dt.date(2025, 3, 1), "15.00")
    assert dues_paid_through(person, today=TODAY) == dt.date(2025, 3, 1)
