"""The development workflow through its services: every rule of RULES §1 tried and broken."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.conftest import make_person
from dangjian.development import services
from dangjian.development.models import DeadlineReminder, DevelopmentStep, Stage
from dangjian.notifications.models import Message
from dangjian.people.models import Membership
from dangjian.platform import idcard
from dangjian.rulebook.models import Rule

from .factories import DATES, VOTE_OK, applicant, open_case, pdf, walk

D = dt.date


def refused(fn, *args, field=None, text="", **kwargs):
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    messages = " ".join(
        m for k, ms in info.value.message_dict.items() if field in (None, k) for m in ms
    )
    assert text in messages, info.value.message_dict
    return messages


def record(cast, case, number, on, **extra):
    return services.step_record(
        actor=cast.office, case=case, number=number, occurred_on=on, **extra
    )


def test_a_case_walks_from_application_to_full_member(cast):
    case = open_case(cast)
    assert case.stage == Stage.APPLICANT
    case = walk(case, cast, 16)
    assert case.stage == Stage.CANDIDATE
    walk(case, cast, 17, start=17)
    m = Membership.objects.get(person=case.person)
    assert m.status == "probationary" and m.joined_on == DATES[15] and m.branch == case.branch
    case = walk(case, cast, 25, start=18)
    assert case.stage == Stage.FULL
    m.refresh_from_db()
    assert m.status == "full"
    assert m.full_member_on == D(2024, 10, 10)  # 预备期满 = one year after step 15
    assert m.party_years == 2  # 党龄 from 转正 (clock: 2026)


def test_under_18_on_application_refused_citing_the_rule(cast):
    birth = D(2008, 5, 1)
    person = make_person("少年", cast.city.east_area)
    person.id_number = idcard.make("360102", birth, 7)
    person.birth_date = birth
    person.save()
    text = refused(open_case, cast, person=person, on=D(2026, 4, 30), text="年满 18 周岁")
    assert "《中国共产党发展党员工作细则》（2014）第五条" in text
    assert not person.development_cases.exists()  # nothing partially saved
    assert open_case(cast, person=person, on=D(2026, 5, 1)).stage == Stage.APPLICANT


def test_talk_later_than_one_month_refused(cast):
    case = open_case(cast)
    refused(record, cast, case, 2, D(2022, 4, 2), text="1 个月内")
    record(cast, case, 2, D(2022, 4, 1))


def test_steps_must_go_in_order_and_not_backwards(cast):
    case = open_case(cast)
    refused(record, cast, case, 3, D(2022, 3, 5), text="按顺序")
    refused(record, cast, case, 2, D(2022, 2, 28), text="不能早于上一步骤")
    refused(record, cast, case, 2, dt.date.today() + dt.timedelta(days=3), text="晚于今天")


def test_mentors_one_or_two_full_members(cast):
    case = walk(open_case(cast), cast, 4)
    refused(record, cast, case, 5, DATES[5], text="培养联系人")
    with pytest.raises(ValidationError, match="不是正式党员"):
        services.contact_add(
            actor=cast.secretary,
            case=case,
            role="mentor",
            person=cast.people.probationary,
            named_on=DATES[5],
        )
    for p in (cast.people.member, cast.people.secretary):
        services.contact_add(
            actor=cast.secretary, case=case, role="mentor", person=p, named_on=DATES[5]
        )
    extra = make_person("第三人", cast.city.east, branch=cast.city.east_branch)
    with pytest.raises(ValidationError, match="人数已满"):
        services.contact_add(
            actor=cast.secretary, case=case, role="mentor", person=extra, named_on=DATES[5]
        )


def test_candidate_only_after_a_year_as_activist(cast):
    case = walk(open_case(cast), cast, 6)
    services.notice_publish(
        actor=cast.secretary, case=case, before_step=7, starts_on=D(2023, 5, 20)
    )
    text = refused(record, cast, case, 7, D(2023, 5, 31), text="12 个月")
    assert "第十五条" in text
    record(cast, case, 7, D(2023, 6, 1))


def test_step_7_needs_a_finished_notice_without_open_objections(cast):
    case = walk(open_case(cast), cast, 6)
    refused(record, cast, case, 7, DATES[7], text="须进行公示")
    notice = services.notice_publish(
        actor=cast.secretary, case=case, before_step=7, starts_on=D(2023, 6, 19)
    )
    assert notice.working_days == 5 and notice.ends_on == D(2023, 6, 26)  # 端午 6-22/23 skipped
    refused(record, cast, case, 7, D(2023, 6, 26), text="期满后")
    objection = services.objection_record(
        actor=cast.secretary, notice=notice, received_on=D(2023, 6, 20), content="工作作风有反映"
    )
    refused(record, cast, case, 7, D(2023, 6, 27), text="尚未处理完毕")
    services.objection_resolve(
        actor=cast.secretary,
        objection=objection,
        resolved_on=D(2023, 6, 26),
        resolution="经核实不属实",
    )
    record(cast, case, 7, D(2023, 6, 27))


def test_notice_in_an_uncovered_year_is_provisional(cast):
    case = walk(open_case(cast), cast, 6)
    notice = services.notice_publish(
        actor=cast.secretary, case=case, before_step=7, starts_on=D(2031, 3, 3)
    )
    assert notice.provisional


def test_local_supplement_notice_days_stricter(cast):
    Rule.objects.create(
        key="dev.notice_working_days",
        value=7,
        level="local",
        party_org=cast.city.committee,
        effective_from="2020-01-01",
        source_document="市公司党委补充规定",
    )
    case = walk(open_case(cast), cast, 6)
    notice = services.notice_publish(
        actor=cast.secretary, case=case, before_step=7, starts_on=D(2023, 6, 5)
    )
    assert notice.working_days == 7 and notice.ends_on == D(2023, 6, 13)


def test_two_full_member_sponsors(cast):
    case = walk(open_case(cast), cast, 8)
    services.contact_add(
        actor=cast.secretary,
        case=case,
        role="sponsor",
        person=cast.people.member,
        named_on=DATES[9],
    )
    refused(record, cast, case, 9, DATES[9], text="2 名正式党员")


def test_no_admission_without_political_review(cast):
    case = walk(open_case(cast), cast, 9)
    refused(record, cast, case, 10, DATES[10], field="passed", text="政治审查结论")
    record(cast, case, 10, DATES[10], passed=False)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and "政治审查" in case.closed_reason
    refused(record, cast, case, 11, DATES[11], text="流程已结束")


def test_training_at_least_3_days_or_24_hours(cast):
    case = walk(open_case(cast), cast, 10)
    refused(
        record, cast, case, 11, DATES[11], training_days=2, training_hours=20, text="3 天或 24 学时"
    )
    record(cast, case, 11, DATES[11], training_hours=24)


def test_volunteer_form_only_after_pre_review_passed(cast):
    case = walk(open_case(cast), cast, 12)
    record(cast, case, 13, DATES[13], passed=False)
    case.refresh_from_db()
    refused(record, cast, case, 14, DATES[14])
    assert case.stage == Stage.CLOSED


def test_vote_yes_more_than_present_refused_and_pass_rule_computed(cast):
    case = walk(open_case(cast), cast, 14)
    from dangjian.development.services import notice_publish

    notice_publish(actor=cast.secretary, case=case, before_step=15, starts_on=D(2023, 9, 20))
    bad = {"entitled": 9, "present": 5, "yes": 6, "no": 0, "abstain": 0}
    refused(
        record, cast, case, 15, DATES[15], vote=bad, field="votes_yes", text="赞成票不能多于实到"
    )
    # 4 yes + 1 written = 5 > 9/2: passes even if "passed" were typed otherwise.
    vote = {"entitled": 9, "present": 6, "yes": 4, "no": 2, "abstain": 0, "written_yes": 1}
    step = record(cast, case, 15, DATES[15], vote=vote, passed=False)
    assert step.passed is True


def test_vote_failing_ends_the_case(cast):
    case = walk(open_case(cast), cast, 14)
    services.notice_publish(
        actor=cast.secretary, case=case, before_step=15, starts_on=D(2023, 9, 20)
    )
    step = record(
        cast,
        case,
        15,
        DATES[15],
        vote={"entitled": 10, "present": 10, "yes": 5, "no": 5, "abstain": 0},
    )
    assert step.passed is False
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_leaving_the_unit_within_3_months_needs_a_reason_and_is_flagged(cast):
    case = walk(open_case(cast), cast, 14)
    case.leaving_on = D(2023, 12, 1)
    case.save()
    services.notice_publish(
        actor=cast.secretary, case=case, before_step=15, starts_on=D(2023, 9, 20)
    )
    refused(
        record,
        cast,
        case,
        15,
        DATES[15],
        vote=VOTE_OK,
        field="exception_reason",
        text="一般不予发展",
    )
    step = record(
        cast, case, 15, DATES[15], vote=VOTE_OK, exception_reason="调往同系统单位，经党委研究同意"
    )
    assert step.flagged
    case.refresh_from_db()
    assert case.flagged


def test_approval_after_3_months_needs_reason_after_6_refused(cast):
    case = walk(open_case(cast), cast, 16)
    refused(record, cast, case, 17, D(2024, 4, 11), passed=True, text="6 个月")
    refused(
        record,
        cast,
        case,
        17,
        D(2024, 1, 11),
        passed=True,
        field="exception_reason",
        text="3 个月内",
    )
    step = record(
        cast, case, 17, D(2024, 1, 11), passed=True, exception_reason="党委换届，延期审批"
    )
    assert step.flagged and step.exception_reason


def test_full_membership_discussion_only_after_probation(cast):
    case = walk(open_case(cast), cast, 22)
    refused(record, cast, case, 23, D(2024, 10, 9), vote=VOTE_OK, outcome="full", text="预备期")


def test_extension_once_6_to_12_months_then_full(cast):
    case = walk(open_case(cast), cast, 22)
    refused(
        record,
        cast,
        case,
        23,
        DATES[23],
        vote=VOTE_OK,
        outcome="extend",
        extension_months=3,
        text="6–12",
    )
    record(cast, case, 23, DATES[23], vote=VOTE_OK, outcome="extend", extension_months=6)
    record(cast, case, 24, DATES[24], passed=True)
    case.refresh_from_db()
    assert case.extension_months == 6 and case.stage == Stage.PROBATIONARY
    record(cast, case, 22, D(2025, 3, 20))
    refused(record, cast, case, 23, D(2025, 4, 9), vote=VOTE_OK, outcome="full", text="预备期")
    refused(
        record,
        cast,
        case,
        23,
        D(2025, 4, 12),
        vote=VOTE_OK,
        outcome="extend",
        extension_months=6,
        text="只能延长一次",
    )
    record(cast, case, 23, D(2025, 4, 12), vote=VOTE_OK, outcome="full")
    record(cast, case, 24, D(2025, 5, 1), passed=True)
    m = Membership.objects.get(person=case.person)
    assert m.status == "full" and m.full_member_on == D(2025, 4, 10)


def test_cancel_probationary_membership(cast):
    case = walk(open_case(cast), cast, 22)
    record(cast, case, 23, DATES[23], vote=VOTE_OK, outcome="cancel")
    record(cast, case, 24, DATES[24], passed=True)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and "取消" in case.closed_reason
    assert not Membership.objects.filter(person=case.person).exists()


def test_correction_is_a_new_record_with_a_reason(cast):
    case = walk(open_case(cast), cast, 3)
    talk = case.steps.get(number=2)
    with pytest.raises(ValidationError, match="更正理由"):
        services.step_correct(
            actor=cast.secretary, step=talk, occurred_on=D(2022, 3, 18), reason=""
        )
    refused(
        services.step_correct,
        actor=cast.secretary,
        step=talk,
        occurred_on=D(2022, 6, 2),
        reason="笔误",
        text="后续步骤",
    )
    new = services.step_correct(
        actor=cast.secretary, step=talk, occurred_on=D(2022, 3, 18), reason="笔误"
    )
    assert new.supersedes == talk and new.correction_reason == "笔误"
    assert DevelopmentStep.objects.filter(case=case, number=2).count() == 2
    talk.refresh_from_db()
    assert talk.occurred_on == D(2022, 3, 20)  # the old record is kept as it was


def test_correcting_the_general_meeting_date_moves_joined_on(cast):
    case = walk(open_case(cast), cast, 17)
    meeting = case.steps.get(number=15)
    services.step_correct(
        actor=cast.office, step=meeting, occurred_on=D(2023, 10, 11), reason="会议记录日期有误"
    )
    assert Membership.objects.get(person=case.person).joined_on == D(2023, 10, 11)


def test_case_moved_between_branches_keeps_history_new_secretary_continues(cast):
    case = walk(open_case(cast), cast, 4)
    with pytest.raises(ValidationError, match="权限范围"):
        services.case_move(
            actor=cast.secretary,
            case=case,
            to_branch=cast.city.west_branch,
            moved_on=D(2022, 6, 12),
            reason="调动",
        )
    services.case_move(
        actor=cast.office,
        case=case,
        to_branch=cast.city.west_branch,
        moved_on=D(2022, 6, 12),
        reason="工作调动",
    )
    case.refresh_from_db()
    assert case.branch == cast.city.west_branch
    assert {s.branch_id for s in case.steps.all()} == {cast.city.east_branch.pk}
    with pytest.raises(PermissionDenied):
        services.step_record(actor=cast.secretary, case=case, number=5, occurred_on=DATES[5])
    west_mentor = cast.people.west_member
    services.contact_add(
        actor=cast.outsider, case=case, role="mentor", person=west_mentor, named_on=DATES[5]
    )
    step = services.step_record(actor=cast.outsider, case=case, number=5, occurred_on=DATES[5])
    assert step.branch == cast.city.west_branch


def test_attachments_validated(cast):
    case = open_case(cast)
    assert case.steps.get().attachments.get().kind == "application_letter"
    fake = pdf("谈话记录.pdf")
    fake.file.write(b"")
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("谈话.exe", b"MZ...")
    refused(
        record,
        cast,
        case,
        2,
        DATES[2],
        attachments=[("talk_record", exe)],
        field="attachment",
        text="格式不支持",
    )
    liar = SimpleUploadedFile("谈话.pdf", b"MZ not a pdf")
    refused(
        record,
        cast,
        case,
        2,
        DATES[2],
        attachments=[("talk_record", liar)],
        field="attachment",
        text="不符",
    )
    assert case.steps.count() == 1


def test_member_cannot_be_an_applicant_twice(cast):
    person = applicant(cast)
    open_case(cast, person=person)
    with pytest.raises(ValidationError, match="进行中"):
        open_case(cast, person=person)
    with pytest.raises(ValidationError, match="已是党员"):
        open_case(cast, person=cast.people.member)


def test_outsider_cannot_touch_an_east_case(cast):
    case = open_case(cast)
    with pytest.raises(PermissionDenied):
        services.step_record(actor=cast.outsider, case=case, number=2, occurred_on=DATES[2])


def test_deadline_reminders_sent_once(cast):
    case = open_case(cast, on=D(2026, 11, 1))
    case.refresh_from_db()
    assert case.next_due_on == D(2026, 12, 1) and case.next_due_label == "派人谈话"
    assert services.deadline_reminders_send(today=D(2026, 11, 10)) == 0
    assert services.deadline_reminders_send(today=D(2026, 11, 26)) == 1
    assert services.deadline_reminders_send(today=D(2026, 11, 27)) == 0
    assert DeadlineReminder.objects.get().key == "talk"
    assert Message.objects.filter(kind="task_overdue", body__contains="派人谈话").count() == 1


def test_half_year_assessment_deadline(cast):
    case = walk(open_case(cast), cast, 6)
    assert case.next_due_on == D(2023, 6, 1) and case.next_due_label == "半年培养考察"
    record(cast, case, 6, D(2023, 5, 30))
    case.refresh_from_db()
    assert case.next_due_on == D(2023, 11, 30)


def test_plan_quota_local_minimum(cast):
    Rule.objects.create(
        key="dev.quota_required",
        value=1,
        level="local",
        party_org=cast.city.committee,
        effective_from="2020-01-01",
        source_document="市公司党委补充规定",
    )
    with pytest.raises(ValidationError, match="不得少于 1"):
        services.plan_save(actor=cast.secretary, branch=cast.city.east_branch, year=2026, quota=0)
    plan = services.plan_save(
        actor=cast.secretary, branch=cast.city.east_branch, year=2026, quota=2
    )
    assert plan.quota == 2
    with pytest.raises(PermissionDenied):
        services.plan_save(actor=cast.outsider, branch=cast.city.east_branch, year=2026, quota=2)
