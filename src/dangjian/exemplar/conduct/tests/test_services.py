import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.exemplar.conduct import services
from dangjian.exemplar.conduct.models import Problem, Rectification, SelfInspection
from dangjian.notifications.models import Delivery

from .conftest import TODAY


def test_a_member_starts_his_own_inspection_in_his_branch(cast, inspection):
    assert inspection.branch == cast.city.east_branch
    assert inspection.year == 2026 and inspection.status == "draft"


def test_one_inspection_per_member_and_year(cast, inspection):
    with pytest.raises(ValidationError) as exc:
        services.inspection_start(actor=cast.member, person=cast.people.member, today=TODAY)
    assert exc.value.message_dict["year"] == ["2026年的自查已经建立"]


def test_a_member_cannot_start_another_members_inspection(cast):
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=cast.member, person=cast.people.secretary, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=cast.outsider, person=cast.people.member, today=TODAY)
    assert not SelfInspection.objects.exists()


def test_the_secretary_may_start_one_for_a_member_of_his_branch(cast):
    row = services.inspection_start(
        actor=cast.secretary, person=cast.people.probationary, today=TODAY
    )
    assert row.created_by == cast.secretary


def test_a_problem_comes_with_its_first_measure(problem, cast):
    measure = problem.measures.get()
    assert measure.owner == cast.people.member and measure.status == "open"
    assert measure.inspection_id == problem.inspection_id


def test_a_deadline_in_the_past_is_refused_and_nothing_is_saved(cast, inspection, category):
    with pytest.raises(ValidationError) as exc:
        services.problem_add(
            actor=cast.member,
            inspection=inspection,
            category=category,
            description="学习不够",
            measure="补学",
            owner=cast.people.member,
            deadline=TODAY - dt.timedelta(days=1),
            today=TODAY,
        )
    assert exc.value.message_dict["deadline"] == ["整改期限不能早于今天（2026-06-01）"]
    assert not Problem.objects.exists() and not Rectification.objects.exists()


def test_the_owner_must_be_a_member_of_the_branch(cast, inspection, category):
    with pytest.raises(ValidationError) as exc:
        services.problem_add(
            actor=cast.member,
            inspection=inspection,
            category=category,
            description="学习不够",
            measure="补学",
            owner=cast.people.west_member,
            deadline=TODAY,
            today=TODAY,
        )
    assert exc.value.message_dict["owner"] == ["责任人须为本支部党员"]


def test_huge_or_empty_texts_are_refused_naming_the_field(cast, inspection, category):
    with pytest.raises(ValidationError) as exc:
        services.problem_add(
            actor=cast.member,
            inspection=inspection,
            category=category,
            description="问" * 200_000,
            measure="",
            owner=cast.people.member,
            deadline=TODAY,
            today=TODAY,
        )
    assert "查摆的问题不能超过1000个字" in exc.value.message_dict["description"][0]
    assert exc.value.message_dict["measure"] == ["请填写整改措施"]


def test_submitting_needs_a_problem_and_a_summary(cast, inspection):
    with pytest.raises(ValidationError) as exc:
        services.inspection_submit(actor=cast.member, inspection=inspection, summary="")
    assert "请填写自查总体情况" in exc.value.message_dict["summary"]
    assert "请至少查摆一个问题并制定整改措施后再提交" in exc.value.message_dict["summary"]


def test_after_submitting_the_member_can_no_longer_add_problems(
    cast, inspection, problem, category
):
    services.inspection_submit(actor=cast.member, inspection=inspection, summary="总体合格")
    with pytest.raises(ValidationError):
        services.problem_add(
            actor=cast.member,
            inspection=inspection,
            category=category,
            description="再加一条",
            measure="m",
            owner=cast.people.member,
            deadline=TODAY,
            today=TODAY,
        )


