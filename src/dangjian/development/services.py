"""Writes to development cases: one transaction each, checked against RULES §1, audited.

Every step goes through ``step_record``: it gathers the case's facts, asks the pure rule
functions (``rules.check_step``) what the step would break, refuses with the rule's citation
(or, where the rule allows an exception, accepts it only with a recorded reason and flags
it), writes the step, refreshes the case's stage and next deadline, and moves the person
into the member roster through the people app's service when the higher committee approves.
"""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.people.services import person_save
from dangjian.platform import workdays
from dangjian.platform.audit import record_event
from dangjian.rulebook.registry import DEV
from dangjian.rulebook.selectors import RuleBook

from . import rules
from .models import (
    CaseContact,
    CaseMove,
    DeadlineReminder,
    DevelopmentCase,
    DevelopmentPlan,
    DevelopmentStep,
    NoticeObjection,
    PublicNotice,
    Stage,
    StepAttachment,
)

ALLOWED_UPLOADS = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
}


# ---------------------------------------------------------------------------------------
# Facts and rules of a case
# ---------------------------------------------------------------------------------------


def rule_values_for(org: PartyOrg, on: dt.date, book: RuleBook | None = None) -> dict:
    """The rule values that govern ``org`` on ``on`` (national, tightened by supplements)."""
    book = book or RuleBook.load()
    return {key: book.value(key, on=on, org=org) for key in rules.rule_values()}


def citation(key: str, org: PartyOrg, on: dt.date, book: RuleBook | None = None) -> str:
    if key == "dev.order":
        return DEV
    book = book or RuleBook.load()
    return book.applied(key, on=on, org=org).citation


def effective_steps(case: DevelopmentCase) -> list[DevelopmentStep]:
    """The steps that count: corrections replace what they correct; in process order."""
    steps = list(case.steps.all())
    superseded = {s.supersedes_id for s in steps if s.supersedes_id}
    return sorted(
        (s for s in steps if s.pk not in superseded),
        key=lambda s: (s.round, s.number, s.occurred_on, s.pk),
    )


def facts_for(case: DevelopmentCase, *, exclude_step: int | None = None) -> rules.Facts:
    """The facts the rules read, from the case's effective records (one query per relation)."""
    steps = [s for s in effective_steps(case) if s.pk != exclude_step]
    facts = rules.Facts(id_number=case.person.id_number, leaving_on=case.leaving_on)
    for s in steps:
        _note_step(facts, s)
        if s.passed is not None:
            facts.results[s.number] = s.passed
        if s.number == 23:
            facts.outcome = s.outcome
    if steps:
        facts.last_step = steps[-1].number
        facts.rounds = steps[-1].round
    facts.extension_months = case.extension_months
    for c in case.contacts.all():
        if c.ended_on is not None:
            continue
        full = hasattr(c.person, "membership") and c.person.membership.status == "full"
        if c.role == CaseContact.Role.MENTOR:
            facts.mentors += 1
        else:
            facts.sponsors += 1
            facts.full_sponsors += full
    for n in case.notices.all():
        open_objections = sum(1 for o in n.objections.all() if o.resolved_on is None)
        current = facts.notices.get(n.before_step)
        if current is None or n.ends_on >= current.ends_on:
            facts.notices[n.before_step] = rules.NoticeFacts(n.ends_on, open_objections)
    return facts


def _note_step(facts: rules.Facts, s: DevelopmentStep) -> None:
    if s.number == rules.ASSESSMENT_STEP:
        facts.assessments.append(s.occurred_on)
        facts.dates[6] = max(facts.dates.get(6, s.occurred_on), s.occurred_on)
    else:
        facts.dates[s.number] = s.occurred_on  # in process order: a later round wins


def _load(case_pk: int) -> DevelopmentCase:
    return (
        DevelopmentCase.objects.select_related("person", "branch")
        .prefetch_related(
            "steps",
            "contacts__person__membership",
            "notices__objections",
        )
        .select_for_update(of=("self",))
        .get(pk=case_pk)
    )


def _check_case(actor, case: DevelopmentCase, action: str = "change") -> None:
    if not DevelopmentCase.objects.restrict(actor, action).filter(pk=case.pk).exists():
        raise PermissionDenied(_("该发展档案不在您的权限范围内"))


