"""Writes of the 意见箱 (one transaction each, audit recorded in the same one)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.audit import record_event

from .guard import LIMITS
from .models import Suggestion, SuggestionBox

PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
ANSWER_MAX = 2000


def box_open(*, actor, branch: PartyOrg, intro: str = "") -> SuggestionBox:
    """The branch's box (created on first use), taking messages."""
    if branch.kind != PartyOrg.Kind.BRANCH:
        raise ValidationError({"branch": _("意见箱只能开设在党支部")})
    with transaction.atomic():
        box, created = SuggestionBox.objects.get_or_create(branch=branch)
        box.is_open = True
        if intro:
            box.intro = intro[:300]
        box._history_user = actor
        box.save()
        record_event(
            actor=actor,
            verb="suggestions.box_opened" if created else "suggestions.box_reopened",
            target=box,
            summary=str(box),
        )
    return box


def box_close(*, actor, box: SuggestionBox) -> SuggestionBox:
    with transaction.atomic():
        box.is_open = False
        box._history_user = actor
        box.save()
        record_event(actor=actor, verb="suggestions.box_closed", target=box, summary=str(box))
    return box


def suggestion_submit(
    *,
    box: SuggestionBox,
    content: str,
    topic: str = Suggestion.Topic.ADVICE,
    anonymous: bool = True,
    contact_name: str = "",
    contact_phone: str = "",
    nonce: str | None = None,
) -> Suggestion:
    """A message from the public page. Refused whole (nothing saved) when too long, empty,
    named without name or phone, the box closed, or the form already used."""
    content = (content or "").strip()
    contact_name = (contact_name or "").strip()
    contact_phone = (contact_phone or "").strip().replace(" ", "")
    errors: dict[str, str] = {}
    if not box.is_open:
        errors["__all__"] = _("该意见箱暂停接收留言")
    if not content:
        errors["content"] = _("留言内容：请填写")
    elif len(content) > LIMITS["max_chars"]:
        errors["content"] = _("留言内容：不超过 %(max)s 字（现有 %(n)s 字）") % {
            "max": LIMITS["max_chars"],
            "n": len(content),
        }
    if topic not in Suggestion.Topic.values:
        errors["topic"] = _("类别：请选择")
    if not anonymous:
        if not contact_name:
            errors["contact_name"] = _("姓名：实名留言请填写姓名")
        elif len(contact_name) > 50:
            errors["contact_name"] = _("姓名：不超过50字")
        if not PHONE_RE.match(contact_phone):
            errors["contact_phone"] = _("联系电话：请填写11位手机号或带区号的固定电话")
    if errors:
        raise ValidationError(errors)
    if anonymous:
        contact_name = contact_phone = ""
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                box=box,
                topic=topic,
                content=content,
                is_anonymous=anonymous,
                contact_name=contact_name,
                contact_phone=contact_phone,
                form_nonce=nonce,
            )
            record_event(
                actor=None,
                verb="suggestions.received",
                target=suggestion,
                summary=_("%(box)s收到留言 %(code)s") % {"box": box, "code": suggestion.code},
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": _("该表单已提交过，请勿重复提交")}) from exc
    return suggestion


def suggestion_answer(*, actor, suggestion: Suggestion, answer: str, close: bool = False):
    """Answer (or re-answer) a message; ``close`` also closes it."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("答复：请填写")})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": _("答复：不超过 %(n)s 字") % {"n": ANSWER_MAX}})
    if suggestion.status == Suggestion.Status.CLOSED:
        raise ValidationError({"answer": _("该留言已办结，不能再修改答复")})
    with transaction.atomic():
        now = timezone.now()
        suggestion.answer = answer
        suggestion.answered_by = actor
        suggestion.answered_at = now
        suggestion.status = Suggestion.Status.CLOSED if close else Suggestion.Status.ANSWERED
        if close:
            suggestion.closed_at = now
        suggestion.save()
        record_event(
            actor=actor,
            verb="suggestions.answered",
            target=suggestion,
            summary=_("答复留言 %(code)s") % {"code": suggestion.code},
            data={"closed": close},
        )
    return suggestion


def suggestion_close(*, actor, suggestion: Suggestion) -> Suggestion:
    """Close an answered message (a message is never closed without an answer)."""
    if not suggestion.answer:
        raise ValidationError({"answer": _("请先答复再办结")})
    if suggestion.status == Suggestion.Status.CLOSED:
        return suggestion
    with transaction.atomic():
        suggestion.status = Suggestion.Status.CLOSED
        suggestion.closed_at = timezone.now()
        suggestion.save()
        record_event(
            actor=actor,
            verb="suggestions.closed",
            target=suggestion,
            summary=_("办结留言 %(code)s") % {"code": suggestion.code},
        )
    return suggestion
