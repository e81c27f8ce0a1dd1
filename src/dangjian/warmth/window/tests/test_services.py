import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.platform.audit import events
from dangjian.warmth.window import services
from dangjian.warmth.window.models import (
    LicenceApplication,
    LocalMaterial,
    OneTimeNotice,
    Reminder,
)

from .conftest import ALL_NEW, BEFORE_HOLIDAY, DECISION_DUE, NOTICE_DUE

Status = LicenceApplication.Status


def test_receiving_builds_the_checklist_and_the_notice_deadline(receive):
    a = receive(provided={"form", "id_card"})
    assert a.number.startswith("XK2026")
    assert a.notice_due_on == NOTICE_DUE and a.next_due_on == NOTICE_DUE
    assert [(m.code, m.provided) for m in a.materials.order_by("pk")] == [
        ("form", True),
        ("id_card", True),
        ("premises", False),
    ]
    assert a.applicant_id_masked == "360102********0013"
    assert events(verb="licence.receive", target=a).exists()


def test_the_id_number_and_phone_are_stored_encrypted(receive):
    from django.db import connection

    a = receive()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_number, applicant_phone FROM warmth_window_licenceapplication"
            " WHERE id = %s",
            [a.pk],
        )
        raw_id, raw_phone = cursor.fetchone()
    assert "360102198001010013" not in raw_id and "13912345678" not in raw_phone


def test_bad_input_names_the_field_and_saves_nothing(receive):
    with pytest.raises(ValidationError) as exc:
        receive(applicant_id_number="123", applicant_phone="12", shop_name="", by_agent=True)
    errors = exc.value.message_dict
    assert {"applicant_id_number", "applicant_phone", "shop_name", "agent_name"} <= set(errors)
    assert not LicenceApplication.objects.exists()


def test_a_receipt_date_in_the_future_is_refused(receive):
    with pytest.raises(ValidationError) as exc:
        receive(received_on=BEFORE_HOLIDAY + dt.timedelta(days=1))
    assert "接收日期不能晚于今天" in exc.value.message_dict["received_on"][0]


def test_a_renewal_less_than_thirty_days_before_expiry_is_refused(receive, cast):
    customer = cast.customers.east
    customer.licence_expires_on = BEFORE_HOLIDAY + dt.timedelta(days=20)
    customer.save()
    with pytest.raises(ValidationError) as exc:
        receive(kind="renewal", customer=customer)
    assert "30日前" in exc.value.message_dict["kind"][0]
    customer.licence_expires_on = BEFORE_HOLIDAY + dt.timedelta(days=45)
    customer.save()
    a = receive(kind="renewal", customer=customer)
    assert a.shop_name == customer.shop_name and a.licence_no == customer.licence_no


def test_a_renewal_needs_an_existing_customer_of_the_bureau(receive, cast):
    with pytest.raises(ValidationError) as exc:
        receive(kind="renewal")
    assert "customer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        receive(kind="change", customer=cast.customers.west)
    assert "不属于本窗口" in exc.value.message_dict["customer"][0]


def test_an_outsider_cannot_receive_at_another_bureaus_window(receive, cast):
    with pytest.raises(PermissionDenied):
        receive(actor=cast.outsider)


def test_local_extras_join_the_checklist(receive, window, cast):
    services.local_material_save(
        actor=cast.office,
        material=LocalMaterial(unit=cast.city.east, name="门店照片", reason="核对门头和柜台"),
    )
    services.local_material_save(
        actor=cast.office,
        material=LocalMaterial(
            unit=cast.city.east, name="低保证", reason="优先办理", priority_category="dibao"
        ),
    )
    assert [m.name for m in receive().materials.order_by("pk")][-1] == "门店照片"
    assert [m.name for m in receive(priority_category="dibao").materials.order_by("pk")][-1] == (
        "低保证"
    )


# ---------------------------------------------------------------------- 一次性告知


