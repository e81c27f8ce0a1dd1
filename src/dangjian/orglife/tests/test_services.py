"""Recording meetings: the refusals the rules demand, and what a recorded meeting credits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, BranchPlan, Meeting
from dangjian.orglife.services import AttendanceEntry
from dangjian.people.models import Person
from dangjian.platform.models import AuditEvent
from dangjian.rulebook.models import Rule

from .factories import held_meeting

TODAY = dt.date(2026, 11, 24)


def roll_entries(cast, **statuses):
    people = {
        "secretary": cast.people.secretary,
        "member": cast.people.member,
        "probationary": cast.people.probationary,
    }
    return [
        AttendanceEntry(people[name].pk, status, "出差" if status == "leave" else "")
        for name, status in statuses.items()
    ]


def general_meeting(cast, **extra):
    return Meeting(
        branch=cast.city.east_branch,
        kind="general_meeting",
        held_on=dt.date(2026, 11, 20),
        place="党员活动室",
        study_hours=Decimal("2"),
        **extra,
    )


def test_a_recorded_meeting_is_held_with_its_attendance_and_an_audit_event(cast):
    meeting = services.meeting_record(
        actor=cast.secretary,
        meeting=general_meeting(cast, resolutions="同意接收单雄信为预备党员"),
        attendance=roll_entries(cast, secretary="present", member="present", probationary="leave"),
        today=TODAY,
    )
    assert meeting.status == Meeting.Status.HELD
    assert meeting.attendances.count() == 3
    assert meeting.attendances.get(person=cast.people.probationary).reason == "出差"
    assert AuditEvent.objects.filter(
        verb="orglife.meeting.record", target_id=str(meeting.pk)
    ).exists()
    assert meeting.history.count() == 1


def test_general_meeting_below_quorum_cannot_record_a_resolution(cast):
    # Two full members have a vote; one present is not more than half. 预备党员 have no vote.
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary,
            meeting=general_meeting(cast, resolutions="通过某事项"),
            attendance=roll_entries(
                cast, secretary="present", member="absent", probationary="present"
            ),
            today=TODAY,
        )
    message = " ".join(exc.value.message_dict["resolutions"])
    assert "不足法定人数" in message and "支部工作条例" in message
    assert not Meeting.objects.exists()


def test_below_quorum_without_a_resolution_is_still_recorded(cast):
    meeting = services.meeting_record(
        actor=cast.secretary,
        meeting=general_meeting(cast),
        attendance=roll_entries(cast, secretary="present", member="absent", probationary="present"),
        today=TODAY,
    )
    assert meeting.status == "held"


def test_a_stricter_local_quorum_applies(cast):
    Rule.objects.create(
        key="orglife.quorum.general_meeting",
        value="2/3",
        level="local",
        party_org=cast.city.committee,
        effective_from=dt.date(2026, 1, 1),
        source_document="市公司党委补充规定",
    )
    make_person_full(cast, "周九")
    # 3 voters, 2 present: more than 1/2 but not more than 2/3.
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary,
            meeting=general_meeting(cast, resolutions="通过"),
            attendance=roll_entries(cast, secretary="present", member="present"),
            today=TODAY,
        )
    assert "补充规定" in exc.value.message_dict["resolutions"][0]


def make_person_full(cast, name):
    from dangjian.conftest import make_person

    return make_person(name, cast.city.east, branch=cast.city.east_branch)


def test_a_second_general_meeting_the_same_day_is_refused(cast):
    held_meeting(cast.secretary, cast.city.east_branch, "general_meeting", dt.date(2026, 11, 20))
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary,
            meeting=general_meeting(cast),
            attendance=roll_entries(cast, secretary="present", member="present"),
            today=TODAY,
        )
    assert "同一天不能重复记录" in exc.value.message_dict["held_on"][0]
    assert Meeting.objects.filter(kind="general_meeting").count() == 1


def test_other_kinds_the_same_day_are_fine(cast):
    held_meeting(cast.secretary, cast.city.east_branch, "general_meeting", dt.date(2026, 11, 20))
    held_meeting(cast.secretary, cast.city.east_branch, "committee_meeting", dt.date(2026, 11, 20))
    assert Meeting.objects.filter(held_on=dt.date(2026, 11, 20)).count() == 2


def test_a_non_member_in_the_attendance_is_refused(cast):
    entries = roll_entries(cast, secretary="present") + [
        AttendanceEntry(cast.people.west_member.pk, "present")
    ]
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary, meeting=general_meeting(cast), attendance=entries, today=TODAY
        )
    assert "钱七 不是东湖县局党支部的党员" in exc.value.message_dict["attendance"][0]
    assert not Attendance.objects.exists()


def test_attendance_larger_than_the_roll_is_refused(cast):
    entries = roll_entries(cast, secretary="present", member="present", probationary="present")
    entries += [AttendanceEntry(cast.people.outsider.pk, "present")]
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary, meeting=general_meeting(cast), attendance=entries, today=TODAY
        )
    assert "超过本支部党员名册的 3 人" in " ".join(exc.value.message_dict["attendance"])


def test_leave_needs_a_reason(cast):
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=cast.secretary,
            meeting=general_meeting(cast),
            attendance=[AttendanceEntry(cast.people.member.pk, "leave", "")],
            today=TODAY,
        )
    assert "李四 请假须填写请假事由" in exc.value.message_dict["attendance"][0]


def test_a_meeting_in_the_future_cannot_be_recorded_as_held(cast):
    meeting = general_meeting(cast)
    meeting.held_on = TODAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=cast.secretary, meeting=meeting, attendance=[], today=TODAY)
    assert "晚于今天" in exc.value.message_dict["held_on"][0]


def test_a_party_lecture_needs_lecturer_and_topic(cast):
    meeting = Meeting(
        branch=cast.city.east_branch, kind="party_lecture", held_on=TODAY, place="会议室"
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=cast.secretary, meeting=meeting, attendance=[], today=TODAY)
    assert set(exc.value.message_dict) == {"lecturer", "topic"}


def test_an_outsider_cannot_record_for_another_branch(cast):
    with pytest.raises(PermissionDenied):
        services.meeting_record(
            actor=cast.outsider, meeting=general_meeting(cast), attendance=[], today=TODAY
        )


def test_recording_again_updates_the_attendance(cast):
    meeting = held_meeting(cast.secretary, cast.city.east_branch, "committee_meeting")
    services.meeting_record(
        actor=cast.secretary,
        meeting=meeting,
        attendance=[AttendanceEntry(cast.people.member.pk, "absent")],
        today=TODAY,
    )
    assert list(meeting.attendances.values_list("person__name", "status")) == [("李四", "absent")]


def test_study_hours_are_credited_from_attended_meetings(cast):
    east = cast.city.east_branch
    held_meeting(
        cast.secretary, east, "party_lecture", dt.date(2026, 3, 1), study_hours=Decimal("4")
    )
    held_meeting(cast.secretary, east, "committee_meeting", dt.date(2026, 4, 1))
    held_meeting(cast.secretary, east, "committee_meeting", dt.date(2025, 4, 1))
    held_meeting(cast.secretary, east, "theme_day", dt.date(2026, 5, 1), everyone="absent")
    member = cast.people.member
    assert selectors.study_hours(member, 2026) == Decimal("5")
    assert selectors.study_hours(member, 2025) == Decimal("1")
    rows = {r.person.name: r for r in selectors.branch_study_hours(cast.office, east, 2026)}
    assert rows["李四"].target == 32 and not rows["李四"].met
    Person.objects.filter(pk=cast.people.secretary.pk).update(title="党支部书记")
    rows = {r.person.name: r for r in selectors.branch_study_hours(cast.office, east, 2026)}
    assert rows["张三"].target == 56 and rows["张三"].cadre


def test_the_plan_generates_one_meeting_per_required_period(cast):
    plan = services.plan_save(
        actor=cast.secretary, branch=cast.city.east_branch, year=2027, theme_day_of_month=31
    )
    added = services.plan_generate(actor=cast.secretary, plan=plan)
    # committee, group (东湖 has a party group), theme day monthly; general meeting and
    # lecture quarterly; org life meeting and heart-to-heart talk yearly.
    assert added == 12 * 3 + 4 * 2 + 2
    theme_days = Meeting.objects.filter(kind="theme_day").order_by("planned_on")
    assert theme_days[1].planned_on == dt.date(2027, 2, 28)
    assert services.plan_generate(actor=cast.secretary, plan=plan) == 0
    assert BranchPlan.objects.get().theme_day_of_month == 31


def test_the_west_branch_has_no_groups_so_no_group_meetings_are_planned(cast):
    plan = services.plan_save(
        actor=cast.outsider, branch=cast.city.west_branch, year=2027, theme_day_of_month=5
    )
    services.plan_generate(actor=cast.outsider, plan=plan)
    assert not Meeting.objects.filter(kind="group_meeting").exists()
    with pytest.raises(PermissionDenied):
        services.plan_save(
            actor=cast.outsider, branch=cast.city.east_branch, year=2027, theme_day_of_month=5
        )


def test_notify_sends_a_meeting_reminder_to_each_member_with_a_login(cast, settings):
    from dangjian.notifications.models import Message

    settings.DANGJIAN_NOTIFY_DISPATCH = "none"
    meeting = services.meeting_plan(
        actor=cast.secretary,
        meeting=Meeting(
            branch=cast.city.east_branch,
            kind="theme_day",
            planned_on=TODAY + dt.timedelta(days=3),
            place="党员活动室",
        ),
    )
    assert services.meeting_notify(actor=cast.secretary, meeting=meeting) == 2
    messages = Message.objects.filter(kind="meeting_reminder")
    assert messages.count() == 2
    assert all("东湖县局党支部" in m.body and "主题党日" in m.body for m in messages)
    assert not any(m.render_error for m in messages)
    meeting.refresh_from_db()
    assert meeting.notified_at is not None
