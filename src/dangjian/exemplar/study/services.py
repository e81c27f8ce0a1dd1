"""Writes of 比学习: self-study entries and reflections, one transaction each, audited.

A reflection is checked for originality inside the submit service, in the same transaction
(indexed: a few band lookups and the exact comparison with at most ``MAX_CANDIDATES`` earlier
texts — well under a second at a million stored reflections, see ``perf_exemplar_study``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.notifications.services import notify
from dangjian.orglife.models import Meeting
from dangjian.people.models import Person
from dangjian.platform.audit import record_event

from . import originality
from .models import (
    MAX_REFLECTION_CHARS,
    OriginalityMatch,
    OriginalitySetting,
    Reflection,
    ReflectionBand,
    ReflectionVersion,
    SelfStudy,
    StudyKind,
)

ALLOWED_ATTACHMENTS = {".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Exact comparison with the earlier reflections that share the most bands, at most this many.
MAX_CANDIDATES = 50
# Matches kept per version (the flagged ones and the closest others).
KEEP_MATCHES = 5
DEFAULT_THRESHOLD = Decimal("0.50")


def _member_of(actor) -> Person:
    """The actor's own person record with a branch: only members log study."""
    person = (
        Person.objects.select_related("membership__branch")
        .filter(user=actor, membership__isnull=False)
        .first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if person is None:
        raise PermissionDenied(_("只有党员本人可以登记学习和提交心得体会"))
    return person


# ----------------------------------------------------------------------------- self-study


def _validate_upload(upload, errors: dict) -> None:
    if upload is None:
        return
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENTS:
        errors["attachment"] = [
            _("附件类型不支持，仅限：%(t)s") % {"t": "、".join(sorted(ALLOWED_ATTACHMENTS))}
        ]
    elif upload.size > MAX_ATTACHMENT_BYTES:
        errors["attachment"] = [_("附件不能超过10MB")]


@transaction.atomic
def self_study_add(
    *,
    actor,
    studied_on: dt.date,
    topic: str,
    kind: StudyKind,
    hours: Decimal,
    upload=None,
    today: dt.date | None = None,
) -> SelfStudy:
    """Log a self-study entry for the actor himself; it waits for the secretary's
    confirmation. Points are the kind's points per hour × hours, as priced today."""
    today = today or timezone.localdate()
    person = _member_of(actor)
    topic = (topic or "").strip()
    errors: dict[str, list[str]] = {}
    if not topic:
        errors["topic"] = [_("请填写学习内容")]
    elif len(topic) > 200:
        errors["topic"] = [_("学习内容不能超过200字")]
    if studied_on is None:
        errors["studied_on"] = [_("请填写学习日期")]
    elif studied_on > today:
        errors["studied_on"] = [_("学习日期不能晚于今天")]
    elif studied_on.year < today.year - 1:
        errors["studied_on"] = [_("只能登记本年度和上一年度的学习")]
    if kind is None or not kind.is_active or kind.code == "collective":
        errors["kind"] = [_("请选择学习形式（集中学习由组织生活会议记录自动计入）")]
    if hours is None or not (Decimal("0.5") <= hours <= Decimal("12")):
        errors["hours"] = [_("学时应在0.5至12之间")]
    elif hours * 2 != int(hours * 2):
        errors["hours"] = [_("学时以0.5为单位")]
    _validate_upload(upload, errors)
    if errors:
        raise ValidationError(errors)
    entry = SelfStudy(
        person=person,
        branch=person.membership.branch,
        studied_on=studied_on,
        topic=topic,
        kind=kind,
        hours=hours,
        points=(hours * kind.points_per_hour).quantize(Decimal("0.1")),
    )
    if upload is not None:
        suffix = PurePath(upload.name).suffix.lower()
        entry.attachment_name = PurePath(upload.name).name[:200]
        entry.attachment.save(f"study{suffix}", upload, save=False)
    entry.save()
    record_event(actor=actor, verb="study.self_add", target=entry, summary=topic)
    return entry


@transaction.atomic
def self_study_review(*, actor, entry: SelfStudy, confirm: bool, note: str = "") -> SelfStudy:
    """Confirm (the hours and points count) or decline a self-study entry; not one's own."""
    entry = SelfStudy.objects.select_for_update().select_related("person").get(pk=entry.pk)
    if not SelfStudy.objects.restrict(actor, "change").filter(pk=entry.pk).exists():
        raise PermissionDenied(_("您无权确认该学习记录"))
    if entry.person.user_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("本人的学习记录须由其他支委确认"))
    note = (note or "").strip()
    if entry.status != SelfStudy.Status.SUBMITTED:
        raise ValidationError(_("该记录已处理"))
    if not confirm and not note:
        raise ValidationError({"note": [_("不予确认时请填写原因")]})
    entry.status = SelfStudy.Status.CONFIRMED if confirm else SelfStudy.Status.REJECTED
    entry.review_note = note[:500]
    entry.reviewed_by = actor
    entry.reviewed_at = timezone.now()
    entry.save()
    record_event(
        actor=actor,
        verb="study.self_confirm" if confirm else "study.self_decline",
        target=entry,
        summary=entry.topic,
    )
    return entry