def test_the_secretary_reviews_but_the_member_cannot_review_himself(cast, inspection, problem):
    services.inspection_submit(actor=cast.member, inspection=inspection, summary="总体合格")
    with pytest.raises(PermissionDenied):
        services.inspection_review(actor=cast.member, inspection=inspection, comment="很好")
    with pytest.raises(PermissionDenied):
        services.inspection_review(actor=cast.outsider, inspection=inspection, comment="x")
    row = services.inspection_review(
        actor=cast.secretary, inspection=inspection, comment="查摆深入"
    )
    assert row.status == "reviewed" and row.reviewed_by == cast.secretary


def test_completing_a_measure_needs_evidence(cast, measure):
    with pytest.raises(ValidationError) as exc:
        services.measure_complete(actor=cast.member, measure=measure, evidence=" ")
    assert exc.value.message_dict["evidence"] == ["请填写整改佐证"]
    done = services.measure_complete(actor=cast.member, measure=measure, evidence="6月走访27户")
    assert done.status == "done"


def test_closing_needs_evidence_and_the_branch(cast, measure):
    with pytest.raises(ValidationError) as exc:
        services.measure_close(actor=cast.secretary, measure=measure)
    assert exc.value.message_dict["evidence"] == ["销号须有整改佐证：请填写整改佐证或上传佐证文件"]
    services.measure_complete(actor=cast.member, measure=measure, evidence="6月走访27户")
    with pytest.raises(PermissionDenied):
        services.measure_close(actor=cast.member, measure=measure)
    closed = services.measure_close(actor=cast.secretary, measure=measure)
    assert closed.status == "closed" and closed.closed_by == cast.secretary


def test_an_uploaded_file_is_evidence_enough_to_close(cast, measure):
    services.measure_file_add(
        actor=cast.member,
        measure=measure,
        upload=SimpleUploadedFile("走访记录.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    assert services.measure_close(actor=cast.secretary, measure=measure).status == "closed"


def test_an_outsider_cannot_touch_the_measures_of_another_branch(cast, measure):
    with pytest.raises(PermissionDenied):
        services.measure_complete(actor=cast.outsider, measure=measure, evidence="x")
    with pytest.raises(PermissionDenied):
        services.measure_file_add(
            actor=cast.outsider,
            measure=measure,
            upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )


def _inbox(user):
    """The messages addressed to ``user`` (one delivery per channel)."""
    return sorted(
        set(Delivery.objects.filter(user=user).values_list("message__subject", flat=True))
    )


def test_an_overdue_measure_tells_the_secretary_once_then_the_office(
    cast, measure, django_capture_on_commit_callbacks, settings
):
    settings.CONDUCT_ESCALATION_DAYS = 7
    # The committee's office user is the parent organisation's office of 东湖.
    assert RoleGrant.objects.filter(user=cast.office, role=Role.OFFICE).exists()
    day_after = measure.deadline + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.measures_escalate_overdue(today=day_after)
    assert result == {"reminded": 1, "escalated": 0, "messages": 1}
    assert _inbox(cast.secretary) == ["【整改逾期】李四"]
    assert _inbox(cast.office) == []
    with django_capture_on_commit_callbacks(execute=True):
        again = services.measures_escalate_overdue(today=day_after + dt.timedelta(days=1))
    assert again == {"reminded": 0, "escalated": 0, "messages": 0}
    later = measure.deadline + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.measures_escalate_overdue(today=later)
    assert result == {"reminded": 0, "escalated": 1, "messages": 1}
    assert _inbox(cast.office) == ["【整改逾期上报】东湖县局党支部 李四"]
    assert _inbox(cast.outsider) == [] and len(_inbox(cast.secretary)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.measures_escalate_overdue(today=later)["escalated"] == 0


def test_done_and_closed_measures_do_not_escalate(
    cast, measure, django_capture_on_commit_callbacks
):
    services.measure_complete(actor=cast.member, measure=measure, evidence="完成")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.measures_escalate_overdue(today=measure.deadline + dt.timedelta(days=30))
    assert result["reminded"] == 0 and result["escalated"] == 0