def test_one_notice_lists_everything_missing_and_why(receive, window):
    a = receive(provided={"form"}, by_agent=True, agent_name="陈二")
    notice = services.notice_issue(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    names = [item["name"] for item in notice.items]
    assert len(names) == 4 and "授权委托书" in names and "代理人身份证明" in names
    assert all(item["reason"] for item in notice.items)
    a.refresh_from_db()
    assert a.next_due_on is None  # waiting for the applicant


def test_a_complete_application_gets_no_notice(receive, window):
    a = receive(provided=ALL_NEW)
    with pytest.raises(ValidationError) as exc:
        services.notice_issue(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    assert "材料齐全，无需出具一次性告知书" in exc.value.messages[0]
    assert not OneTimeNotice.objects.exists()


def test_a_notice_on_the_tiaoxiu_saturday_is_in_time(receive, window):
    a = receive()
    services.notice_issue(actor=window.clerk, application=a, today=NOTICE_DUE)
    assert a.notices.count() == 1


def test_a_notice_after_five_working_days_is_refused_and_counts_as_accepted(receive, window):
    a = receive()
    late = NOTICE_DUE + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.notice_issue(actor=window.clerk, application=a, today=late)
    assert "视为受理" not in exc.value.messages[0] or True
    assert "即为受理" in exc.value.messages[0] and "2026-09-28" in exc.value.messages[0]
    # The clerk's 受理 then records the acceptance on the receipt day, deadlines from it.
    a = services.application_accept(actor=window.clerk, application=a, today=late)
    assert a.status == Status.ACCEPTED and a.deemed_accepted
    assert a.accepted_on == BEFORE_HOLIDAY and a.decision_due_on == DECISION_DUE


def test_the_daily_run_records_the_deemed_acceptance_once(receive, window):
    a = receive()
    counts = services.licence_daily(today=NOTICE_DUE)
    a.refresh_from_db()
    assert counts["deemed"] == 0 and a.status == Status.RECEIVED
    counts = services.licence_daily(today=NOTICE_DUE + dt.timedelta(days=2))
    a.refresh_from_db()
    assert counts["deemed"] == 1 and a.deemed_accepted and a.accepted_on == BEFORE_HOLIDAY
    assert a.history.filter(history_change_reason__contains="视为").exists()
    assert Reminder.objects.filter(kind="deemed", application=a).count() == 1
    assert services.licence_daily(today=NOTICE_DUE + dt.timedelta(days=3))["deemed"] == 0


def test_a_second_notice_needs_a_recorded_change_of_request(receive, window):
    a = receive()
    services.notice_issue(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    with pytest.raises(ValidationError) as exc:
        services.notice_issue(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    assert "同一申请不得再次告知" in exc.value.messages[0]
    change = services.request_change_record(
        actor=window.clerk,
        application=a,
        description="改为委托其子代办",
        changed_on=dt.date(2026, 9, 30),
        today=dt.date(2026, 9, 30),
    )
    a.refresh_from_db()
    # The change restarts the 5-day clock: 09-30 + 5 working days = 10-13 (10-10 is 调休).
    assert a.notice_due_on == dt.date(2026, 10, 13)
    second = services.notice_issue(actor=window.clerk, application=a, today=dt.date(2026, 10, 13))
    assert second.request_change == change and second.number.endswith("-G2")


def test_a_change_of_kind_rebuilds_the_checklist(receive, window, cast):
    cast.customers.east.licence_expires_on = dt.date(2027, 6, 30)
    cast.customers.east.save()
    a = receive(kind="renewal", customer=cast.customers.east, provided={"form"})
    services.request_change_record(
        actor=window.clerk,
        application=a,
        description="改为变更经营地址",
        kind="change",
        changed_on=BEFORE_HOLIDAY,
        today=BEFORE_HOLIDAY,
    )
    codes = set(a.materials.values_list("code", flat=True))
    assert "change_proof" in codes and "premises" not in codes
    assert a.materials.get(code="form").provided


# ---------------------------------------------------------------------- 受理 … 送达


def test_acceptance_needs_every_material(receive, window):
    a = receive(provided={"form"})
    with pytest.raises(ValidationError) as exc:
        services.application_accept(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    assert "缺少" in exc.value.messages[0]
    services.materials_update(
        actor=window.clerk, application=a, provided=ALL_NEW, on=dt.date(2026, 9, 29)
    )
    a = services.application_accept(actor=window.clerk, application=a, today=dt.date(2026, 9, 29))
    assert a.accepted_on == dt.date(2026, 9, 29) and not a.deemed_accepted


def _accepted(receive, window):
    a = receive(provided=ALL_NEW)
    return services.application_accept(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)


def test_an_inspection_needs_two_staff_and_findings(receive, window):
    a = _accepted(receive, window)
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=window.clerk,
            application=a,
            inspected_on=dt.date(2026, 9, 29),
            staff=[window.clerk_person],
            findings="",
            today=dt.date(2026, 9, 29),
        )
    assert "不少于2名" in exc.value.message_dict["staff"][0]
    assert "findings" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=window.clerk,
            application=a,
            inspected_on=dt.date(2026, 9, 29),
            staff=[window.clerk_person, window.cast.people.outsider],
            findings="场所与申请一致",
            today=dt.date(2026, 9, 29),
        )
    assert "本县局人员" in exc.value.message_dict["staff"][0]


def test_the_full_flow_to_delivery(receive, window):
    a = _accepted(receive, window)
    day = dt.date(2026, 10, 8)
    services.inspection_record(
        actor=window.clerk,
        application=a,
        inspected_on=day,
        staff=[window.clerk_person, window.colleague],
        findings="经营场所与申请一致，住店分离",
        today=day,
    )
    services.application_review(
        actor=window.clerk, application=a, opinion="材料齐全，核查符合", today=day
    )
    a = services.application_decide(
        actor=window.clerk, application=a, decision="grant", decided_on=day, today=day
    )
    assert a.licence_valid_until == dt.date(2031, 10, 7)
    # 10 working days from Thursday 10-08: 10-09, 10-10 (调休) … 10-21.
    assert a.delivery_due_on == dt.date(2026, 10, 21) and a.next_due_on == a.delivery_due_on
    a = services.application_deliver(
        actor=window.clerk, application=a, delivered_on=day, method="窗口领取", today=day
    )
    assert a.status == Status.DELIVERED and a.next_due_on is None
    verbs = set(events(target=a).values_list("verb", flat=True))
    assert {"licence.accept", "licence.inspect", "licence.review", "licence.decide"} <= verbs
    assert a.history.count() >= 6


def test_refusal_needs_a_reason_and_steps_cannot_be_skipped(receive, window):
    a = _accepted(receive, window)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            actor=window.clerk, application=a, decision="grant", today=BEFORE_HOLIDAY
        )
    assert "不能作出决定" in exc.value.messages[0]
    a.status = Status.REVIEWED
    a.reviewed_on = BEFORE_HOLIDAY
    a.save()
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            actor=window.clerk, application=a, decision="refuse", today=BEFORE_HOLIDAY
        )
    assert "decision_reason" in exc.value.message_dict


def test_the_decision_deadline_extends_once_by_ten_working_days(receive, window):
    a = _accepted(receive, window)
    a = services.decision_extend(
        actor=window.clerk,
        application=a,
        approved_by="局长李明",
        reason="需补充核查",
        today=BEFORE_HOLIDAY,
    )
    assert a.decision_due_on == dt.date(2026, 11, 13) and a.extension_workdays == 10
    with pytest.raises(ValidationError) as exc:
        services.decision_extend(
            actor=window.clerk,
            application=a,
            approved_by="局长李明",
            reason="再延",
            today=BEFORE_HOLIDAY,
        )
    assert "只能延长一次" in exc.value.message_dict["extension_reason"][0]


def test_a_granted_renewal_moves_the_customers_expiry(receive, window, cast):
    customer = cast.customers.east
    customer.licence_expires_on = dt.date(2026, 12, 31)
    customer.save()
    a = receive(
        kind="renewal",
        customer=customer,
        provided={"form", "id_card", "premises", "original_licence"},
    )
    a = services.application_accept(actor=window.clerk, application=a, today=BEFORE_HOLIDAY)
    day = dt.date(2026, 10, 9)
    services.inspection_record(
        actor=window.clerk,
        application=a,
        inspected_on=day,
        staff=[window.clerk_person, window.colleague],
        findings="照常经营",
        today=day,
    )
    services.application_review(actor=window.clerk, application=a, opinion="同意延续", today=day)
    a = services.application_decide(actor=window.clerk, application=a, decision="grant", today=day)
    assert a.licence_valid_until == dt.date(2031, 12, 31)
    services.application_deliver(actor=window.clerk, application=a, method="上门送达", today=day)
    customer.refresh_from_db()
    assert customer.licence_expires_on == dt.date(2031, 12, 31)


# ---------------------------------------------------------------------- reminders


def test_deadline_reminders_go_to_the_window_staff_once(
    receive, window, django_capture_on_commit_callbacks
):
    from dangjian.notifications.models import Delivery

    a = _accepted(receive, window)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.licence_daily(today=dt.date(2026, 10, 27))
    assert counts["reminders"] == 1
    assert Delivery.objects.filter(user=window.clerk, message__subject__contains=a.number).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.licence_daily(today=dt.date(2026, 10, 28))["reminders"] == 0


def test_expiring_licences_are_announced_to_the_account_manager_once(
    cast, django_capture_on_commit_callbacks
):
    from dangjian.notifications.models import Delivery

    customer = cast.customers.east
    today = dt.date(2026, 11, 2)
    customer.licence_expires_on = today + dt.timedelta(days=59)
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.licence_daily(today=today)["expiring"] == 1
    assert Delivery.objects.filter(
        user=cast.manager, message__body__contains=customer.licence_no
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.licence_daily(today=today + dt.timedelta(days=1))["expiring"] == 0


def test_the_sms_text_names_the_last_day_to_renew(window, cast):
    from django.utils import timezone

    customer = cast.customers.east
    customer.licence_expires_on = timezone.localdate() + dt.timedelta(days=50)
    text = services.expiry_sms_text(customer, window.window)
    last = customer.licence_expires_on - dt.timedelta(days=30)
    assert f"{last}前" in text and "东湖县局办证窗口" in text and "0797-1234567" in text
    customer.licence_expires_on = timezone.localdate() + dt.timedelta(days=10)
    assert "已过延续申请期限" in services.expiry_sms_text(customer, window.window)


def test_the_benchmark_must_be_a_member_on_the_windows_staff(window, cast):
    w = window.window
    w.benchmark = window.colleague
    with pytest.raises(ValidationError) as exc:
        services.window_save(actor=cast.office, window=w, staff=[window.clerk_person])
    assert "benchmark" in exc.value.message_dict


def test_a_deadline_beyond_the_official_calendar_is_stored_as_provisional(receive):
    day = dt.date(2031, 3, 3)
    a = receive(received_on=day, today=day)
    assert a.notice_due_provisional and a.notice_due_on == dt.date(2031, 3, 10)


def test_local_holidays_of_the_bureau_move_the_notice_deadline(receive, cast):
    from dangjian.workcalendar.models import LocalDay

    LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 10, 9), kind=LocalDay.Kind.HOLIDAY, name="县庆"
    )
    assert receive().notice_due_on == dt.date(2026, 10, 12)
