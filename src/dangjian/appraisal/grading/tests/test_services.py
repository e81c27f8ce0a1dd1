"""民主评议 decisions (RULES §4), leniency decisions, improvement plans, nominations and
their vetoes: each refusal names the field and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.appraisal.grading import services
from dangjian.appraisal.grading.models import (
    DisciplinaryRecord,
    GradeDecision,
    ImprovementPlan,
    LeniencyFlag,
    MemberResult,
    Nomination,
)
from dangjian.appraisal.models import Rating
from dangjian.dues.models import ArrearsFlag
from dangjian.notifications.models import Message
from dangjian.platform.models import AuditEvent

from .conftest import rate

TODAY = dt.date.today()


@pytest.fixture
def results(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    return {r.person.name: r for r in MemberResult.objects.filter(campaign=rated.campaign)}


def decide(actor, result, grade, **extra):
    values = {
        "body": "committee",
        "decided_on": TODAY,
        "reason": "支委会研究评定",
    }
    values.update(extra)
    return services.grade_decide(actor=actor, result=result, grade=grade, **values)


def test_a_decision_is_recorded_with_its_reason_and_told_to_the_member(cast, results):
    decision = decide(cast.secretary, results["李四"], "qualified")
    assert decision.get_grade_display() == "合格"
    assert decision.notified_at is not None
    message = Message.objects.get()
    assert "合格" in message.body and "李四" in message.body
    assert AuditEvent.objects.filter(verb="appraisal.grade_decided").exists()


def test_a_decision_needs_a_reason(cast, results):
    with pytest.raises(ValidationError) as exc:
        decide(cast.secretary, results["李四"], "qualified", reason="  ")
    assert "评定理由" in str(exc.value)
    assert not GradeDecision.objects.exists()


def test_probationary_members_cannot_be_graded_excellent(cast, results):
    with pytest.raises(ValidationError) as exc:
        decide(cast.secretary, results["单雄信"], "excellent")
    assert "预备党员不评为优秀" in str(exc.value)
    assert not GradeDecision.objects.exists()


def test_excellent_is_refused_beyond_a_third_of_the_branch_citing_the_rule(cast, results):
    decide(cast.secretary, results["李四"], "excellent")  # 3 members → at most 1
    with pytest.raises(ValidationError) as exc:
        decide(cast.secretary, results["张三"], "excellent")
    text = str(exc.value)
    assert "1/3" in text and "民主评议" in text
    assert GradeDecision.objects.count() == 1
    assert not Message.objects.filter(body__contains="张三").exists()


def test_changing_the_one_excellent_member_frees_the_place(cast, results):
    decide(cast.secretary, results["李四"], "excellent")
    decide(cast.secretary, results["李四"], "qualified", reason="复议")
    decide(cast.secretary, results["张三"], "excellent")
    assert GradeDecision.objects.filter(grade="excellent").get().result == results["张三"]


def test_basic_grades_open_an_improvement_plan(cast, results):
    with pytest.raises(ValidationError) as exc:
        decide(cast.secretary, results["李四"], "basically_qualified")
    assert {"measures", "due_on"} <= set(exc.value.message_dict)
    decision = decide(
        cast.secretary,
        results["李四"],
        "basically_qualified",
        measures="按时参加组织生活",
        due_on=TODAY + dt.timedelta(days=60),
    )
    plan = ImprovementPlan.objects.get(decision=decision)
    assert "限期" not in plan.measures
    assert "改正" in Message.objects.get().body
    services.plan_close(actor=cast.secretary, plan=plan, note="已整改到位", closed_on=TODAY)
    plan.refresh_from_db()
    assert plan.closed_on == TODAY
    with pytest.raises(ValidationError):
        services.plan_close(actor=cast.secretary, plan=plan, note="again", closed_on=TODAY)


def test_a_plan_cannot_end_before_the_decision(cast, results):
    with pytest.raises(ValidationError) as exc:
        decide(
            cast.secretary,
            results["李四"],
            "unqualified",
            measures="x",
            due_on=TODAY - dt.timedelta(days=1),
        )
    assert "改正期限" in str(exc.value)


def test_nomination_needs_excellent_and_no_veto(cast, results):
    qualified = decide(cast.secretary, results["张三"], "qualified")
    with pytest.raises(ValidationError):
        services.nomination_add(actor=cast.secretary, decision=qualified, note="好")
    excellent = decide(cast.secretary, results["李四"], "excellent")
    nomination = services.nomination_add(actor=cast.secretary, decision=excellent, note="好")
    assert nomination.decision == excellent


def test_an_open_disciplinary_record_vetoes_the_nomination(cast, results):
    excellent = decide(cast.secretary, results["李四"], "excellent")
    services.disciplinary_add(
        actor=cast.office,
        record=DisciplinaryRecord(
            person=cast.people.member,
            kind="warning",
            decided_on=TODAY - dt.timedelta(days=30),
            summary="违反工作纪律",
        ),
    )
    with pytest.raises(ValidationError) as exc:
        services.nomination_add(actor=cast.secretary, decision=excellent, note="好")
    assert "党纪处分影响期内：警告" in str(exc.value)
    assert not Nomination.objects.exists()


def test_a_closed_disciplinary_record_no_longer_vetoes(cast, results):
    excellent = decide(cast.secretary, results["李四"], "excellent")
    record = services.disciplinary_add(
        actor=cast.office,
        record=DisciplinaryRecord(
            person=cast.people.member,
            kind="warning",
            decided_on=TODAY - dt.timedelta(days=400),
            summary="违反工作纪律",
        ),
    )
    services.disciplinary_close(
        actor=cast.office, record=record, closed_on=TODAY - dt.timedelta(days=35)
    )
    assert services.nomination_add(actor=cast.secretary, decision=excellent, note="好")


def test_six_months_of_unpaid_dues_veto_the_nomination(cast, results):
    excellent = decide(cast.secretary, results["李四"], "excellent")
    ArrearsFlag.objects.create(
        person=cast.people.member,
        first_unpaid_month=dt.date(2026, 3, 1),
        months=7,
        flagged_on=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        services.nomination_add(actor=cast.secretary, decision=excellent, note="好")
    assert "连续 7 个月未交党费" in str(exc.value)


def test_excluding_a_lenient_rater_marks_his_sheets_and_is_audited(cast, campaign):
    p = cast.people
    first = rate(campaign, p.member, "peer", [5, 5], rater=p.secretary)
    second = rate(campaign, p.probationary, "peer", [5, 5], rater=p.secretary)
    third = rate(campaign, p.west_member, "peer", [5, 5], rater=p.secretary)
    rate(campaign, p.member, "self", [3, 3], rater=p.member)
    services.results_compute(actor=cast.office, campaign=campaign)
    flag = LeniencyFlag.objects.get()
    with pytest.raises(ValidationError):
        services.leniency_exclude(actor=cast.office, flag=flag, reason="")
    n = services.leniency_exclude(actor=cast.office, flag=flag, reason="一律满分")
    assert n == 3
    assert set(Rating.objects.filter(excluded=True).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }
    assert Rating.objects.get(pk=first.pk).excluded_reason == "一律满分"
    event = AuditEvent.objects.get(verb="appraisal.ratings_excluded")
    assert sorted(event.data["ratings"]) == sorted([first.pk, second.pk, third.pk])
    assert flag.history.filter(status="excluded", history_user=cast.office).exists()
    services.results_compute(actor=cast.office, campaign=campaign)
    li = MemberResult.objects.get(campaign=campaign, person=p.member)
    assert li.score == 60  # only his self-assessment (3, 3) is left
    # Keeping the rater after all restores the sheets.
    services.leniency_keep(actor=cast.office, flag=flag, reason="复核后保留")
    assert not Rating.objects.filter(excluded=True).exists()
    flag.refresh_from_db()
    assert flag.status == "kept"
