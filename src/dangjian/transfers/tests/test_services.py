import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.notifications.models import Message
from dangjian.people.models import Membership
from dangjian.transfers import selectors, services
from dangjian.transfers.models import MobileMember, Transfer

from .conftest import ISSUED


def test_a_letter_is_numbered_and_valid_for_three_months(issue, cast):
    transfer = issue()
    assert transfer.number == "2026-0001"
    assert transfer.valid_months == 3 and transfer.valid_until == dt.date(2027, 1, 8)
    assert transfer.from_org == cast.city.east_branch
    assert transfer.member_status == "full"
    assert set(transfer.orgs.all()) == {cast.city.east_branch, cast.city.west_branch}
    second = issue(person=cast.people.probationary, to_org=None, to_org_name="外省某党支部")
    assert second.number == "2026-0002"


def test_both_branches_see_an_internal_transfer_and_nobody_else(issue, cast):
    transfer = issue()
    for user in (cast.secretary, cast.outsider, cast.office, cast.member):
        assert Transfer.objects.restrict(user).filter(pk=transfer.pk).exists(), user
    other = issue(person=cast.people.probationary, to_org=None, to_org_name="外省某党支部")
    assert not Transfer.objects.restrict(cast.outsider).filter(pk=other.pk).exists()
    assert not Transfer.objects.restrict(cast.member).filter(pk=other.pk).exists()


def test_validity_beyond_the_rule_is_refused_with_its_source(issue):
    with pytest.raises(ValidationError) as exc:
        issue(valid_months=4)
    assert "1至3个月" in exc.value.message_dict["valid_months"][0]
    assert "组织关系转接" in exc.value.message_dict["valid_months"][0]
    assert not Transfer.objects.exists()


def test_across_provinces_six_months_are_allowed(issue):
    transfer = issue(
        to_org=None, to_org_name="广东省深圳市某公司党委", cross_province=True, valid_months=6
    )
    assert transfer.valid_until == dt.date(2027, 4, 8)


def test_away_less_than_six_months_is_a_mobile_member_not_a_transfer(issue):
    with pytest.raises(ValidationError) as exc:
        issue(
            reason="employment",
            to_org=None,
            to_org_name="浙江省义乌市某党支部",
            away_from=dt.date(2026, 10, 1),
            away_until=dt.date(2027, 2, 1),
        )
    assert "流动党员" in exc.value.message_dict["away_until"][0]
    transfer = issue(
        reason="employment",
        to_org=None,
        to_org_name="浙江省义乌市某党支部",
        away_from=dt.date(2026, 10, 1),
        away_until=dt.date(2027, 4, 1),
    )
    assert transfer.reason == "employment"


def test_bad_destinations_are_refused(issue, cast):
    with pytest.raises(ValidationError) as exc:
        issue(to_org=cast.city.east_branch)
    assert "to_org" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        issue(to_org=None, to_org_name=" ")
    assert "to_org_name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        issue(to_org=cast.city.east_group)


def test_one_open_letter_per_member(issue):
    issue()
    with pytest.raises(ValidationError) as exc:
        issue()
    assert "待回执" in exc.value.message_dict["person"][0]


def test_an_outsider_cannot_issue_for_another_branchs_member(issue, cast):
    with pytest.raises(PermissionDenied):
        issue(actor=cast.outsider)
    with pytest.raises(PermissionDenied):
        issue(actor=cast.member)


def test_the_receiving_branch_confirms_and_the_membership_moves(issue, cast):
    transfer = issue()
    with pytest.raises(PermissionDenied):
        services.transfer_receive(actor=cast.secretary, transfer=transfer, received_on=ISSUED)
    with pytest.raises(ValidationError):
        services.transfer_receive(
            actor=cast.outsider, transfer=transfer, received_on=ISSUED - dt.timedelta(days=1)
        )
    services.transfer_receive(
        actor=cast.outsider, transfer=transfer, received_on=ISSUED + dt.timedelta(days=3)
    )
    membership = Membership.objects.get(person=cast.people.member)
    assert membership.branch == cast.city.west_branch
    assert membership.history.first().prev_record.branch == cast.city.east_branch
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIVED and transfer.received_by == cast.outsider
    with pytest.raises(ValidationError):
        services.transfer_receive(actor=cast.outsider, transfer=transfer, received_on=ISSUED)


def test_a_returned_receipt_from_outside_ends_the_membership(issue, cast):
    transfer = issue(to_org=None, to_org_name="上海市某公司党支部")
    services.transfer_receive(
        actor=cast.secretary, transfer=transfer, received_on=ISSUED, receipt_note="回执第88号"
    )
    assert not Membership.objects.filter(person=cast.people.member).exists()
    assert Membership.history.filter(person_id=cast.people.member.pk, history_type="-").exists()
    cast.people.member.refresh_from_db()  # the person stays


