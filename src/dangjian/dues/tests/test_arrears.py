"""Arrears: the six-month flag, told to the secretary once; the overviews."""

import datetime as dt

from dangjian.dues import selectors, services
from dangjian.dues.models import ArrearsFlag
from dangjian.notifications.models import Message

from .factories import base, paid

TODAY = dt.date(2025, 8, 10)


def test_six_consecutive_unpaid_months_flag_and_notify_once(cast):
    member = cast.people.member
    base(member, dt.date(2024, 1, 1), "4000")
    for month in range(1, 13):
        paid(member, dt.date(2024, month, 1), "40.00")
    paid(member, dt.date(2025, 1, 1), "40.00")  # then Feb–Jul 2025 unpaid: six months
    base(cast.people.probationary, dt.date(2025, 3, 1), "3000")  # five months only
    result = services.dues_arrears_scan(today=TODAY)
    assert result == {"flagged": 1, "branches_notified": 1}
    flag = ArrearsFlag.objects.get()
    assert (flag.person, flag.months, flag.first_unpaid_month) == (member, 6, dt.date(2025, 2, 1))
    assert flag.notified_at is not None
    message = Message.objects.get()
    assert "李四（6个月）" in message.body
    assert message.deliveries.filter(user=cast.secretary).exists()
    # Next morning: nothing new, nobody told again.
    assert services.dues_arrears_scan(today=TODAY + dt.timedelta(days=1))["flagged"] == 0
    assert Message.objects.count() == 1


def test_exempt_member_is_not_flagged(cast):
    base(cast.people.member, dt.date(2024, 1, 1), "800", category="hardship", approved_amount=0)
    assert services.dues_arrears_scan(today=TODAY)["flagged"] == 0


def test_resolve_closes_the_flag(cast):
    base(cast.people.member, dt.date(2024, 1, 1), "4000")
    services.dues_arrears_scan(today=TODAY)
    flag = ArrearsFlag.objects.get()
    services.arrears_flag_resolve(actor=cast.secretary, flag=flag, resolution="已谈话，本人补交")
    flag.refresh_from_db()
    assert flag.resolved_on is not None


def test_branch_arrears_lists_members_behind(cast):
    base(cast.people.member, dt.date(2025, 1, 1), "4000")
    base(cast.people.secretary, dt.date(2025, 1, 1), "6000")
    for month in range(1, 8):
        paid(cast.people.secretary, dt.date(2025, month, 1), "90.00")
    ledgers = selectors.branch_arrears(cast.secretary, cast.city.east_branch, today=TODAY)
    assert [lg.person for lg in ledgers] == [cast.people.member]
    assert len(ledgers[0].arrears) == 7 and ledgers[0].trailing_unpaid[0] == 7
    assert selectors.branch_arrears(cast.outsider, cast.city.east_branch, today=TODAY) == []


def test_company_arrears_counts_per_branch(cast):
    base(cast.people.member, dt.date(2025, 1, 1), "4000")
    base(cast.people.secretary, dt.date(2025, 1, 1), "6000")
    paid(cast.people.secretary, dt.date(2025, 7, 1), "90.00")
    base(
        cast.people.west_member, dt.date(2025, 1, 1), "800", category="hardship", approved_amount=0
    )
    rows = {r["branch__name"]: r for r in selectors.company_arrears(cast.office, today=TODAY)}
    assert rows["东湖县局党支部"]["members"] == 3
    assert rows["东湖县局党支部"]["behind"] == 1  # the probationary has no base yet
    assert rows["西山县局党支部"]["behind"] == 0
    outsider_rows = selectors.company_arrears(cast.outsider, today=TODAY)
    assert [r["branch__name"] for r in outsider_rows] == ["西山县局党支部"]


def test_company_arrears_uses_the_latest_base_up_to_the_last_closed_month(cast):
    # An exemption that ended, one that started later, one not yet in force; a payment made
    # ahead for the current month counts as paid for the closed one too.
    member, secretary = cast.people.member, cast.people.secretary
    base(member, dt.date(2025, 1, 1), "800", category="hardship", approved_amount=0)
    base(member, dt.date(2025, 5, 1), "4000")
    base(secretary, dt.date(2025, 1, 1), "6000")
    base(secretary, dt.date(2025, 6, 1), "800", category="hardship", approved_amount=0)
    base(cast.people.probationary, dt.date(2025, 1, 1), "3000")
    base(
        cast.people.probationary, dt.date(2025, 8, 1), "800", category="hardship", approved_amount=0
    )
    paid(cast.people.probationary, dt.date(2025, 8, 1), "30.00")
    rows = {r["branch__name"]: r for r in selectors.company_arrears(cast.office, today=TODAY)}
    assert (rows["东湖县局党支部"]["members"], rows["东湖县局党支部"]["behind"]) == (3, 1)
    assert [r["branch__name"] for r in selectors.company_arrears(cast.office, today=TODAY)] == [
        "东湖县局党支部",
        "西山县局党支部",
    ]
