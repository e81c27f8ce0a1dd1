"""Writes of 三评 results and 民主评议 (one transaction each; audit recorded in the same one).

- ``results_compute``: the results job's body (set-based SQL, ``computation.py``);
  ``results_start`` enqueues it.
- ``leniency_exclude`` / ``leniency_keep``: the office's decision on a flagged rater.
- ``grade_decide``: the branch's decision, with RULES §4 enforced (reason, 预备党员 never
  优秀, 优秀 at most the rule's share of the branch); 基本合格 / 不合格 open a 限期改正 plan;
  the member is told.
- ``plan_close``, ``nomination_add`` (vetoes), ``disciplinary_add`` / ``disciplinary_close``,
  ``policy_save``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.appraisal.models import Campaign
from dangjian.notifications.services import notify
from dangjian.platform.audit import record_event
from dangjian.platform.jobs import job_start
from dangjian.rulebook.selectors import applied_rule

from . import computation
from .models import (
    NEEDS_PLAN,
    DecisionBody,
    DisciplinaryRecord,
    Grade,
    GradeDecision,
    GradingPolicy,
    ImprovementPlan,
    LeniencyFlag,
    MemberResult,
    Nomination,
    ResultRun,
)
from .vetoes import vetoes_for

REASON_MAX = 200


# -------------------------------------------------------------------------------- results


def results_compute(*, actor, campaign: Campaign, progress=None) -> ResultRun:
    """Recompute every member's result of ``campaign`` (all or nothing) and keep the run."""
    with transaction.atomic():
        figures = computation.compute_results(campaign, progress=progress)
        run = ResultRun.objects.create(
            campaign=campaign,
            computed_by=actor if getattr(actor, "pk", None) else None,
            members=figures["members"],
            sheets=figures["sheets"],
            excluded=figures["excluded"],
            seconds=Decimal(str(figures["seconds"])),
            summary=figures["summary"],
        )
        record_event(
            actor=actor,
            verb="appraisal.results_computed",
            target=campaign,
            summary=_("计算评议结果：%(m)s 名党员，%(s)s 份评议表")
            % {"m": figures["members"], "s": figures["sheets"]},
            data={k: v for k, v in figures.items() if k != "summary"},
        )
    return run


def results_start(*, actor, campaign: Campaign):
    """Enqueue the results job (after commit); returns the job record."""
    from .tasks import compute_results_task

    return job_start(
        actor=actor,
        kind="appraisal.results",
        task=compute_results_task,
        title=_("计算评议结果：%(c)s") % {"c": campaign.name},
        campaign_id=campaign.pk,
    )


def policy_save(*, actor, policy: GradingPolicy) -> GradingPolicy:
    if not (policy.excellent_min >= policy.qualified_min >= policy.basic_min):
        raise ValidationError({"excellent_min": _("分数线须满足：优秀 ≥ 合格 ≥ 基本合格")})
    with transaction.atomic():
        policy._history_user = actor
        policy.save()
        record_event(
            actor=actor,
            verb="appraisal.policy_saved",
            target=policy.campaign,
            summary=_("评定规则：优秀 %(e)s，合格 %(q)s，基本合格 %(b)s，雷同检查 %(n)s 份")
            % {
                "e": policy.excellent_min,
                "q": policy.qualified_min,
                "b": policy.basic_min,
                "n": policy.leniency_min_sheets,
            },
        )
    return policy


# -------------------------------------------------------------------------------- leniency


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("处理理由：请填写")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("处理理由：不超过 %(n)s 字") % {"n": REASON_MAX}})
    return reason


def leniency_exclude(*, actor, flag: LeniencyFlag, reason: str) -> int:
    """Exclude the flagged rater's sheets from the results (kept, marked, reason recorded);
    returns how many sheets. The caller starts a recomputation."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        flag = LeniencyFlag.objects.select_for_update().get(pk=flag.pk)
        ratings = flag.ratings()
        ids = list(ratings.values_list("pk", flat=True))
        ratings.update(excluded=True, excluded_reason=reason[:200])
        flag.status = LeniencyFlag.Status.EXCLUDED
        flag.reason = reason
        flag.decided_by = actor
        flag.decided_at = timezone.now()
        flag._history_user = actor
        flag.save()
        record_event(
            actor=actor,
            verb="appraisal.ratings_excluded",
            target=flag.campaign,
            summary=_("剔除雷同评分 %(r)s 的 %(n)s 份评议表：%(reason)s")
            % {"r": flag.rater_label, "n": len(ids), "reason": reason},
            data={"flag": flag.pk, "ratings": ids},
        )
    return len(ids)


def leniency_keep(*, actor, flag: LeniencyFlag, reason: str) -> LeniencyFlag:
    """Keep the flagged rater's sheets (undoing an exclusion, if any)."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        flag = LeniencyFlag.objects.select_for_update().get(pk=flag.pk)
        restored = []
        if flag.status == LeniencyFlag.Status.EXCLUDED:
            ratings = flag.ratings().filter(excluded=True)
            restored = list(ratings.values_list("pk", flat=True))
            ratings.update(excluded=False, excluded_reason="")
        flag.status = LeniencyFlag.Status.KEPT
        flag.reason = reason
        flag.decided_by = actor
        flag.decided_at = timezone.now()
        flag._history_user = actor
        flag.save()
        record_event(
            actor=actor,
            verb="appraisal.ratings_kept",
            target=flag.campaign,
            summary=_("保留 %(r)s 的评分：%(reason)s") % {"r": flag.rater_label, "reason": reason},
            data={"flag": flag.pk, "restored": restored},
        )
    return flag


