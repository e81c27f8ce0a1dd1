"""比学习 (SPEC §2.3): self-study entries, 心得体会 (reflections) and their originality check.

Collective study is not stored here: it is the 学时 of the organisational-life meetings a
member attended (``orglife.selectors``). Points per kind of study are data (``StudyKind``),
the flagging threshold of the originality check too (``OriginalitySetting``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orglife.models import Meeting
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

MAX_REFLECTION_CHARS = 20_000
COLLECTIVE_KIND = "collective"


class StudyKind(models.Model):
    """A kind of study and the 学习积分 one hour of it earns. Reference data read by every
    form (like the rule book), kept by the party office; ``collective`` prices the hours of
    organisational life."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("学习形式"), max_length=30)
    points_per_hour = models.DecimalField(
        _("每学时积分"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学习形式")
        verbose_name_plural = _("学习形式")
        ordering = ["sort", "pk"]

    def __str__(self):
        return self.name


class OriginalitySetting(models.Model):
    """The flagging threshold of the originality check, by effective date (newest applies)."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    containment_threshold = models.DecimalField(
        _("重合度阈值"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text=_("两篇心得共有的文字占较短一篇的比例达到此值即标记为疑似抄袭"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("查重阈值")
        verbose_name_plural = _("查重阈值")

    def __str__(self):
        return f"{self.effective_from} ≥ {self.containment_threshold}"


class SelfStudy(models.Model):
    """A member's own study (a book, the online academy, a lecture …), confirmed by the
    secretary before its hours and points count."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未予确认")

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="self_studies"
    )
    # The member's branch when he logged it: the secretary who confirms it.
    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+"
    )
    studied_on = models.DateField(_("学习日期"))
    topic = models.CharField(_("学习内容"), max_length=200)
    kind = models.ForeignKey(StudyKind, verbose_name=_("学习形式"), on_delete=models.PROTECT)
    hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
    )
    # The kind's price when logged: a later change of price does not rewrite the past.
    points = models.DecimalField(_("学习积分"), max_digits=6, decimal_places=1, default=0)
    attachment = models.FileField(_("附件"), upload_to="study/%Y/", blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    review_note = models.CharField(_("确认意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("自学记录")
        verbose_name_plural = _("自学记录")
        indexes = [
            models.Index(fields=["branch", "studied_on"], name="selfstudy_branch_idx"),
            models.Index(fields=["person", "studied_on"], name="selfstudy_person_idx"),
        ]

    def __str__(self):
        return f"{self.person} · {self.topic}"


class Reflection(models.Model):
    """心得体会: submitted, returned with comments and resubmitted, or accepted. Every submitted
    text is kept as a ``ReflectionVersion``; ``text`` is the current one."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审阅")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已通过")

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="reflections"
    )
    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("关联会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_study = models.ForeignKey(
        SelfStudy,
        verbose_name=_("关联自学"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reflections",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    review_comment = models.TextField(_("审阅意见"), blank=True)
    # The originality check of the current version.
    similarity = models.FloatField(_("最高重合度"), default=0)
    flagged = models.BooleanField(_("疑似抄袭"), default=False)
    checked_at = models.DateTimeField(_("查重时间"), null=True, blank=True)
    # The text is in ReflectionVersion already; history keeps the workflow fields.
    history = HistoricalRecords(excluded_fields=["text"])
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        indexes = [
            models.Index(fields=["branch", "year", "status"], name="reflection_branch_idx"),
            models.Index(fields=["person", "year"], name="reflection_person_idx"),
            models.Index(fields=["-submitted_at", "-id"], name="reflection_recent_idx"),
            # The "suspected copies" filter: about 1 % of the rows, newest first.
            models.Index(
                fields=["-submitted_at", "-id"],
                name="reflection_flagged_idx",
                condition=models.Q(flagged=True),
            ),
        ]

    def __str__(self):
        return self.title


class ReflectionVersion(models.Model):
    """One submitted text of a reflection and what the reviewer said about it."""

    reflection = models.ForeignKey(
        Reflection, verbose_name=_("心得体会"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    outcome = models.CharField(
        _("审阅结果"), max_length=10, choices=Reflection.Status.choices, blank=True
    )
    review_comment = models.TextField(_("审阅意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    similarity = models.FloatField(_("最高重合度"), default=0)
    scope = Scope(party="reflection__branch", own="reflection__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("心得体会版本")
        verbose_name_plural = _("心得体会版本")
        constraints = [
            models.UniqueConstraint(fields=["reflection", "number"], name="reflection_version_uniq")
        ]
        ordering = ["reflection", "number"]

    def __str__(self):
        return f"{self.reflection} v{self.number}"


class ReflectionBand(models.Model):
    """One LSH band of a reflection's current MinHash signature (``originality.bands``).

    The primary key ``(band_no, band_hash, reflection)`` is the one index: it serves both the candidate lookup (an
    index-only scan) and the removal of a reflection's old bands on resubmission (they are
    recomputed from the old text). No surrogate id and no index on ``reflection`` alone: at a million reflections
    that would be 32 M more entries; reflections are never deleted by the application.
    """

    pk = models.CompositePrimaryKey("band_no", "band_hash", "reflection")
    band_no = models.PositiveSmallIntegerField()
    band_hash = models.BigIntegerField()
    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="+", db_index=False
    )


class OriginalityMatch(models.Model):
    """An earlier reflection that shares text with a version of this one (exact figures)."""

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="matches", verbose_name=_("心得体会")
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    source = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="+", verbose_name=_("相似心得")
    )
    jaccard = models.FloatField(_("相似度"))
    containment = models.FloatField(_("重合度"))
    flagged = models.BooleanField(_("疑似抄袭"), default=False)
    scope = Scope(party="reflection__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("查重结果")
        verbose_name_plural = _("查重结果")
        ordering = ["-containment", "pk"]
        indexes = [models.Index(fields=["reflection", "version"], name="originality_match_idx")]
