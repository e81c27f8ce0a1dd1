"""Correcting a recorded payment: a reversal and a new entry with a reason, never an edit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.dues import services
from dangjian.dues.models import DuesCorrection, DuesPayment

from .factories import base, paid

THIS = timezone.localdate().replace(day=1)
JAN = dt.date(THIS.year, 1, 1)


@pytest.fixture
def wrong(cast):
    """李四 (base 4000 → 40.00 a month) recorded with 20.00 by mistake."""
    base(cast.people.member, JAN, "4000")
    return paid(cast.people.member, JAN, "20.00", paid_on=JAN)


def test_an_amendment_reverses_the_entry_and_records_the_right_one(cast, wrong):
    correction = services.dues_payment_correct(
        actor=cast.secretary,
        payment=wrong,
        reason="金额录错",
        amount="40",
        paid_on=JAN,
        method="bank",
    )
    new = DuesPayment.objects.get(person=cast.people.member, month=JAN)
    assert new.pk != wrong.pk and new.amount == Decimal("40.00") and new.method == "bank"
    assert "金额录错" in new.note
    assert correction.reversed_amount == Decimal("20.00") and correction.new_amount == new.amount
    assert correction.corrected_by == cast.secretary and not correction.reverses_only


def test_the_new_entry_passes_the_same_checks_and_nothing_changes_if_refused(cast, wrong):
    with pytest.raises(ValidationError) as refused:
        services.dues_payment_correct(
            actor=cast.secretary, payment=wrong, reason="改金额", amount="30", paid_on=JAN,
            method="cash",
        )  # fmt: skip
    assert "少于应交 40.00 元" in str(refused.value.message_dict["amount"])
    assert DuesPayment.objects.get().pk == wrong.pk and not DuesCorrection.objects.exists()


def test_a_reason_is_required_and_a_no_op_is_refused(cast, wrong):
    with pytest.raises(ValidationError) as no_reason:
        services.dues_payment_correct(actor=cast.secretary, payment=wrong, reason=" ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError, match="与原记录相同"):
        services.dues_payment_correct(
            actor=cast.secretary, payment=wrong, reason="x", amount="20.00", paid_on=JAN,
            method="cash",
        )  # fmt: skip


def test_a_payment_on_the_wrong_month_moves_to_a_free_month_only(cast, wrong):
    feb = dt.date(THIS.year, 2, 1)
    if feb > THIS:
        pytest.skip("February is not yet due")
    paid(cast.people.member, feb, "40.00")
    with pytest.raises(ValidationError, match="已经登记交纳"):
        services.dues_payment_correct(
            actor=cast.secretary, payment=wrong, reason="月份录错", month=feb, amount="40",
            paid_on=JAN, method="cash",
        )  # fmt: skip


def test_reverse_only_leaves_the_month_unpaid(cast, wrong):
    correction = services.dues_payment_correct(
        actor=cast.secretary, payment=wrong, reason="记到了李四名下", reverse_only=True
    )
    assert not DuesPayment.objects.exists() and correction.reverses_only


def test_only_ledger_keepers_may_correct(cast, wrong):
    for user in (cast.member, cast.outsider, cast.auditor):
        with pytest.raises(PermissionDenied):
            services.dues_payment_correct(actor=user, payment=wrong, reason="x", reverse_only=True)
    assert DuesPayment.objects.get().pk == wrong.pk


def test_the_secretary_corrects_in_the_browser_and_the_page_shows_both(login, cast, wrong):
    client = login(cast.secretary)
    url = reverse("dues:payment_correct", args=[wrong.pk])
    form = client.get(url)
    assert form.status_code == 200 and "20.00" in form.content.decode()
    refused = client.post(url, {"action": "amend", "reason": ""})
    assert "更正原因：此项为必填项" in refused.content.decode()
    response = client.post(
        url,
        {
            "action": "amend",
            "month": f"{JAN:%Y-%m}",
            "amount": "40",
            "paid_on": JAN.isoformat(),
            "method": "cash",
            "reason": "金额录错",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("dues:member", args=[cast.people.member.pk]), {"year": JAN.year})
    text = page.content.decode()
    assert "更正记录" in text and "<s>" in text and "金额录错" in text
    assert "20.00" in text and "40.00" in text and "已更正" in text
    # The member reads the history of his own ledger, without the correct buttons.
    mine = login(cast.member).get(reverse("dues:mine"), {"year": JAN.year}).content.decode()
    assert "金额录错" in mine and "dues/payment/" not in mine


def test_the_correction_page_is_404_outside_the_scope(login, cast, wrong):
    url = reverse("dues:payment_correct", args=[wrong.pk])
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.member).get(url).status_code == 404
    assert login(cast.member).post(url, {"action": "reverse", "reason": "x"}).status_code == 404
    assert DuesPayment.objects.get().pk == wrong.pk