# -------------------------------------------------------------------------------- grades


def excellent_cap(result: MemberResult) -> tuple[int, int, object]:
    """(at most how many 优秀, graded members, applied rule) for the result's branch."""
    rule = applied_rule(
        "appraisal.excellent_max_fraction", on=result.campaign.ends_on, org=result.branch
    )
    members = MemberResult.objects.filter(
        campaign_id=result.campaign_id, branch_id=result.branch_id
    ).count()
    return math.floor(members * rule.value), members, rule


def grade_decide(
    *,
    actor,
    result: MemberResult,
    grade: str,
    body: str,
    decided_on: dt.date,
    reason: str,
    measures: str = "",
    due_on: dt.date | None = None,
) -> GradeDecision:
    """Record (or change) the branch's grade for a member, enforcing RULES §4, and tell him."""
    reason = (reason or "").strip()
    measures = (measures or "").strip()
    errors: dict[str, str] = {}
    if grade not in Grade.values:
        errors["grade"] = _("评定等次：请选择")
    if body not in DecisionBody.values:
        errors["body"] = _("评定组织：请选择支委会或党员大会")
    if not reason:
        errors["reason"] = _("评定理由：请填写（组织评定不能只看票数）")
    if decided_on is None:
        errors["decided_on"] = _("评定日期：请填写")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("评定日期：不能晚于今天")
    if grade in NEEDS_PLAN:
        if not measures:
            errors["measures"] = _("改正要求：评为基本合格或不合格须提出限期改正要求")
        if due_on is None:
            errors["due_on"] = _("改正期限：请填写")
        elif decided_on and due_on <= decided_on:
            errors["due_on"] = _("改正期限：须晚于评定日期")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the branch's results: two officers deciding at once cannot both take the
        # last 优秀 place.
        list(
            MemberResult.objects.select_for_update()
            .filter(campaign_id=result.campaign_id, branch_id=result.branch_id)
            .values_list("pk", flat=True)
        )
        result = MemberResult.objects.select_related("campaign", "branch", "person").get(
            pk=result.pk
        )
        if grade == Grade.EXCELLENT:
            cap, members, rule = excellent_cap(result)
            if result.probationary:
                raise ValidationError(
                    {"grade": _("预备党员不评为优秀（依据%(c)s）") % {"c": rule.citation}}
                )
            taken = (
                GradeDecision.objects.filter(
                    result__campaign_id=result.campaign_id,
                    result__branch_id=result.branch_id,
                    grade=Grade.EXCELLENT,
                )
                .exclude(result_id=result.pk)
                .count()
            )
            if taken + 1 > cap:
                raise ValidationError(
                    {
                        "grade": _(
                            "本支部评为优秀的党员已有 %(t)s 名，不能超过参评党员 %(m)s 名的"
                            "%(f)s（%(cap)s 名，依据%(c)s）"
                        )
                        % {
                            "t": taken,
                            "m": members,
                            "f": rule.definition.display(rule.value),
                            "cap": cap,
                            "c": rule.citation,
                        }
                    }
                )
        decision = GradeDecision.objects.filter(result=result).first() or GradeDecision(
            result=result
        )
        previous = decision.grade if decision.pk else ""
        decision.grade = grade
        decision.body = body
        decision.decided_on = decided_on
        decision.reason = reason
        decision.decided_by = actor
        decision._history_user = actor
        decision.save()
        plan = ImprovementPlan.objects.filter(decision=decision).first()
        if grade in NEEDS_PLAN:
            plan = plan or ImprovementPlan(decision=decision)
            plan.measures = measures
            plan.due_on = due_on
            plan._history_user = actor
            plan.save()
        elif plan is not None and plan.closed_on is None:
            plan.delete()
        if grade != Grade.EXCELLENT:
            Nomination.objects.filter(decision=decision).delete()
        record_event(
            actor=actor,
            verb="appraisal.grade_decided",
            target=decision,
            summary=_("%(p)s：%(g)s（%(b)s，%(r)s）")
            % {
                "p": result.person.name,
                "g": decision.get_grade_display(),
                "b": decision.get_body_display(),
                "r": reason[:100],
            },
            data={"previous": previous, "grade": grade, "result": result.pk},
        )
        _tell_member(actor, decision, plan if grade in NEEDS_PLAN else None)
    return decision


