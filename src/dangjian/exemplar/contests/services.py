"""Writes of 比业绩: events, participants, scores, ranks and publication — one transaction
each, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.audit import record_event

from . import rules
from .models import Contest, Participant


def _may(actor, contest: Contest, action: str = "change") -> bool:
    return Contest.objects.restrict(actor, action).filter(pk=contest.pk).exists()


def _locked(contest: Contest) -> None:
    if contest.status == Contest.Status.PUBLISHED:
        raise ValidationError(_("成绩已公布，不能再修改"))


@transaction.atomic
def contest_save(*, actor, contest: Contest) -> Contest:
    """Create or update an event (not after its results are published)."""
    creating = contest.pk is None
    if not creating:
        if not _may(actor, contest):
            raise PermissionDenied(_("您无权修改该活动"))
        _locked(Contest.objects.get(pk=contest.pk))
    if not PartyOrg.objects.restrict(actor, "view").filter(pk=contest.organiser_id).exists():
        raise PermissionDenied(_("组织单位不在您的权限范围内"))
    errors: dict[str, list[str]] = {}
    if contest.first_prizes + contest.second_prizes + contest.third_prizes > 500:
        errors["third_prizes"] = [_("奖项名额合计不能超过500")]
    if contest.business_figure is not None and not contest.business_figure_label.strip():
        errors["business_figure_label"] = [_("填写了成效指标值时，请注明指标名称及单位")]
    if errors:
        raise ValidationError(errors)
    if creating:
        contest.created_by = actor
    contest.full_clean()
    contest.save()
    if creating and not _may(actor, contest, "add"):
        raise PermissionDenied(_("您无权在该组织举办活动"))
    if not creating and contest.status == Contest.Status.SCORED:
        _rank(contest)  # prize counts or direction may have changed
    record_event(
        actor=actor,
        verb="contest.create" if creating else "contest.update",
        target=contest,
        summary=contest.name,
    )
    return contest


def _branch_of(person: Person):
    membership = getattr(person, "membership", None)
    return membership.branch_id if membership else None


@transaction.atomic
def participants_add(*, actor, contest: Contest, people) -> int:
    """Enter people into an event; those already entered are skipped. Returns how many."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not _may(actor, contest):
        raise PermissionDenied(_("您无权修改该活动"))
    _locked(contest)
    people = list(people)
    if not people:
        raise ValidationError({"people": [_("请选择参赛人员")]})
    visible = set(
        Person.objects.restrict(actor, "view")
        .filter(pk__in=[p.pk for p in people])
        .values_list("pk", flat=True)
    )
    if any(p.pk not in visible for p in people):
        raise ValidationError({"people": [_("所选人员不在您的权限范围内")]})
    existing = set(contest.participants.values_list("person_id", flat=True))
    new = [
        Participant(contest=contest, person=p, branch_id=_branch_of(p))
        for p in people
        if p.pk not in existing
    ]
    Participant.objects.bulk_create(new)
    if new:
        contest.status = Contest.Status.DRAFT
        contest.save(update_fields=["status"])
        record_event(
            actor=actor,
            verb="contest.participants",
            target=contest,
            summary="、".join(p.person.name for p in new)[:400],
        )
    return len(new)


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    contest = Contest.objects.select_for_update().get(pk=participant.contest_id)
    if not _may(actor, contest):
        raise PermissionDenied(_("您无权修改该活动"))
    _locked(contest)
    name = participant.person.name
    participant.delete()
    record_event(actor=actor, verb="contest.participant_remove", target=contest, summary=name)


def _rank(contest: Contest) -> list[Participant]:
    rows = list(contest.participants.select_related("person").order_by("pk"))
    ranks = rules.competition_ranks(
        {p.pk: p.score for p in rows}, higher_is_better=contest.higher_is_better
    )
    year = contest.held_on.year
    for p in rows:
        p.rank = ranks[p.pk]
        p.award = contest.award_for(p.rank)
        p.certificate_no = f"{year}-{contest.pk:04d}-{p.pk:05d}" if p.award else ""
    Participant.objects.bulk_update(rows, ["rank", "award", "certificate_no"])
    return rows


@transaction.atomic
def scores_record(*, actor, contest: Contest, scores: dict[int, str]) -> Contest:
    """Record scores (participant id → typed score; empty clears it) and rank everyone.
    Every bad score is reported with the participant's name; nothing is saved then."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not _may(actor, contest):
        raise PermissionDenied(_("您无权修改该活动"))
    _locked(contest)
    rows = {p.pk: p for p in contest.participants.select_related("person")}
    errors: list[str] = []
    for pk, raw in scores.items():
        participant = rows.get(pk)
        if participant is None:
            errors.append(_("参赛人员不存在（%(id)s）") % {"id": pk})
            continue
        if str(raw or "").strip() == "":
            participant.score = None
            continue
        try:
            participant.score = rules.parse_score(raw, max_score=contest.max_score)
        except ValueError as exc:
            errors.append(f"{participant.person.name}：{exc}")
    if errors:
        raise ValidationError({"scores": errors})
    Participant.objects.bulk_update(rows.values(), ["score"])
    _rank(contest)
    contest.status = Contest.Status.SCORED
    contest.save(update_fields=["status"])
    record_event(
        actor=actor,
        verb="contest.score",
        target=contest,
        summary=_("%(n)s人有成绩") % {"n": sum(1 for p in rows.values() if p.score is not None)},
    )
    return contest


@transaction.atomic
def contest_publish(*, actor, contest: Contest) -> Contest:
    """Publish the results (scores and ranks are then final; certificates may be printed)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not _may(actor, contest):
        raise PermissionDenied(_("您无权公布该活动成绩"))
    if contest.status != Contest.Status.SCORED:
        raise ValidationError(_("请先录入成绩并排名，再公布"))
    missing = contest.participants.filter(score__isnull=True).count()
    if missing:
        raise ValidationError(
            _("还有%(n)s名参赛人员没有成绩（缺考请填0分或移出名单）") % {"n": missing}
        )
    _rank(contest)
    contest.status = Contest.Status.PUBLISHED
    contest.published_at = timezone.now()
    contest.save(update_fields=["status", "published_at"])
    record_event(actor=actor, verb="contest.publish", target=contest, summary=contest.name)
    return contest