def test_a_member_from_outside_joins_on_receipt(cast):
    person = cast.people.manager
    transfer = services.transfer_register_incoming(
        actor=cast.secretary,
        person=person,
        to_org=cast.city.east_branch,
        from_org_name="福建省厦门市烟草公司某党支部",
        member_status="full",
        joined_on=dt.date(2015, 6, 1),
        full_member_on=dt.date(2016, 6, 1),
        reason="job",
        issued_on=ISSUED,
        valid_months=3,
    )
    assert transfer.from_org is None
    services.transfer_receive(actor=cast.secretary, transfer=transfer, received_on=ISSUED)
    membership = Membership.objects.get(person=person)
    assert membership.branch == cast.city.east_branch and membership.joined_on == dt.date(
        2015, 6, 1
    )


def test_incoming_registration_checks_the_member_data(cast):
    with pytest.raises(ValidationError) as exc:
        services.transfer_register_incoming(
            actor=cast.secretary,
            person=cast.people.member,  # already a member here
            to_org=cast.city.east_branch,
            from_org_name="",
            member_status="full",
            joined_on=dt.date(2015, 6, 1),
            full_member_on=None,
            reason="job",
            issued_on=ISSUED,
            valid_months=9,
        )
    errors = exc.value.message_dict
    assert {"person", "from_org_name", "valid_months", "full_member_on"} <= set(errors)
    with pytest.raises(PermissionDenied):
        services.transfer_register_incoming(
            actor=cast.outsider,
            person=cast.people.manager,
            to_org=cast.city.east_branch,
            from_org_name="x",
            member_status="full",
            joined_on=dt.date(2015, 6, 1),
            full_member_on=dt.date(2016, 6, 1),
            reason="job",
            issued_on=ISSUED,
            valid_months=3,
        )


def test_cancel_needs_a_reason(issue, cast):
    transfer = issue()
    with pytest.raises(ValidationError):
        services.transfer_cancel(actor=cast.secretary, transfer=transfer, reason=" ")
    services.transfer_cancel(actor=cast.secretary, transfer=transfer, reason="本人放弃调动")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED


def _mobile(cast, **extra):
    values = {
        "person": cast.people.member,
        "destination": "广东省深圳市龙岗区",
        "since": dt.date(2026, 3, 1),
        "expected_return": dt.date(2026, 6, 30),
        "contact_phone": "13700001111",
    }
    values.update(extra)
    return MobileMember(**values)


def test_a_mobile_member_is_registered_and_marked(cast):
    mobile = services.mobile_register(actor=cast.secretary, mobile=_mobile(cast))
    assert mobile.branch == cast.city.east_branch
    assert Membership.objects.get(person=cast.people.member).is_mobile
    with pytest.raises(ValidationError):
        services.mobile_register(actor=cast.secretary, mobile=_mobile(cast))
    services.mobile_end(actor=cast.secretary, mobile=mobile, ended_on=dt.date(2026, 6, 20))
    assert not Membership.objects.get(person=cast.people.member).is_mobile


def test_away_six_months_or_more_must_transfer_instead(cast):
    with pytest.raises(ValidationError) as exc:
        services.mobile_register(
            actor=cast.secretary, mobile=_mobile(cast, expected_return=dt.date(2026, 9, 1))
        )
    assert "应转接组织关系" in exc.value.message_dict["expected_return"][0]
    with pytest.raises(PermissionDenied):
        services.mobile_register(actor=cast.outsider, mobile=_mobile(cast))


def test_a_transfer_received_closes_the_mobile_record(issue, cast):
    mobile = services.mobile_register(actor=cast.secretary, mobile=_mobile(cast))
    transfer = issue()
    services.transfer_receive(actor=cast.outsider, transfer=transfer, received_on=ISSUED)
    mobile.refresh_from_db()
    assert mobile.status == MobileMember.Status.TRANSFERRED
    assert not Membership.objects.get(person=cast.people.member).is_mobile


def test_overdue_letters_and_long_away_members_are_flagged_once(
    issue, cast, django_capture_on_commit_callbacks
):
    issue()
    services.mobile_register(
        actor=cast.secretary, mobile=_mobile(cast, person=cast.people.probationary)
    )
    today = dt.date(2027, 1, 20)
    assert selectors.flag_counts(cast.secretary, today=today) == {"overdue": 1, "untransferred": 1}
    with django_capture_on_commit_callbacks(execute=True):
        result = services.transfers_flag_overdue(today=today)
    assert result == {"letters": 1, "mobile": 1, "messages": 2}
    assert Message.objects.filter(subject__contains="介绍信逾期").count() == 1
    assert Message.objects.filter(subject__contains="流动党员未转接").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = services.transfers_flag_overdue(today=today + dt.timedelta(days=1))
    assert again == {"letters": 0, "mobile": 0, "messages": 0}
    assert Message.objects.count() == 2


def test_nothing_is_flagged_before_time(issue, cast):
    issue()
    assert services.transfers_flag_overdue(today=dt.date(2027, 1, 8)) == {
        "letters": 0,
        "mobile": 0,
        "messages": 0,
    }