def _tell_member(actor, decision: GradeDecision, plan: ImprovementPlan | None) -> None:
    person = decision.result.person
    if not person.user_id:
        return
    content = _("%(name)s同志：经%(body)s评定，您在“%(campaign)s”中的民主评议等次为%(grade)s。") % {
        "name": person.name,
        "body": decision.get_body_display(),
        "campaign": decision.result.campaign.name,
        "grade": decision.get_grade_display(),
    }
    if plan is not None:
        content += _("请按要求在 %(due)s 前完成改正：%(measures)s") % {
            "due": plan.due_on.isoformat(),
            "measures": plan.measures,
        }
    notify(
        kind="notice",
        recipients=[person.user],
        context={"title": _("民主评议结果告知"), "content": content},
        actor=actor,
    )
    decision.notified_at = timezone.now()
    GradeDecision.objects.filter(pk=decision.pk).update(notified_at=decision.notified_at)


def plan_close(*, actor, plan: ImprovementPlan, note: str, closed_on: dt.date) -> ImprovementPlan:
    """Close an improvement plan with what was put right."""
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["closing_note"] = _("改正情况：请填写")
    if closed_on is None:
        errors["closed_on"] = _("完成日期：请填写")
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("完成日期：不能晚于今天")
    if plan.closed_on is not None:
        errors["closed_on"] = _("该限期改正已办结")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan.closed_on = closed_on
        plan.closing_note = note
        plan.closed_by = actor
        plan._history_user = actor
        plan.save()
        record_event(
            actor=actor,
            verb="appraisal.plan_closed",
            target=plan,
            summary=_("限期改正办结：%(p)s") % {"p": plan.decision.result.person.name},
        )
    return plan


# -------------------------------------------------------------------------------- nominations


def nomination_add(*, actor, decision: GradeDecision, note: str) -> Nomination:
    """Nominate a member graded 优秀 as 优秀共产党员 unless a veto holds (reason shown)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("推荐理由：请填写")})
    if decision.grade != Grade.EXCELLENT:
        raise ValidationError({"note": _("只有评定为优秀的党员才能推荐为优秀共产党员")})
    vetoes = vetoes_for([decision.result.person], on=timezone.localdate()).get(
        decision.result.person_id, []
    )
    if vetoes:
        raise ValidationError({"note": _("不能推荐：%(v)s") % {"v": "；".join(vetoes)}})
    with transaction.atomic():
        nomination, _created = Nomination.objects.get_or_create(
            decision=decision, defaults={"note": note, "nominated_by": actor}
        )
        if not _created:
            nomination.note = note
            nomination._history_user = actor
            nomination.save()
        record_event(
            actor=actor,
            verb="appraisal.nominated",
            target=nomination,
            summary=_("推荐%(p)s为优秀共产党员") % {"p": decision.result.person.name},
        )
    return nomination


# -------------------------------------------------------------------------------- discipline


def disciplinary_add(*, actor, record: DisciplinaryRecord) -> DisciplinaryRecord:
    if record.decided_on and record.decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("决定日期：不能晚于今天")})
    if record.closed_on and record.decided_on and record.closed_on < record.decided_on:
        raise ValidationError({"closed_on": _("影响期满日期：不能早于决定日期")})
    with transaction.atomic():
        record.recorded_by = actor
        record._history_user = actor
        record.save()
        record_event(
            actor=actor,
            verb="appraisal.discipline_recorded",
            target=record,
            summary=f"{record.person.name}：{record.get_kind_display()}",
        )
    return record


def disciplinary_close(*, actor, record: DisciplinaryRecord, closed_on: dt.date):
    if closed_on is None or closed_on < record.decided_on:
        raise ValidationError({"closed_on": _("影响期满日期：不能早于决定日期")})
    with transaction.atomic():
        record.closed_on = closed_on
        record._history_user = actor
        record.save()
        record_event(
            actor=actor,
            verb="appraisal.discipline_closed",
            target=record,
            summary=f"{record.person.name}：{record.get_kind_display()}",
        )
    return record
