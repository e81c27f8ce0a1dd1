"""Organisational life: the yearly plan of a branch, its meetings, attendance, files, and the
log of compliance reminders already sent."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

from . import rules


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = rules.GENERAL_MEETING, _("支部党员大会")
    COMMITTEE_MEETING = rules.COMMITTEE_MEETING, _("支委会")
    GROUP_MEETING = rules.GROUP_MEETING, _("党小组会")
    PARTY_LECTURE = rules.PARTY_LECTURE, _("党课")
    THEME_DAY = rules.THEME_DAY, _("主题党日")
    ORG_LIFE_MEETING = rules.ORG_LIFE_MEETING, _("组织生活会")
    LEADERSHIP_LIFE_MEETING = rules.LEADERSHIP_LIFE_MEETING, _("民主生活会")
    HEART_TO_HEART_TALK = rules.HEART_TO_HEART_TALK, _("谈心谈话")


class BranchPlan(models.Model):
    """A branch's yearly plan of organisational life; the planned meetings hang on the branch."""

    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="orglife_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    theme_day_of_month = models.PositiveSmallIntegerField(
        _("主题党日固定日"),
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("每月第几日开展主题党日（小月取月末）"),
    )
    note = models.TextField(_("计划说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    scope = Scope(party="branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("组织生活年度计划")
        verbose_name_plural = _("组织生活年度计划")
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="orglife_plan_branch_year")
        ]

    def __str__(self):
        return f"{self.branch} {self.year}"


class Meeting(models.Model):
    """One meeting of a kind: planned first (optional), then recorded as held."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已计划")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=30, choices=MeetingKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    host = models.ForeignKey(
        Person,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        Person,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    resolutions = models.TextField(_("决议事项"), blank=True)
    study_hours = models.DecimalField(
        _("计入学时"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
        help_text=_("每位出席人员计入的学习学时"),
    )
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    scope = Scope(party="branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [
            models.Index(fields=["branch", "status", "held_on"], name="orglife_meeting_branch_idx"),
            models.Index(fields=["status", "held_on", "kind"], name="orglife_meeting_held_idx"),
            models.Index(fields=["branch", "planned_on"], name="orglife_meeting_plan_idx"),
            # The meeting lists (page and API): newest first over every branch.
            models.Index(fields=["-planned_on", "-id"], name="orglife_meeting_recent_idx"),
        ]
        constraints = [
            # A second 支部党员大会 the same day for the same branch is a double record.
            models.UniqueConstraint(
                fields=["branch", "held_on"],
                condition=Q(kind="general_meeting", status="held"),
                name="orglife_one_general_meeting_a_day",
            )
        ]

    def __str__(self):
        day = self.held_on or self.planned_on
        return f"{self.branch} {self.get_kind_display()} {day or ''}".strip()

    @property
    def date(self):
        return self.held_on or self.planned_on


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    history = HistoricalRecords()
    scope = Scope(party="meeting__branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="orglife_attendance_once")
        ]
        indexes = [models.Index(fields=["person", "status"], name="orglife_attendance_person")]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"


def _file_path(instance, filename):
    # Stored under a random name: the original name is kept in ``name`` for display only.
    import uuid
    from pathlib import Path

    return f"orglife/{instance.meeting.branch_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class MeetingFile(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        ATTACHMENT = "attachment", _("附件")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=_file_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    scope = Scope(party="meeting__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self):
        return self.name


class ComplianceReminder(models.Model):
    """A reminder or escalation already sent for one branch, kind and period (sent once)."""

    class Stage(models.TextChoices):
        REMINDER = "reminder", _("到期提醒")
        ESCALATION = "escalation", _("逾期督办")

    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("会议类型"), max_length=30, choices=MeetingKind.choices)
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    stage = models.CharField(_("类型"), max_length=12, choices=Stage.choices)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    message_id = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    scope = Scope(party="branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("组织生活提醒记录")
        verbose_name_plural = _("组织生活提醒记录")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "kind", "period_start", "stage"], name="orglife_reminder_once"
            )
        ]
