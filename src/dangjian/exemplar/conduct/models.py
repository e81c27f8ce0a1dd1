"""比作风 — 做合格党员 self-inspection: problems a member finds in himself, the rectification
measures (owner, deadline, evidence, closure) and the escalation of overdue ones.

An inspection belongs to the branch the member was in when he filed it (``branch``): that
branch's secretary reviews it and closes its measures, even if the member moves on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope


class ProblemCategory(models.Model):
    """理想信念, 政治纪律, 作风 … — data, seeded by a migration; the office may add more."""

    name = models.CharField(_("类别名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class SelfInspection(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")
        REVIEWED = "reviewed", _("已审阅")

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="self_inspections"
    )
    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    summary = models.TextField(_("自查总体情况"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    review_comment = models.TextField(_("支部审阅意见"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审阅人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()
    # Party data hangs on the party tree only (as 组织关系转接 does): no unit path.
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("做合格党员自查")
        verbose_name_plural = _("做合格党员自查")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="inspection_one_per_year")
        ]
        indexes = [
            models.Index(fields=["branch", "year"], name="inspection_branch_year_idx"),
            # The list's default order (newest year first) read straight off an index.
            models.Index(fields=["year", "id"], name="inspection_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"


class Problem(models.Model):
    inspection = models.ForeignKey(
        SelfInspection, verbose_name=_("自查"), on_delete=models.CASCADE, related_name="problems"
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("查摆的问题"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="inspection__branch", own="inspection__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("查摆问题")
        verbose_name_plural = _("查摆问题")

    def __str__(self) -> str:
        return self.description[:40]


class Rectification(models.Model):
    """One measure against a problem: owner, deadline, evidence, closure by the branch."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已完成待销号")
        CLOSED = "closed", _("已销号")

    problem = models.ForeignKey(
        Problem, verbose_name=_("查摆问题"), on_delete=models.CASCADE, related_name="measures"
    )
    # The inspection again, so lists and the daily scan reach the branch in one join.
    inspection = models.ForeignKey(
        SelfInspection,
        verbose_name=_("自查"),
        on_delete=models.CASCADE,
        related_name="measures",
        editable=False,
    )
    # The inspection's branch again: lists and the office's reach need no join (a grant on
    # the party tree's root then filters nothing at all).
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    measure = models.TextField(_("整改措施"), max_length=500)
    owner = models.ForeignKey(
        Person, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(_("整改佐证"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    # Each escalation stage is sent once.
    reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="branch", own="inspection__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        indexes = [
            models.Index(fields=["status", "deadline"], name="rectification_due_idx"),
            models.Index(fields=["branch", "deadline"], name="rectification_branch_idx"),
            models.Index(fields=["deadline", "id"], name="rectification_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.measure[:40]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.deadline < today


def _file_path(instance, filename):
    # Stored under a random name: the original name is kept in ``name`` for display only.
    return f"conduct/{instance.rectification.inspection_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class RectificationFile(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to=_file_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    scope = Scope(party="rectification__branch", own="rectification__inspection__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")

    def __str__(self) -> str:
        return self.name
