import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangjian.warmth.window import rules

from .conftest import BEFORE_HOLIDAY, DECISION_DUE, NOTICE_DUE


def codes(items):
    return [i.code for i in items]


def test_a_new_licence_needs_the_national_list():
    assert codes(rules.checklist("new")) == ["form", "id_card", "premises"]


def test_a_business_licence_and_an_agent_add_their_materials():
    items = rules.checklist("new", has_business_licence=True, by_agent=True)
    assert codes(items) == [
        "form",
        "id_card",
        "business_licence",
        "premises",
        "authorisation",
        "agent_id",
    ]


def test_renewal_change_suspension_and_cancellation_return_the_licence():
    for kind in ("renewal", "change", "suspension", "cancellation"):
        assert "original_licence" in codes(rules.checklist(kind))
    assert "change_proof" in codes(rules.checklist("change"))


def test_local_extras_apply_by_kind_and_priority_category():
    extras = [
        rules.LocalExtra("local-1", "门店照片", "核对门头", ""),
        rules.LocalExtra("local-2", "住店分离承诺书", "住店分离", "new"),
        rules.LocalExtra("local-3", "残疾证", "优先照顾", "", "disabled"),
    ]
    assert codes(rules.checklist("renewal", local_extras=extras))[-1] == "local-1"
    new = codes(rules.checklist("new", local_extras=extras, priority_category="disabled"))
    assert new[-3:] == ["local-1", "local-2", "local-3"]


def test_the_notice_deadline_counts_working_days_over_national_day_and_its_tiaoxiu():
    due = rules.notice_deadline(BEFORE_HOLIDAY, 5)
    assert due.value == NOTICE_DUE and not due.provisional


def test_the_decision_deadline_is_twenty_working_days_plus_ten_when_extended():
    assert rules.decision_deadline(BEFORE_HOLIDAY, 20).value == DECISION_DUE
    assert rules.decision_deadline(BEFORE_HOLIDAY, 20, 10).value == dt.date(2026, 11, 13)


def test_a_deadline_in_a_year_without_official_data_is_provisional():
    assert rules.notice_deadline(dt.date(2031, 3, 3), 5).provisional


def test_a_missed_notice_deadline_counts_as_accepted_on_receipt():
    assert not rules.counts_as_accepted_on_receipt(
        notice_due_on=NOTICE_DUE, notice_issued_on=None, today=NOTICE_DUE
    )
    assert rules.counts_as_accepted_on_receipt(
        notice_due_on=NOTICE_DUE, notice_issued_on=None, today=NOTICE_DUE + dt.timedelta(days=1)
    )
    assert not rules.counts_as_accepted_on_receipt(
        notice_due_on=NOTICE_DUE, notice_issued_on=NOTICE_DUE, today=dt.date(2026, 12, 1)
    )


def test_renewal_must_be_applied_for_thirty_days_before_expiry():
    expires = dt.date(2026, 12, 31)
    assert rules.renewal_in_time(dt.date(2026, 12, 1), expires, 30)
    assert not rules.renewal_in_time(dt.date(2026, 12, 2), expires, 30)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_a_licence_runs_five_years_less_a_day(start):
    end = rules.licence_valid_until(start, 5)
    assert (
        dt.timedelta(days=365 * 5)
        <= end - start + dt.timedelta(days=1)
        <= dt.timedelta(days=366 * 5)
    )


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_the_notice_deadline_is_on_a_working_day_after_receipt(received):
    from dangjian.platform.workdays import is_working_day

    due = rules.notice_deadline(received, 5).value
    assert due > received and is_working_day(due).value
