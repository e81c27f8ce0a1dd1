"""Writes for 比作风 (做合格党员 self-inspection): one transaction each, audited.

A member files and edits his own inspection while it is a draft and reports his measures
done with evidence; the branch's secretary / committee (or the office) review the
inspection and close measures — closing needs evidence. Overdue measures escalate once per
stage: the branch's secretary first, then, ``CONDUCT_ESCALATION_DAYS`` days after the
deadline, the office of the parent organisations.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.exemplar.showcase.reach import reaches
from dangjian.exemplar.showcase.uploads import check_evidence_upload
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.audit import record_event

from .models import Problem, ProblemCategory, Rectification, RectificationFile, SelfInspection

SUMMARY_MAX = 2000
PROBLEM_MAX = 1000
MEASURE_MAX = 500
EVIDENCE_MAX = 2000
# SelfInspection's scope seen from the member it is about (it takes his current branch).
INSPECTION_VIA = {"person": "", "branch": "membership__branch"}
# A measure's deadline: from today up to this many days ahead.
MAX_DEADLINE_DAYS = 366


def escalation_days() -> int:
    """Days after a measure's deadline before the parent organisation's office is told."""
    return int(getattr(settings, "CONDUCT_ESCALATION_DAYS", 7))


def _is_own(actor, inspection: SelfInspection) -> bool:
    return inspection.person.user_id is not None and inspection.person.user_id == getattr(
        actor, "pk", None
    )


def _may(actor, action: str, model, obj) -> bool:
    return model.objects.restrict(actor, action).filter(pk=obj.pk).exists()


def _officer_may(actor, action: str, inspection: SelfInspection) -> bool:
    """A branch officer or the office (a grant reaching the inspection, not as its owner)."""
    return not _is_own(actor, inspection) and _may(actor, action, SelfInspection, inspection)


def _text(value: str, field: str, label: str, limit: int, errors: dict, *, required=True) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        errors[field] = [_("请填写%(f)s") % {"f": label}]
    elif len(value) > limit:
        errors[field] = [
            _("%(f)s不能超过%(n)s个字（现有%(m)s个字）") % {"f": label, "n": limit, "m": len(value)}
        ]
    return value


@transaction.atomic
def inspection_start(
    *, actor, person: Person, year: int | None = None, today: dt.date | None = None
) -> SelfInspection:
    """Open a member's self-inspection for ``year`` (this year by default; one per year), in
    the branch he belongs to now. The member himself or an officer of his branch."""
    today = today or timezone.localdate()
    year = year or today.year
    membership = Membership.objects.select_related("branch").filter(person=person).first()
    if membership is None:
        raise ValidationError({"person": [_("%(p)s 不是党员") % {"p": person.name}]})
    if not reaches(actor, "add", SelfInspection, INSPECTION_VIA, person):
        raise PermissionDenied(_("您无权为该党员填写自查"))
    if year not in (today.year - 1, today.year):
        raise ValidationError(
            {"year": [_("只能填写%(a)s年或%(b)s年的自查") % {"a": today.year - 1, "b": today.year}]}
        )
    if SelfInspection.objects.filter(person=person, year=year).exists():
        raise ValidationError({"year": [_("%(y)s年的自查已经建立") % {"y": year}]})
    inspection = SelfInspection(
        person=person, branch=membership.branch, year=year, created_by=actor
    )
    inspection._history_user = actor
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError as exc:
        raise ValidationError({"year": [_("%(y)s年的自查已经建立") % {"y": year}]}) from exc
    record_event(
        actor=actor, verb="conduct.inspection.start", target=inspection, summary=str(inspection)
    )
    return inspection


def _check_editable(actor, inspection: SelfInspection) -> None:
    """The member while it is a draft; an officer until it is reviewed."""
    if not _may(actor, "change", SelfInspection, inspection):
        raise PermissionDenied(_("您无权修改该自查"))
    if _is_own(actor, inspection):
        if inspection.status != SelfInspection.Status.DRAFT:
            raise ValidationError(_("自查已提交，不能再修改；如需补充请联系支部"))
    elif inspection.status == SelfInspection.Status.REVIEWED:
        raise ValidationError(_("自查已审阅，不能再修改"))


def _check_measure(
    measure: str, owner: Person | None, deadline, inspection, today, errors: dict
) -> str:
    measure = _text(measure, "measure", _("整改措施"), MEASURE_MAX, errors)
    if owner is None:
        errors["owner"] = [_("请选择责任人")]
    elif not Membership.objects.filter(person=owner, branch=inspection.branch_id).exists():
        errors["owner"] = [_("责任人须为本支部党员")]
    if deadline is None:
        errors["deadline"] = [_("请填写整改期限")]
    elif deadline < today:
        errors["deadline"] = [_("整改期限不能早于今天（%(d)s）") % {"d": f"{today:%Y-%m-%d}"}]
    elif deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        errors["deadline"] = [_("整改期限不能超过一年")]
    return measure


@transaction.atomic
def problem_add(
    *,
    actor,
    inspection: SelfInspection,
    category: ProblemCategory | None,
    description: str,
    measure: str,
    owner: Person | None,
    deadline: dt.date | None,
    today: dt.date | None = None,
) -> Problem:
    """A problem found, with its first rectification measure."""
    today = today or timezone.localdate()
    inspection = SelfInspection.objects.select_for_update().get(pk=inspection.pk)
    _check_editable(actor, inspection)
    errors: dict[str, list[str]] = {}
    if category is None or not category.is_active:
        errors["category"] = [_("请选择问题类别")]
    description = _text(description, "description", _("查摆的问题"), PROBLEM_MAX, errors)
    measure = _check_measure(measure, owner, deadline, inspection, today, errors)
    if errors:
        raise ValidationError(errors)
    problem = Problem(inspection=inspection, category=category, description=description)
    problem._history_user = actor
    problem.save()
    row = Rectification(
        problem=problem,
        inspection=inspection,
        branch_id=inspection.branch_id,
        measure=measure,
        owner=owner,
        deadline=deadline,
    )
    row._history_user = actor
    row.save()
    inspection.save(update_fields=["updated_at"])
    record_event(
        actor=actor, verb="conduct.problem.add", target=inspection, summary=description[:200]
    )
    return problem


@transaction.atomic
def measure_add(
    *,
    actor,
    problem: Problem,
    measure: str,
    owner: Person | None,
    deadline: dt.date | None,
    today: dt.date | None = None,
) -> Rectification:
    """Another measure against a problem."""
    today = today or timezone.localdate()
    inspection = SelfInspection.objects.select_for_update().get(pk=problem.inspection_id)
    _check_editable(actor, inspection)
    errors: dict[str, list[str]] = {}
    measure = _check_measure(measure, owner, deadline, inspection, today, errors)
    if errors:
        raise ValidationError(errors)
    row = Rectification(
        problem=problem,
        inspection=inspection,
        branch_id=inspection.branch_id,
        measure=measure,
        owner=owner,
        deadline=deadline,
    )
    row._history_user = actor
    row.save()
    record_event(actor=actor, verb="conduct.measure.add", target=inspection, summary=measure[:200])
    return row


@transaction.atomic
def inspection_submit(*, actor, inspection: SelfInspection, summary: str = "") -> SelfInspection:
    """The member hands his inspection to the branch: at least one problem, each with a
    measure."""
    inspection = SelfInspection.objects.select_for_update().get(pk=inspection.pk)
    if not _may(actor, "change", SelfInspection, inspection):
        raise PermissionDenied(_("您无权提交该自查"))
    if inspection.status != SelfInspection.Status.DRAFT:
        raise ValidationError(_("该自查已提交"))
    errors: dict[str, list[str]] = {}
    summary = _text(summary, "summary", _("自查总体情况"), SUMMARY_MAX, errors)
    problems = list(inspection.problems.all())
    if not problems:
        errors.setdefault("summary", []).append(_("请至少查摆一个问题并制定整改措施后再提交"))
    elif inspection.measures.values("problem").distinct().count() < len(problems):
        errors.setdefault("summary", []).append(_("每个问题都须有整改措施"))
    if errors:
        raise ValidationError(errors)
    inspection.summary = summary
    inspection.status = SelfInspection.Status.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection._history_user = actor
    inspection.save()
    record_event(
        actor=actor, verb="conduct.inspection.submit", target=inspection, summary=str(inspection)
    )
    return inspection


@transaction.atomic
def inspection_review(*, actor, inspection: SelfInspection, comment: str) -> SelfInspection:
    """The branch reviews a submitted inspection (its comment recorded); never the member
    himself."""
    inspection = SelfInspection.objects.select_for_update().get(pk=inspection.pk)
    if not _officer_may(actor, "change", inspection):
        raise PermissionDenied(_("应由所在支部审阅自查"))
    if inspection.status == SelfInspection.Status.DRAFT:
        raise ValidationError(_("该自查尚未提交"))
    errors: dict[str, list[str]] = {}
    comment = _text(comment, "comment", _("支部审阅意见"), SUMMARY_MAX, errors)
    if errors:
        raise ValidationError(errors)
    inspection.review_comment = comment
    inspection.status = SelfInspection.Status.REVIEWED
    inspection.reviewed_by = actor
    inspection.reviewed_at = timezone.now()
    inspection._history_user = actor
    inspection.save()
    record_event(
        actor=actor, verb="conduct.inspection.review", target=inspection, summary=comment[:200]
    )
    return inspection


def _locked_measure(actor, measure: Rectification) -> Rectification:
    row = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("inspection__person")
        .get(pk=measure.pk)
    )
    if not _may(actor, "change", Rectification, row):
        raise PermissionDenied(_("您无权修改该整改措施"))
    return row


@transaction.atomic
def measure_complete(*, actor, measure: Rectification, evidence: str) -> Rectification:
    """The member (or an officer) reports a measure done, with the evidence."""
    row = _locked_measure(actor, measure)
    if row.status != Rectification.Status.OPEN:
        raise ValidationError(_("该整改措施不在整改中"))
    errors: dict[str, list[str]] = {}
    evidence = _text(evidence, "evidence", _("整改佐证"), EVIDENCE_MAX, errors)
    if errors:
        raise ValidationError(errors)
    row.status = Rectification.Status.DONE
    row.evidence = evidence
    row.done_at = timezone.now()
    row._history_user = actor
    row.save()
    record_event(actor=actor, verb="conduct.measure.done", target=row, summary=evidence[:200])
    return row


@transaction.atomic
def measure_close(*, actor, measure: Rectification, evidence: str = "") -> Rectification:
    """The branch closes a measure (销号). Closing needs evidence: the member's report, or the
    officer's own note given here."""
    row = _locked_measure(actor, measure)
    if _is_own(actor, row.inspection):
        raise PermissionDenied(_("整改措施应由所在支部销号"))
    if row.status == Rectification.Status.CLOSED:
        raise ValidationError(_("该整改措施已销号"))
    errors: dict[str, list[str]] = {}
    extra = _text(evidence, "evidence", _("整改佐证"), EVIDENCE_MAX, errors, required=False)
    if not extra and not row.evidence.strip() and not row.files.exists():
        errors["evidence"] = [_("销号须有整改佐证：请填写整改佐证或上传佐证文件")]
    if errors:
        raise ValidationError(errors)
    if extra:
        row.evidence = (row.evidence + "\n" + extra).strip()[:EVIDENCE_MAX]
    row.status = Rectification.Status.CLOSED
    row.closed_by = actor
    row.closed_at = timezone.now()
    row._history_user = actor
    row.save()
    record_event(actor=actor, verb="conduct.measure.close", target=row, summary=row.measure[:200])
    return row