def _refuse(violations, org, on, book) -> None:
    errors: dict[str, list[str]] = {}
    for v in violations:
        errors.setdefault(v.field, []).append(
            f"{v.message}（依据：{citation(v.key, org, on, book)}）"
        )
    raise ValidationError(errors)


def case_refresh(case: DevelopmentCase, facts: rules.Facts | None = None, book=None) -> None:
    """Stage, last step and next deadline from the records (stored for the pipeline SQL)."""
    facts = facts or facts_for(case)
    last = facts.last_step
    case.last_step = last
    case.outcome = facts.outcome
    if case.closed_reason:
        case.stage = Stage.CLOSED
    elif last == 25 or (
        last == 24 and facts.results.get(24) and facts.outcome == rules.OUTCOME_FULL
    ):
        case.stage = Stage.FULL
    elif last >= 17 and facts.results.get(17):
        case.stage = Stage.PROBATIONARY
    elif last >= 7:
        case.stage = Stage.CANDIDATE
    elif last >= 3:
        case.stage = Stage.ACTIVIST
    else:
        case.stage = Stage.APPLICANT
    upcoming = []
    if case.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY):
        values = rule_values_for(case.branch, timezone.localdate(), book)
        upcoming = sorted(rules.deadlines(facts, values), key=lambda d: d.due_on)
    case.next_due_on = upcoming[0].due_on if upcoming else None
    case.next_due_label = upcoming[0].label if upcoming else ""
    case.save()


# ---------------------------------------------------------------------------------------
# Cases and steps
# ---------------------------------------------------------------------------------------


def _validate_upload(upload) -> None:
    ext = os.path.splitext(upload.name)[1].lower()
    limit = int(getattr(settings, "MAX_UPLOAD_MB", 20)) * 1024 * 1024
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(
            {
                "attachment": _("材料“%(name)s”格式不支持，请上传 PDF、JPG、PNG 或 Word 文件")
                % {"name": upload.name}
            }
        )
    if upload.size > limit:
        raise ValidationError(
            {"attachment": _("材料“%(name)s”超过大小限制") % {"name": upload.name}}
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED_UPLOADS[ext]):
        raise ValidationError(
            {"attachment": _("材料“%(name)s”的内容与扩展名不符") % {"name": upload.name}}
        )


