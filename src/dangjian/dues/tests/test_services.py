"""Recording bases and payments: every refusal of RULES §3 has a test."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.dues import services
from dangjian.dues.models import DuesBase, DuesPayment, ExtraPayment
from dangjian.platform.models import AuditEvent

from .factories import base

TODAY = dt.date(2025, 6, 15)


def pay(cast, month, amount="40.00", paid_on=dt.date(2025, 6, 10), **kw):
    return services.dues_payment_add(
        actor=cast.secretary,
        person=kw.pop("person", cast.people.member),
        month=month,
        amount=amount,
        paid_on=paid_on,
        method=kw.pop("method", "cash"),
        today=TODAY,
        **kw,
    )


@pytest.fixture
def based(cast):
    base(cast.people.member, dt.date(2024, 1, 1), "4000")  # 1% → 40.00
    return cast


def test_base_add_computes_and_audits(cast):
    b = services.dues_base_add(
        actor=cast.secretary,
        person=cast.people.member,
        effective_month=dt.date(2025, 3, 9),
        category="employed",
        amount="5000.01",
    )
    assert b.effective_month == dt.date(2025, 3, 1)
    assert b.monthly_due == Decimal("75.00")
    assert AuditEvent.objects.filter(verb="dues.base_add").exists()


@pytest.mark.parametrize("amount,message", [("-1", "负数"), ("三千", "不是数字"), ("", "请填写")])
def test_bad_base_is_refused_naming_the_field(cast, amount, message):
    with pytest.raises(ValidationError) as exc:
        services.dues_base_add(
            actor=cast.secretary,
            person=cast.people.member,
            effective_month=dt.date(2025, 3, 1),
            category="employed",
            amount=amount,
        )
    assert "交纳基数" in exc.value.message_dict["amount"][0]
    assert message in exc.value.message_dict["amount"][0]
    assert not DuesBase.objects.exists()


def test_hardship_needs_branch_and_committee_approval(cast):
    with pytest.raises(ValidationError) as exc:
        services.dues_base_add(
            actor=cast.secretary,
            person=cast.people.member,
            effective_month=dt.date(2025, 1, 1),
            category="hardship",
            amount="1500",
            approved_amount="0",
        )
    assert set(exc.value.message_dict) == {"branch_agreed_on", "committee_approval"}
    b = services.dues_base_add(
        actor=cast.secretary,
        person=cast.people.member,
        effective_month=dt.date(2025, 1, 1),
        category="hardship",
        amount="1500",
        approved_amount="0",
        branch_agreed_on=dt.date(2024, 12, 20),
        committee_approval="市公司党委 党字〔2024〕12号",
        committee_approved_on=dt.date(2024, 12, 28),
    )
    assert b.monthly_due == Decimal("0.00")


def test_base_cannot_start_in_a_paid_month(based):
    pay(based, dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="2025年6月"):
        services.dues_base_add(
            actor=based.secretary,
            person=based.people.member,
            effective_month=dt.date(2025, 4, 1),
            category="employed",
            amount="6000",
        )


def test_member_cannot_record_and_outsider_cannot_reach(based):
    with pytest.raises(PermissionDenied):
        services.dues_payment_add(
            actor=based.member,
            person=based.people.member,
            month=dt.date(2025, 5, 1),
            amount="40",
            paid_on=dt.date(2025, 6, 1),
            method="cash",
        )
    with pytest.raises(PermissionDenied):
        services.dues_payment_add(
            actor=based.outsider,
            person=based.people.member,
            month=dt.date(2025, 5, 1),
            amount="40",
            paid_on=dt.date(2025, 6, 1),
            method="cash",
        )


def test_payment_recorded_with_proxy(based):
    p = pay(based, dt.date(2025, 5, 1), proxy_name="李四之妻")
    assert p.due == Decimal("40.00") and p.by_proxy
    assert "代缴" in AuditEvent.objects.get(verb="dues.payment_add").summary


def test_payment_twice_for_the_same_month_is_refused(based):
    pay(based, dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="不能重复交纳"):
        pay(based, dt.date(2025, 5, 1))
    assert DuesPayment.objects.count() == 1


def test_payment_before_joining_is_refused(based):
    m = based.people.member.membership
    m.joined_on = dt.date(2025, 3, 20)
    m.save()
    with pytest.raises(ValidationError, match="早于入党"):
        pay(based, dt.date(2025, 2, 1))


def test_payment_without_base_is_refused(cast):
    with pytest.raises(ValidationError, match="没有核定的党费基数"):
        pay(cast, dt.date(2025, 5, 1))


@pytest.mark.parametrize(
    "amount,message", [("30", "少于应交"), ("50", "自愿多交"), ("-1", "负数"), ("三千", "不是数字")]
)
def test_payment_must_be_the_due(based, amount, message):
    with pytest.raises(ValidationError, match=message):
        pay(based, dt.date(2025, 5, 1), amount=amount)


def test_back_payment_beyond_six_months_needs_a_decision(based):
    # Paid in June 2025 for November 2024: seven months back.
    with pytest.raises(ValidationError) as exc:
        pay(based, dt.date(2024, 11, 1))
    text = exc.value.message_dict["month"][0]
    assert "超过补交期限 6 个月" in text and "党费" in text and "第十一条" in text
    pay(based, dt.date(2024, 12, 1))  # six months back: allowed
    decision = services.dues_decision_add(
        actor=based.secretary,
        person=based.people.member,
        first_month=dt.date(2024, 1, 1),
        last_month=dt.date(2024, 11, 1),
        decided_on=dt.date(2025, 6, 1),
        decision="2025年6月1日支部党员大会：因长期外派，同意补交",
    )
    p = pay(based, dt.date(2024, 11, 1))
    assert p.decision == decision


def test_future_month_needs_quarterly_consent_and_stays_in_the_quarter(based):
    with pytest.raises(ValidationError, match="按季度"):
        pay(based, dt.date(2025, 7, 1), paid_on=dt.date(2025, 4, 2))
    consent = services.dues_consent_add(
        actor=based.secretary,
        person=based.people.member,
        agreed_on=dt.date(2025, 3, 28),
        decision="2025年3月支委会同意按季度交纳",
    )
    assert pay(based, dt.date(2025, 5, 1), paid_on=dt.date(2025, 4, 2)).quarterly_consent == consent
    pay(based, dt.date(2025, 6, 1), paid_on=dt.date(2025, 4, 2))
    with pytest.raises(ValidationError, match="本季度"):
        pay(based, dt.date(2025, 7, 1), paid_on=dt.date(2025, 4, 2))


def test_exempt_month_is_not_paid(cast):
    base(cast.people.member, dt.date(2025, 1, 1), "900", category="hardship", approved_amount=0)
    with pytest.raises(ValidationError, match="免交"):
        pay(cast, dt.date(2025, 5, 1), amount="1")


def test_paid_on_in_the_future_is_refused(based):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        pay(based, dt.date(2025, 6, 1), paid_on=dt.date(2025, 6, 20))


def test_bulk_is_all_or_nothing(based):
    base(based.people.probationary, dt.date(2024, 1, 1), "3000")  # 15.00
    rows = [
        services.BulkRow(based.people.member, "40.00", dt.date(2025, 6, 1), "cash"),
        services.BulkRow(based.people.probationary, "14", dt.date(2025, 6, 1), "cash"),
    ]
    with pytest.raises(services.BulkRejected) as exc:
        services.dues_payments_bulk(
            actor=based.secretary,
            branch=based.city.east_branch,
            month=dt.date(2025, 5, 1),
            rows=rows,
            today=TODAY,
        )
    assert list(exc.value.errors) == [based.people.probationary.pk]
    assert not DuesPayment.objects.exists()
    rows[1].amount = "15"
    saved = services.dues_payments_bulk(
        actor=based.secretary,
        branch=based.city.east_branch,
        month=dt.date(2025, 5, 1),
        rows=rows,
        today=TODAY,
    )
    assert len(saved) == 2


def test_bulk_refuses_a_member_of_another_branch(based):
    with pytest.raises(services.BulkRejected):
        services.dues_payments_bulk(
            actor=based.office,
            branch=based.city.east_branch,
            month=dt.date(2025, 5, 1),
            rows=[services.BulkRow(based.people.west_member, "1", dt.date(2025, 6, 1), "cash")],
            today=TODAY,
        )


def test_extra_payment_is_kept_apart(based):
    services.dues_extra_add(
        actor=based.secretary,
        person=based.people.member,
        amount="1000",
        paid_on=dt.date(2025, 6, 1),
        method="bank",
        note="自愿交纳特殊党费",
    )
    assert ExtraPayment.objects.count() == 1 and not DuesPayment.objects.exists()
    with pytest.raises(ValidationError):
        services.dues_extra_add(
            actor=based.secretary,
            person=based.people.member,
            amount="-5",
            paid_on=dt.date(2025, 6, 1),
            method="bank",
        )