def measure_file_add(*, actor, measure: Rectification, upload) -> RectificationFile:
    """Attach evidence to a measure (checked; served only through a scoped view)."""
    if not reaches(actor, "add", RectificationFile, "rectification", measure):
        raise PermissionDenied(_("您无权为该整改措施上传佐证"))
    if measure.status == Rectification.Status.CLOSED:
        raise ValidationError({"file": [_("该整改措施已销号")]})
    if upload is None:
        raise ValidationError({"file": [_("请选择文件")]})
    content_type = check_evidence_upload(upload)
    with transaction.atomic():
        row = RectificationFile(
            rectification=measure,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        row.file.save(upload.name, upload, save=False)
        row.save()
        record_event(actor=actor, verb="conduct.measure.file_add", target=measure, summary=row.name)
    return row


# -- escalation ------------------------------------------------------------------------------


def _secretaries(branch_ids) -> dict[int, list]:
    found: dict[int, list] = {}
    for grant in RoleGrant.objects.filter(
        party_org_id__in=branch_ids, role=Role.SECRETARY, user__is_active=True
    ).select_related("user"):
        found.setdefault(grant.party_org_id, []).append(grant.user)
    return found


def _parent_offices(branches: dict[int, PartyOrg]) -> dict[int, list]:
    """Per branch: the users with an office grant on one of its ancestors."""
    grants = list(
        RoleGrant.objects.filter(
            party_org__isnull=False, role=Role.OFFICE, user__is_active=True
        ).select_related("user", "party_org")
    )
    found: dict[int, list] = {}
    for branch_id, branch in branches.items():
        found[branch_id] = [
            g.user
            for g in grants
            if branch.path.startswith(g.party_org.path) and g.party_org.path != branch.path
        ]
    return found


def _message(row: Rectification, *, escalated: bool, days: int) -> dict:
    person = row.inspection.person
    values = {
        "p": person.name,
        "b": row.inspection.branch.name,
        "m": row.measure[:60],
        "d": f"{row.deadline:%Y-%m-%d}",
        "n": days,
    }
    if escalated:
        return {
            "title": _("【整改逾期上报】%(b)s %(p)s") % values,
            "content": _(
                "%(b)s党员%(p)s的整改措施“%(m)s”已于%(d)s到期，逾期%(n)s天仍未完成，"
                "支部已于逾期当日收到提醒，请督促整改。"
            )
            % values,
        }
    return {
        "title": _("【整改逾期】%(p)s") % values,
        "content": _("%(p)s的整改措施“%(m)s”已于%(d)s到期，尚未完成，请督促整改或及时销号。")
        % values,
    }


@transaction.atomic
def measures_escalate_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily scan: each overdue measure tells the branch's secretary once, and
    ``escalation_days()`` days after its deadline the parent organisation's office once."""
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=escalation_days())
    overdue = Rectification.objects.select_for_update(of=("self",)).filter(
        status=Rectification.Status.OPEN, deadline__lt=today
    )
    to_remind = list(
        overdue.filter(reminded_at__isnull=True).select_related(
            "inspection__person", "inspection__branch"
        )
    )
    to_escalate = list(
        overdue.filter(escalated_at__isnull=True, deadline__lt=limit).select_related(
            "inspection__person", "inspection__branch"
        )
    )
    now = timezone.now()
    branches = {r.inspection.branch_id: r.inspection.branch for r in to_remind + to_escalate}
    secretaries = _secretaries(list(branches))
    offices = _parent_offices(branches) if to_escalate else {}
    sends: list[tuple[list, dict]] = []
    for row in to_remind:
        row.reminded_at = now
        users = secretaries.get(row.inspection.branch_id, [])
        if users:
            sends.append((users, _message(row, escalated=False, days=(today - row.deadline).days)))
    for row in to_escalate:
        row.escalated_at = now
        users = offices.get(row.inspection.branch_id, [])
        if users:
            sends.append((users, _message(row, escalated=True, days=(today - row.deadline).days)))
    Rectification.objects.bulk_update(to_remind, ["reminded_at"], batch_size=1000)
    Rectification.objects.bulk_update(to_escalate, ["escalated_at"], batch_size=1000)
    for users, context in sends:
        transaction.on_commit(
            lambda users=users, context=context: notify(
                kind="notice", recipients=users, context=context
            )
        )
    return {"reminded": len(to_remind), "escalated": len(to_escalate), "messages": len(sends)}