def _content_type(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    return {
        ".pdf": "application/pdf",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".doc": "application/msword",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[ext]


@transaction.atomic
def case_open(
    *,
    actor,
    person: Person,
    branch: PartyOrg,
    applied_on: dt.date,
    decision: str = "",
    notes: str = "",
    leaving_on: dt.date | None = None,
    attachments=(),
) -> DevelopmentCase:
    """Open a case with step 1 (递交入党申请书); the applicant must be 18 on that day."""
    if not PartyOrg.objects.restrict(actor, "view").filter(pk=branch.pk, kind="branch").exists():
        raise PermissionDenied(_("所选支部不在您的权限范围内"))
    if hasattr(person, "membership"):
        raise ValidationError({"person": _("%(name)s 已是党员，无需发展") % {"name": person.name}})
    if DevelopmentCase.objects.filter(person=person, stage__in=rules_open_stages()).exists():
        raise ValidationError(
            {"person": _("%(name)s 已有进行中的发展档案") % {"name": person.name}}
        )
    case = DevelopmentCase.objects.create(
        person=person, branch=branch, applied_on=applied_on, leaving_on=leaving_on, created_by=actor
    )
    if not DevelopmentCase.objects.restrict(actor, "add").filter(pk=case.pk).exists():
        raise PermissionDenied(_("您不能在该支部新建发展档案"))
    step_record(
        actor=actor,
        case=case,
        number=1,
        occurred_on=applied_on,
        decision=decision,
        notes=notes,
        attachments=attachments,
    )
    case.refresh_from_db()
    record_event(actor=actor, verb="development.case_open", target=case, summary=person.name)
    return case


def rules_open_stages():
    return (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


@transaction.atomic
def step_record(
    *,
    actor,
    case: DevelopmentCase,
    number: int,
    occurred_on: dt.date,
    decision: str = "",
    notes: str = "",
    passed: bool | None = None,
    training_days: int | None = None,
    training_hours: int | None = None,
    vote: dict | None = None,
    outcome: str = "",
    extension_months: int | None = None,
    exception_reason: str = "",
    attachments=(),
    supersedes: DevelopmentStep | None = None,
    correction_reason: str = "",
) -> DevelopmentStep:
    """Record step ``number`` of ``case`` (or correct an earlier record with ``supersedes``)."""
    _check_case(actor, case)
    case = _load(case.pk)
    book = RuleBook.load()
    values = rule_values_for(case.branch, occurred_on, book)
    if supersedes is not None:
        if not correction_reason.strip():
            raise ValidationError({"correction_reason": _("更正日期或内容须填写更正理由")})
        facts = _facts_before(case, supersedes)
    else:
        facts = facts_for(case)
    vote_result = None
    if number in rules.VOTE_STEPS:
        if vote is None or vote.get("entitled") is None:
            vote_result = None
        else:
            vote_result = rules.vote_passes(
                vote["entitled"],
                vote.get("present") or 0,
                vote.get("yes") or 0,
                vote.get("no") or 0,
                vote.get("abstain") or 0,
                vote.get("written_yes") or 0,
                vote.get("written_no") or 0,
                vote.get("written_abstain") or 0,
            )
        if vote_result is not None and not vote_result.error and number == 15:
            passed = vote_result.passes
        if vote_result is not None and not vote_result.error and number == 23:
            passed = vote_result.passes
    violations = rules.check_step(
        number,
        occurred_on,
        facts,
        values,
        passed=passed,
        training_days=training_days,
        training_hours=training_hours,
        vote=vote_result,
        outcome=outcome,
        extension_months=extension_months,
        today=timezone.localdate(),
    )
    if supersedes is not None:
        later = [
            s.occurred_on
            for s in effective_steps(case)
            if (s.round, s.number) > (supersedes.round, supersedes.number)
        ]
        if later and occurred_on > min(later):
            violations.append(
                rules.Violation(
                    "dev.order", f"更正后的日期不能晚于后续步骤的日期（{min(later).isoformat()}）"
                )
            )
    hard = [v for v in violations if not v.exception_allowed]
    soft = [v for v in violations if v.exception_allowed]
    if hard:
        _refuse(hard, case.branch, occurred_on, book)
    if soft and not exception_reason.strip():
        errors = {
            "exception_reason": [
                f"{v.message}（依据：{citation(v.key, case.branch, occurred_on, book)}）。"
                "如确有特殊情况，请填写例外理由后再提交"
                for v in soft
            ]
        }
        raise ValidationError(errors)
    new_round = 2 if facts.last_step == 24 and number == 22 else facts.rounds
    if supersedes is not None:
        new_round = supersedes.round
    step = DevelopmentStep(
        case=case,
        number=number,
        occurred_on=occurred_on,
        branch=case.branch,
        decision=decision,
        notes=notes,
        passed=passed,
        training_days=training_days,
        training_hours=training_hours,
        outcome=outcome if number == 23 else "",
        extension_months=extension_months if outcome == rules.OUTCOME_EXTEND else None,
        round=new_round,
        flagged=bool(soft),
        exception_reason=exception_reason.strip() if soft else "",
        supersedes=supersedes,
        correction_reason=correction_reason.strip(),
        recorded_by=actor,
    )
    if vote is not None and number in rules.VOTE_STEPS:
        step.entitled = vote.get("entitled")
        step.present = vote.get("present")
        step.votes_yes = vote.get("yes")
        step.votes_no = vote.get("no")
        step.votes_abstain = vote.get("abstain")
        step.written_yes = vote.get("written_yes")
        step.written_no = vote.get("written_no")
        step.written_abstain = vote.get("written_abstain")
    step.save()
    for kind, upload in attachments:
        _validate_upload(upload)
        StepAttachment.objects.create(
            step=step,
            kind=kind,
            file=upload,
            original_name=os.path.basename(upload.name)[:200],
            content_type=_content_type(upload.name),
            uploaded_by=actor,
        )
    if soft:
        DevelopmentCase.objects.filter(pk=case.pk).update(flagged=True)
    case = _load(case.pk)
    facts = facts_for(case)
    if supersedes is None:
        _apply_effects(actor, case, step, facts, values)
    else:
        _sync_roster_dates(actor, case, facts, values)
    case_refresh(case, facts_for(case), book)
    record_event(
        actor=actor,
        verb="development.step_correct" if supersedes else "development.step_record",
        target=case,
        summary=f"{case.person.name} {step.label} {occurred_on.isoformat()}",
        data={
            "step": number,
            "on": occurred_on.isoformat(),
            "flagged": bool(soft),
            "reason": exception_reason or correction_reason,
        },
    )
    return step


def _facts_before(case, step: DevelopmentStep) -> rules.Facts:
    """The facts as they stood when ``step`` was recorded (for checking a correction)."""
    facts = facts_for(case, exclude_step=step.pk)
    kept = [
        s
        for s in effective_steps(case)
        if s.pk != step.pk and (s.round, s.number) < (step.round, step.number)
    ]
    facts.dates = {}
    facts.assessments = []
    facts.results = {}
    for s in kept:
        _note_step(facts, s)
        if s.passed is not None:
            facts.results[s.number] = s.passed
    if step.number == rules.ASSESSMENT_STEP and rules.ASSESSMENT_STEP in facts.dates:
        facts.last_step = 6
    else:
        facts.last_step = kept[-1].number if kept else 0
        if step.number == 22 and step.round == 2:
            facts.last_step, facts.outcome, facts.rounds = 24, rules.OUTCOME_EXTEND, 1
        else:
            facts.rounds = step.round
    return facts


def _apply_effects(actor, case: DevelopmentCase, step: DevelopmentStep, facts, values) -> None:
    """What an approval means for the person: the member roster, through people's service."""
    person = case.person
    if step.number == 17:
        if not step.passed:
            case.closed_reason = _("上级党委未批准接收为预备党员")
            return
        if hasattr(person, "membership"):
            raise ValidationError({"passed": _("%(name)s 已在党员名册中") % {"name": person.name}})
        membership = Membership(
            branch=case.branch,
            status=Membership.Status.PROBATIONARY,
            joined_on=facts.dates[15],
        )
        person_save(actor=actor, person=person, membership=membership)
    elif step.number in (10, 13, 15) and step.passed is False:
        case.closed_reason = {
            10: _("政治审查不合格"),
            13: _("上级党委预审未通过"),
            15: _("支部大会表决未通过"),
        }[step.number]
    elif step.number == 24 and step.passed:
        proposal = facts.outcome
        membership = Membership.objects.get(person=person)
        if proposal == rules.OUTCOME_FULL:
            membership.status = Membership.Status.FULL
            membership.full_member_on = rules.probation_end(
                facts.dates[15], values["dev.probation_months"], case.extension_months
            )
            membership.branch = case.branch
            person_save(actor=actor, person=person, membership=membership)
        elif proposal == rules.OUTCOME_EXTEND:
            step23 = [s for s in effective_steps(case) if s.number == 23][-1]
            case.extension_months = step23.extension_months or 0
        elif proposal == rules.OUTCOME_CANCEL:
            person_save(actor=actor, person=person, drop_membership=True)
            case.closed_reason = _("取消预备党员资格")
    case.save()


def _sync_roster_dates(actor, case: DevelopmentCase, facts, values) -> None:
    """A corrected 支部大会 date moves the roster dates that count from it."""
    membership = Membership.objects.filter(person=case.person).first()
    if membership is None or 15 not in facts.dates:
        return
    joined = facts.dates[15]
    full_on = membership.full_member_on
    if membership.status == Membership.Status.FULL and case.stage == Stage.FULL:
        full_on = rules.probation_end(joined, values["dev.probation_months"], case.extension_months)
    if (membership.joined_on, membership.full_member_on) != (joined, full_on):
        membership.joined_on, membership.full_member_on = joined, full_on
        person_save(actor=actor, person=case.person, membership=membership)


def step_correct(
    *,
    actor,
    step: DevelopmentStep,
    occurred_on: dt.date,
    reason: str,
    decision: str | None = None,
    notes: str | None = None,
) -> DevelopmentStep:
    """Correct a step's date or text: a new record that supersedes the old one, with a reason."""
    if hasattr(step, "superseded_by"):
        raise ValidationError({"occurred_on": _("该记录已被更正，请更正最新的记录")})
    vote = None
    if step.entitled is not None:
        vote = {
            "entitled": step.entitled,
            "present": step.present,
            "yes": step.votes_yes,
            "no": step.votes_no,
            "abstain": step.votes_abstain,
            "written_yes": step.written_yes,
            "written_no": step.written_no,
            "written_abstain": step.written_abstain,
        }
    return step_record(
        actor=actor,
        case=step.case,
        number=step.number,
        occurred_on=occurred_on,
        decision=step.decision if decision is None else decision,
        notes=step.notes if notes is None else notes,
        passed=step.passed,
        training_days=step.training_days,
        training_hours=step.training_hours,
        vote=vote,
        outcome=step.outcome,
        extension_months=step.extension_months,
        exception_reason=step.exception_reason,
        supersedes=step,
        correction_reason=reason,
    )


@transaction.atomic
def contact_add(
    *,
    actor,
    case: DevelopmentCase,
    role: str,
    person: Person,
    named_on: dt.date,
    phone: str = "",
) -> CaseContact:
    """Name a 培养联系人 (1–2) or 入党介绍人 (2): full members only."""
    _check_case(actor, case)
    membership = Membership.objects.filter(person=person).first()
    if membership is None or membership.status != Membership.Status.FULL:
        raise ValidationError(
            {"person": _("%(name)s 不是正式党员，不能担任") % {"name": person.name}}
        )
    if person.pk == case.person_id:
        raise ValidationError({"person": _("不能由本人担任")})
    active = CaseContact.objects.filter(case=case, role=role, ended_on__isnull=True)
    if active.filter(person=person).exists():
        raise ValidationError({"person": _("%(name)s 已在名单中") % {"name": person.name}})
    book = RuleBook.load()
    key = "dev.mentors_max" if role == CaseContact.Role.MENTOR else "dev.sponsors_required"
    limit = book.value(key, on=named_on, org=case.branch)
    if active.count() >= limit:
        raise ValidationError(
            {
                "person": _("人数已满（至多 %(n)s 名；依据：%(c)s）")
                % {"n": limit, "c": citation(key, case.branch, named_on, book)}
            }
        )
    contact = CaseContact.objects.create(
        case=case,
        role=role,
        person=person,
        phone=phone or person.phone,
        named_on=named_on,
        created_by=actor,
    )
    record_event(
        actor=actor,
        verb="development.contact_add",
        target=case,
        summary=f"{contact.get_role_display()} {person.name}",
    )
    return contact


@transaction.atomic
def notice_publish(
    *, actor, case: DevelopmentCase, before_step: int, starts_on: dt.date, content: str = ""
) -> PublicNotice:
    """公示 before step 7 or 15 for ``dev.notice_working_days`` working days."""
    _check_case(actor, case)
    if before_step not in rules.NOTICE_STEPS:
        raise ValidationError(
            {"before_step": _("公示只用于确定发展对象（第7步）和支部大会讨论（第15步）前")}
        )
    book = RuleBook.load()
    days = book.value("dev.notice_working_days", on=starts_on, org=case.branch)
    end = workdays.add_working_days(starts_on - dt.timedelta(days=1), days)
    notice = PublicNotice.objects.create(
        case=case,
        before_step=before_step,
        starts_on=starts_on,
        ends_on=end.value,
        working_days=days,
        provisional=end.provisional,
        content=content,
        created_by=actor,
    )
    case_refresh(_load(case.pk), book=book)
    record_event(
        actor=actor,
        verb="development.notice_publish",
        target=case,
        summary=f"{case.person.name} 公示 {starts_on}–{end.value}",
    )
    return notice


@transaction.atomic
def objection_record(
    *, actor, notice: PublicNotice, received_on: dt.date, content: str, raised_by: str = ""
) -> NoticeObjection:
    _check_case(actor, notice.case)
    if not content.strip():
        raise ValidationError({"content": _("请填写反映内容")})
    if received_on < notice.starts_on:
        raise ValidationError({"received_on": _("收到日期不能早于公示开始日期")})
    objection = NoticeObjection.objects.create(
        notice=notice,
        received_on=received_on,
        content=content.strip(),
        raised_by=raised_by.strip(),
        recorded_by=actor,
    )
    record_event(
        actor=actor, verb="development.objection", target=notice.case, summary=content[:50]
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, actor, objection: NoticeObjection, resolved_on: dt.date, resolution: str
) -> NoticeObjection:
    _check_case(actor, objection.notice.case)
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写核实处理结果")})
    if resolved_on < objection.received_on:
        raise ValidationError({"resolved_on": _("处理日期不能早于收到日期")})
    objection.resolved_on = resolved_on
    objection.resolution = resolution.strip()
    objection.save()
    record_event(
        actor=actor,
        verb="development.objection_resolve",
        target=objection.notice.case,
        summary=resolution[:50],
    )
    return objection


@transaction.atomic
def case_move(
    *, actor, case: DevelopmentCase, to_branch: PartyOrg, moved_on: dt.date, reason: str
) -> CaseMove:
    """Move an open case to another branch: every record stays with the case (each step keeps
    the branch that recorded it); from now on the new branch's secretary continues it."""
    _check_case(actor, case)
    if to_branch.kind != PartyOrg.Kind.BRANCH:
        raise ValidationError({"to_branch": _("只能转到党支部")})
    if not PartyOrg.objects.restrict(actor, "view").filter(pk=to_branch.pk).exists():
        raise ValidationError({"to_branch": _("所选支部不在您的权限范围内")})
    if to_branch.pk == case.branch_id:
        raise ValidationError({"to_branch": _("转入支部与当前支部相同")})
    if not case.is_open:
        raise ValidationError({"to_branch": _("该档案已结束，不能转移")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写转移原因")})
    move = CaseMove.objects.create(
        case=case,
        from_branch=case.branch,
        to_branch=to_branch,
        moved_on=moved_on,
        reason=reason.strip(),
        moved_by=actor,
    )
    case.branch = to_branch
    case.save(update_fields=["branch"])
    membership = Membership.objects.filter(person=case.person).first()
    if membership is not None and membership.branch_id != to_branch.pk:
        membership.branch = to_branch
        membership.group = None
        person_save(actor=actor, person=case.person, membership=membership)
    record_event(
        actor=actor,
        verb="development.case_move",
        target=case,
        summary=f"{case.person.name} {move.from_branch.name} → {to_branch.name}",
    )
    return move


@transaction.atomic
def plan_save(
    *, actor, branch: PartyOrg, year: int, quota: int, notes: str = ""
) -> DevelopmentPlan:
    """Set a branch's annual development plan (quota); a local minimum quota is enforced."""
    if not PartyOrg.objects.restrict(actor, "view").filter(pk=branch.pk, kind="branch").exists():
        raise PermissionDenied(_("所选支部不在您的权限范围内"))
    minimum = RuleBook.load().value("dev.quota_required", on=dt.date(year, 1, 1), org=branch)
    if minimum is not None and quota < minimum:
        raise ValidationError({"quota": _("计划发展人数不得少于 %(n)s 名") % {"n": minimum}})
    plan, _created = DevelopmentPlan.objects.update_or_create(
        branch=branch, year=year, defaults={"quota": quota, "notes": notes}
    )
    if not DevelopmentPlan.objects.restrict(actor, "change").filter(pk=plan.pk).exists():
        raise PermissionDenied(_("您不能修改该支部的发展计划"))
    record_event(
        actor=actor, verb="development.plan_save", target=plan, summary=f"{branch.name} {year}"
    )
    return plan


# ---------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------

REMIND_DAYS_BEFORE = 7


def branch_officers(branch_ids) -> dict[int, list]:
    """Secretaries and committee members of the given branches (who get the reminders)."""
    out: dict[int, list] = {}
    grants = RoleGrant.objects.filter(
        party_org_id__in=branch_ids, role__in=[Role.SECRETARY, Role.COMMITTEE]
    ).select_related("user")
    for g in grants:
        out.setdefault(g.party_org_id, []).append(g.user)
    return out


def deadline_reminders_send(today: dt.date | None = None) -> int:
    """Remind each branch of every case deadline due within a week or overdue — each
    (case, deadline) once. Called by the daily Huey task."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    cases = list(
        DevelopmentCase.objects.filter(stage__in=rules_open_stages(), next_due_on__lte=horizon)
        .select_related("person", "branch")
        .prefetch_related("steps", "contacts__person__membership", "notices__objections")
    )
    if not cases:
        return 0
    book = RuleBook.load()
    officers = branch_officers({c.branch_id for c in cases})
    sent = 0
    for case in cases:
        values = rule_values_for(case.branch, today, book)
        for deadline in rules.deadlines(facts_for(case), values):
            if deadline.due_on > horizon:
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        case=case, key=deadline.key, due_on=deadline.due_on
                    )
            except IntegrityError:
                continue  # already sent
            recipients = officers.get(case.branch_id, [])
            if recipients:
                notify(
                    kind="task_overdue",
                    recipients=recipients,
                    context={
                        "name": case.branch.name,
                        "task": f"{case.person.name}：{deadline.label}",
                        "due": deadline.due_on.isoformat(),
                    },
                )
            sent += 1
    return sent
