"""Writes for 三亮: cards created on demand, card settings, commitments and their review.

One transaction each, audited; who may do what comes from the grants (``roles.py``): a member
writes his own commitments, the branch's secretary / committee and the office keep the cards
of their members and review the commitments at year end.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.audit import record_event

from .models import Commitment, CommitmentFile, MemberCard
from .reach import reachable, reaches
from .uploads import check_evidence_upload

TEXT_MAX = 1000
EVIDENCE_MAX = 2000


def review_opens_on(year: int) -> dt.date:
    """The first day a year's commitments may be reviewed: the start of its Q4 by default
    (``SHOWCASE_REVIEW_FROM_MONTH``)."""
    return dt.date(year, getattr(settings, "SHOWCASE_REVIEW_FROM_MONTH", 10), 1)


def _new_card(person: Person) -> MemberCard:
    return MemberCard(person=person, department=(person.unit.name if person.unit_id else "")[:50])


@transaction.atomic
def card_ensure(*, actor, person: Person) -> MemberCard:
    """The member's card, created on first use (department from his unit). The member
    himself or an officer of his branch may create it."""
    card = MemberCard.objects.filter(person=person).first()
    if card is not None:
        return card
    if not hasattr(person, "membership"):
        raise ValidationError({"person": [_("%(p)s 不是党员，没有亮身份卡") % {"p": person.name}]})
    if not reaches(actor, "add", MemberCard, "person", person):
        raise PermissionDenied(_("您无权为该党员生成亮身份卡"))
    try:
        with transaction.atomic():
            card = _new_card(person)
            card._history_user = actor
            card.save()
    except IntegrityError:  # created at the same moment by another request
        return MemberCard.objects.get(person=person)
    record_event(actor=actor, verb="showcase.card.create", target=card, summary=person.name)
    return card


@transaction.atomic
def cards_ensure_for_branch(*, actor, branch: PartyOrg) -> int:
    """Create the missing cards of every member of ``branch`` the actor keeps; the number
    created."""
    if branch.kind != PartyOrg.Kind.BRANCH:
        raise ValidationError({"branch": [_("请选择党支部")]})
    people = reachable(
        actor,
        "add",
        MemberCard,
        "person",
        Person.objects.filter(membership__branch=branch, member_card__isnull=True),
    ).select_related("unit")
    cards = [_new_card(p) for p in people]
    if not cards:
        if not reachable(
            actor, "add", MemberCard, "person", Person.objects.filter(membership__branch=branch)
        ).exists():
            raise PermissionDenied(_("您无权为该支部生成亮身份卡"))
        return 0
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(cards, MemberCard, batch_size=500, default_user=actor)
    record_event(
        actor=actor,
        verb="showcase.card.create_branch",
        target=branch,
        summary=_("生成 %(n)s 张亮身份卡") % {"n": len(cards)},
    )
    return len(cards)


@transaction.atomic
def card_update(
    *,
    actor,
    card: MemberCard,
    is_model_post: bool,
    model_post_name: str,
    department: str,
    is_published: bool,
) -> MemberCard:
    """The branch officer or the office sets the badge, the post's name, the department and
    whether the card is public."""
    card = MemberCard.objects.select_for_update().get(pk=card.pk)
    if not MemberCard.objects.restrict(actor, "change").filter(pk=card.pk).exists():
        raise PermissionDenied(_("您无权修改该亮身份卡"))
    errors: dict[str, list[str]] = {}
    model_post_name = (model_post_name or "").strip()
    department = (department or "").strip()
    if is_model_post and not model_post_name:
        errors["model_post_name"] = [_("设为党员示范岗时须填写示范岗名称")]
    if len(model_post_name) > 50:
        errors["model_post_name"] = [_("示范岗名称不能超过50个字")]
    if len(department) > 50:
        errors["department"] = [_("部门不能超过50个字")]
    if errors:
        raise ValidationError(errors)
    card.is_model_post = bool(is_model_post)
    card.model_post_name = model_post_name
    card.department = department
    card.is_published = bool(is_published)
    card._history_user = actor
    card.save()
    record_event(actor=actor, verb="showcase.card.update", target=card, summary=str(card))
    return card


@transaction.atomic
def commitment_save(
    *, actor, card: MemberCard, year: int, text: str, today: dt.date | None = None
) -> Commitment:
    """Write or update a member's commitments for ``year`` (the current or the coming year);
    one set per member and year; a reviewed set is closed."""
    today = today or timezone.localdate()
    text = (text or "").replace("\r\n", "\n").strip()
    existing = Commitment.objects.select_for_update().filter(card=card, year=year).first()
    action = "change" if existing else "add"
    if not reaches(actor, action, Commitment, "card", card):
        raise PermissionDenied(_("您无权填写该党员的承诺"))
    errors: dict[str, list[str]] = {}
    if year not in (today.year, today.year + 1):
        errors["year"] = [
            _("只能填写%(a)s年或%(b)s年的承诺") % {"a": today.year, "b": today.year + 1}
        ]
    if not text:
        errors["text"] = [_("请填写承诺内容")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [
            _("承诺内容不能超过%(n)s个字（现有%(m)s个字）") % {"n": TEXT_MAX, "m": len(text)}
        ]
    if existing is not None and existing.is_reviewed:
        errors["text"] = [_("%(y)s年的承诺已评定，不能再修改") % {"y": year}]
    if errors:
        raise ValidationError(errors)
    commitment = existing or Commitment(card=card, year=year, created_by=actor)
    commitment.text = text
    commitment._history_user = actor
    commitment.save()
    record_event(
        actor=actor,
        verb="showcase.commitment.update" if existing else "showcase.commitment.create",
        target=commitment,
        summary=f"{card.person.name} {year}",
    )
    return commitment


@transaction.atomic
def commitment_review(
    *,
    actor,
    commitment: Commitment,
    result: str,
    evidence: str,
    today: dt.date | None = None,
) -> Commitment:
    """The branch's year-end review: kept / partly / not kept, with the evidence. Only from
    the start of the year's last quarter, never by the member himself."""
    today = today or timezone.localdate()
    commitment = (
        Commitment.objects.select_for_update().select_related("card__person").get(pk=commitment.pk)
    )
    if not Commitment.objects.restrict(actor, "change").filter(pk=commitment.pk).exists():
        raise PermissionDenied(_("您无权评定该承诺"))
    if commitment.card.person.user_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("不能评定自己的承诺，应由支部评定"))
    errors: dict[str, list[str]] = {}
    opens = review_opens_on(commitment.year)
    if today < opens:
        errors["result"] = [
            _("%(y)s年的承诺自%(d)s起方可评定（年底评定）")
            % {"y": commitment.year, "d": f"{opens:%Y-%m-%d}"}
        ]
    if result not in Commitment.Result.values:
        errors["result"] = [_("请选择践诺情况")]
    evidence = (evidence or "").strip()
    if not evidence:
        errors["evidence"] = [_("请填写践诺情况说明（事实依据）")]
    elif len(evidence) > EVIDENCE_MAX:
        errors["evidence"] = [_("践诺情况说明不能超过%(n)s个字") % {"n": EVIDENCE_MAX}]
    if errors:
        raise ValidationError(errors)
    commitment.result = result
    commitment.evidence = evidence
    commitment.reviewed_by = actor
    commitment.reviewed_at = timezone.now()
    commitment._history_user = actor
    commitment.save()
    record_event(
        actor=actor,
        verb="showcase.commitment.review",
        target=commitment,
        summary=f"{commitment.card.person.name} {commitment.year} {commitment.get_result_display()}",
    )
    return commitment


def commitment_file_add(*, actor, commitment: Commitment, upload) -> CommitmentFile:
    """Attach evidence to a commitment (checked; served only through a scoped view)."""
    if not reaches(actor, "add", CommitmentFile, "commitment", commitment):
        raise PermissionDenied(_("您无权为该承诺上传佐证"))
    if upload is None:
        raise ValidationError({"file": [_("请选择文件")]})
    content_type = check_evidence_upload(upload)
    with transaction.atomic():
        row = CommitmentFile(
            commitment=commitment,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        row.file.save(upload.name, upload, save=False)
        row.save()
        record_event(
            actor=actor, verb="showcase.commitment.file_add", target=commitment, summary=row.name
        )
    return row
