"""三亮 (亮身份 · 亮形象 · 亮承诺): a member's public card and his yearly commitments.

``MemberCard.public_token`` is the non-guessable part of the card's public link (and of the QR
code on the 党员示范岗牌); the public page shows only what 三亮 puts on the card.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope


def new_public_token() -> str:
    return secrets.token_urlsafe(16)


class MemberCard(models.Model):
    person = models.OneToOneField(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="member_card"
    )
    public_token = models.CharField(
        _("公开链接码"), max_length=32, unique=True, default=new_public_token, editable=False
    )
    # 党员示范岗: the post the card stands on (shown as the badge).
    is_model_post = models.BooleanField(_("党员示范岗"), default=False)
    model_post_name = models.CharField(_("示范岗名称"), max_length=50, blank=True, default="")
    department = models.CharField(_("部门"), max_length=50, blank=True, default="")
    is_published = models.BooleanField(_("公开"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()
    scope = Scope(unit="person__unit", party="person__membership__branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党员亮身份卡")
        verbose_name_plural = _("党员亮身份卡")

    def __str__(self) -> str:
        return str(self.person)


class Commitment(models.Model):
    """A member's commitments (亮承诺) for one year: one set per member and year, written by
    the member (or his secretary), reviewed at year end (kept / partly / not kept)."""

    class Result(models.TextChoices):
        KEPT = "kept", _("已践诺")
        PARTLY = "partly", _("部分践诺")
        NOT_KEPT = "not_kept", _("未践诺")

    card = models.ForeignKey(
        MemberCard, verbose_name=_("亮身份卡"), on_delete=models.CASCADE, related_name="commitments"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("承诺内容"), max_length=1000)
    result = models.CharField(_("践诺情况"), max_length=10, choices=Result.choices, blank=True)
    evidence = models.TextField(_("践诺情况说明"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()
    scope = Scope(
        unit="card__person__unit",
        party="card__person__membership__branch",
        own="card__person__user",
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党员承诺")
        verbose_name_plural = _("党员承诺")
        constraints = [
            models.UniqueConstraint(fields=["card", "year"], name="commitment_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.year}"

    @property
    def is_reviewed(self) -> bool:
        return bool(self.result)

    @property
    def items(self) -> list[str]:
        """The commitments one per line (members write them as a list)."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def _file_path(instance, filename):
    # Stored under a random name: the original name is kept in ``name`` for display only.
    return (
        f"showcase/{instance.commitment.card_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    )


class CommitmentFile(models.Model):
    """Evidence for a commitment's review (photos, documents); served only through a scoped
    view."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("党员承诺"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to=_file_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    scope = Scope(
        unit="commitment__card__person__unit",
        party="commitment__card__person__membership__branch",
        own="commitment__card__person__user",
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("践诺佐证")
        verbose_name_plural = _("践诺佐证")

    def __str__(self) -> str:
        return self.name
