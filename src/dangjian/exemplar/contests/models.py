"""比业绩 (SPEC §2.3): 岗位练兵 and 岗位竞赛 events, their participants, scores, ranks and
certificates, linked to the business result they served."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope


class Contest(models.Model):
    class Kind(models.TextChoices):
        DRILL = "drill", _("岗位练兵")
        CONTEST = "contest", _("岗位竞赛")

    class Line(models.TextChoices):
        SALES = "sales", _("营销")
        MONOPOLY = "monopoly", _("专卖")
        LOGISTICS = "logistics", _("物流")
        MANAGEMENT = "management", _("管理")
        FINANCE = "finance", _("财务")
        SERVICE = "service", _("客户服务")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        SCORED = "scored", _("已评分")
        PUBLISHED = "published", _("成绩已公布")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=200)
    organiser = models.ForeignKey(
        PartyOrg, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    business_line = models.CharField(_("业务条线"), max_length=20, choices=Line.choices)
    held_on = models.DateField(_("举办日期"))
    description = models.TextField(_("内容与规则"), blank=True)
    max_score = models.DecimalField(
        _("满分"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    higher_is_better = models.BooleanField(_("分数越高名次越前"), default=True)
    first_prizes = models.PositiveSmallIntegerField(_("一等奖名额"), default=1)
    second_prizes = models.PositiveSmallIntegerField(_("二等奖名额"), default=2)
    third_prizes = models.PositiveSmallIntegerField(_("三等奖名额"), default=3)
    # 与业务成效挂钩: what the event did for the business, in words and one figure.
    business_result = models.TextField(_("业务成效"), blank=True)
    business_figure = models.DecimalField(
        _("成效指标值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    business_figure_label = models.CharField(_("指标名称及单位"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="draft")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="organiser")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("岗位练兵/竞赛")
        verbose_name_plural = _("岗位练兵/竞赛")
        indexes = [
            models.Index(fields=["organiser", "-held_on"], name="contest_org_idx"),
            models.Index(fields=["-held_on", "-id"], name="contest_recent_idx"),
        ]

    def __str__(self):
        return self.name

    def award_for(self, rank: int | None) -> str:
        """一等奖 / 二等奖 / 三等奖 by rank (ties share a rank, so they share the award)."""
        if rank is None:
            return ""
        if rank <= self.first_prizes:
            return Participant.Award.FIRST
        if rank <= self.first_prizes + self.second_prizes:
            return Participant.Award.SECOND
        if rank <= self.first_prizes + self.second_prizes + self.third_prizes:
            return Participant.Award.THIRD
        return ""


class Participant(models.Model):
    class Award(models.TextChoices):
        FIRST = "first", _("一等奖")
        SECOND = "second", _("二等奖")
        THIRD = "third", _("三等奖")

    contest = models.ForeignKey(
        Contest, verbose_name=_("练兵/竞赛"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参赛人员"), on_delete=models.PROTECT, related_name="contest_entries"
    )
    # The participant's branch when entered (a branch's view of its members' results).
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("成绩"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=10, choices=Award.choices, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=30, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()
    # The organiser's officers see every entry of their events (through the contest); a
    # branch sees its own members' entries; a member his own.
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("参赛成绩")
        verbose_name_plural = _("参赛成绩")
        constraints = [
            models.UniqueConstraint(fields=["contest", "person"], name="participant_once")
        ]
        indexes = [models.Index(fields=["branch", "contest"], name="participant_branch_idx")]

    def __str__(self):
        return f"{self.contest} · {self.person}"