# ----------------------------------------------------------------------------- reflections


def threshold(on: dt.date | None = None) -> Decimal:
    """The containment from which a reflection is flagged (the newest setting in force)."""
    on = on or timezone.localdate()
    row = (
        OriginalitySetting.objects.filter(effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return row.containment_threshold if row else DEFAULT_THRESHOLD


def clean_reflection(title: str, text: str) -> tuple[str, str]:
    """Stripped title and text, or a ValidationError naming the field (nothing is saved)."""
    title = (title or "").strip()
    text = (text or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("请填写标题")]
    elif len(title) > 200:
        errors["title"] = [_("标题不能超过200字")]
    if not text:
        errors["text"] = [_("请填写正文")]
    elif len(text) > MAX_REFLECTION_CHARS:
        errors["text"] = [
            _("正文不能超过%(max)s字（当前%(n)s字），请精简后再提交")
            % {"max": MAX_REFLECTION_CHARS, "n": len(text)}
        ]
    elif not originality.normalise(text):
        errors["text"] = [_("正文没有文字内容")]
    if errors:
        raise ValidationError(errors)
    return title, text


def _band_q(bands) -> Q:
    condition = Q()
    for band_no, band_hash in bands:
        condition |= Q(band_no=band_no, band_hash=band_hash)
    return condition


def find_similar(text: str, *, exclude_id: int | None = None, limit: int = MAX_CANDIDATES):
    """Earlier reflections sharing text with ``text``: ``[(reflection_id, jaccard,
    containment)]``, closest first. Candidates by band lookup (index), exact figures on those
    only."""
    bands = originality.text_bands(text)
    if not bands:
        return []
    rows = ReflectionBand.objects.filter(_band_q(bands))
    if exclude_id is not None:
        rows = rows.exclude(reflection_id=exclude_id)
    candidates = list(
        rows.values("reflection_id")
        .annotate(n=Count("band_no"))
        .order_by("-n", "reflection_id")
        .values_list("reflection_id", flat=True)[:limit]
    )
    if not candidates:
        return []
    mine = originality.shingles(originality.normalise(text))
    found = []
    for pk, other in Reflection.objects.filter(pk__in=candidates).values_list("pk", "text"):
        theirs = originality.shingles(originality.normalise(other))
        found.append((pk, originality.jaccard(mine, theirs), originality.containment(mine, theirs)))
    found.sort(key=lambda row: (-row[2], -row[1], row[0]))
    return found


def _replace_bands(reflection: Reflection, old_text: str | None) -> None:
    if old_text is not None:
        old = originality.text_bands(old_text)
        if old:
            ReflectionBand.objects.filter(_band_q(old), reflection=reflection).delete()
    ReflectionBand.objects.bulk_create(
        ReflectionBand(reflection=reflection, band_no=no, band_hash=h)
        for no, h in originality.text_bands(reflection.text)
    )


def _check(reflection: Reflection, *, old_text: str | None = None) -> list[OriginalityMatch]:
    """Compare the current text with every earlier reflection; store the closest matches and
    the flag; index the text for later checks."""
    limit = float(threshold())
    similar = find_similar(reflection.text, exclude_id=reflection.pk)
    matches = [
        OriginalityMatch(
            reflection=reflection,
            version=reflection.version,
            source_id=pk,
            jaccard=round(jac, 4),
            containment=round(cont, 4),
            flagged=cont >= limit,
        )
        for pk, jac, cont in similar
        if cont >= 0.1
    ]
    kept = [m for m in matches if m.flagged] or matches
    kept = kept[: max(KEEP_MATCHES, sum(m.flagged for m in matches))]
    OriginalityMatch.objects.bulk_create(kept)
    reflection.similarity = max((m.containment for m in matches), default=0.0)
    reflection.flagged = any(m.flagged for m in matches)
    reflection.checked_at = timezone.now()
    _replace_bands(reflection, old_text)
    return kept


def _secretaries(reflection: Reflection):
    from dangjian.accounts.models import RoleGrant
    from dangjian.accounts.roles import Role

    grants = RoleGrant.objects.filter(
        party_org=reflection.branch_id, role__in=[Role.SECRETARY, Role.COMMITTEE]
    ).select_related("user")
    return [g.user for g in grants if g.user.is_active and g.user_id != reflection.person.user_id]


def _notify_reviewers(reflection: Reflection) -> None:
    recipients = _secretaries(reflection)
    if not recipients:
        return
    title = reflection.title
    name = reflection.person.name
    transaction.on_commit(
        lambda: notify(
            kind="notice",
            recipients=recipients,
            context={
                "title": _("【心得体会】%(name)s：%(t)s") % {"name": name, "t": title},
                "content": _("%(name)s提交了心得体会“%(t)s”，请审阅。")
                % {"name": name, "t": title},
            },
        )
    )


@transaction.atomic
def reflection_submit(
    *,
    actor,
    title: str,
    text: str,
    meeting: Meeting | None = None,
    self_study: SelfStudy | None = None,
    now: dt.datetime | None = None,
) -> Reflection:
    """Submit a new reflection of the actor's own; checked for originality at once."""
    person = _member_of(actor)
    title, text = clean_reflection(title, text)
    if meeting is not None and meeting.branch_id != person.membership.branch_id:
        raise ValidationError({"meeting": [_("只能关联本支部的会议")]})
    if self_study is not None and self_study.person_id != person.pk:
        raise ValidationError({"self_study": [_("只能关联本人的自学记录")]})
    now = now or timezone.now()
    reflection = Reflection.objects.create(
        person=person,
        branch=person.membership.branch,
        year=timezone.localtime(now).year,
        title=title,
        text=text,
        meeting=meeting,
        self_study=self_study,
        submitted_at=now,
    )
    _check(reflection)
    reflection.save(update_fields=["similarity", "flagged", "checked_at"])
    ReflectionVersion.objects.create(
        reflection=reflection,
        number=1,
        title=title,
        text=text,
        submitted_at=now,
        similarity=reflection.similarity,
    )
    record_event(
        actor=actor,
        verb="reflection.submit",
        target=reflection,
        summary=title,
        data={"similarity": reflection.similarity, "flagged": reflection.flagged},
    )
    _notify_reviewers(reflection)
    return reflection


@transaction.atomic
def reflection_resubmit(*, actor, reflection: Reflection, title: str, text: str) -> Reflection:
    """The author's revision of a returned reflection: a new version, checked again."""
    reflection = (
        Reflection.objects.select_for_update().select_related("person").get(pk=reflection.pk)
    )
    if reflection.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有作者本人可以修改心得体会"))
    if reflection.status != Reflection.Status.RETURNED:
        raise ValidationError(_("只有被退回的心得体会可以修改后重新提交"))
    title, text = clean_reflection(title, text)
    old_text = reflection.text
    reflection.title, reflection.text = title, text
    reflection.version += 1
    reflection.status = Reflection.Status.SUBMITTED
    reflection.submitted_at = timezone.now()
    _check(reflection, old_text=old_text)
    reflection.save()
    ReflectionVersion.objects.create(
        reflection=reflection,
        number=reflection.version,
        title=title,
        text=text,
        submitted_at=reflection.submitted_at,
        similarity=reflection.similarity,
    )
    record_event(
        actor=actor,
        verb="reflection.resubmit",
        target=reflection,
        summary=f"{title} v{reflection.version}",
        data={"similarity": reflection.similarity, "flagged": reflection.flagged},
    )
    _notify_reviewers(reflection)
    return reflection


@transaction.atomic
def reflection_review(*, actor, reflection: Reflection, accept: bool, comment: str) -> Reflection:
    """Accept a submitted reflection, or return it with comments for revision."""
    reflection = (
        Reflection.objects.select_for_update().select_related("person").get(pk=reflection.pk)
    )
    if not Reflection.objects.restrict(actor, "change").filter(pk=reflection.pk).exists() or (
        reflection.person.user_id == actor.pk and not actor.is_superuser
    ):
        raise PermissionDenied(_("您无权审阅该心得体会"))
    if reflection.status != Reflection.Status.SUBMITTED:
        raise ValidationError(_("该心得体会不在待审阅状态"))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("退回修改时请填写审阅意见")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("审阅意见不能超过2000字")]})
    reflection.status = Reflection.Status.ACCEPTED if accept else Reflection.Status.RETURNED
    reflection.review_comment = comment
    reflection.reviewed_by = actor
    reflection.reviewed_at = timezone.now()
    reflection.save()
    ReflectionVersion.objects.filter(reflection=reflection, number=reflection.version).update(
        outcome=reflection.status,
        review_comment=comment,
        reviewed_by=actor,
        reviewed_at=reflection.reviewed_at,
    )
    record_event(
        actor=actor,
        verb="reflection.accept" if accept else "reflection.return",
        target=reflection,
        summary=f"{reflection.title}：{comment[:100]}",
    )
    author = reflection.person.user
    if author is not None and not accept:
        title = reflection.title
        transaction.on_commit(
            lambda: notify(
                kind="notice",
                recipients=[author],
                context={
                    "title": _("【心得体会退回】%(t)s") % {"t": title},
                    "content": comment,
                },
            )
        )
    return reflection
