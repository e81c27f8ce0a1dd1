"""Member development (发展党员): a case per person through the 5 stages and 25 steps."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

from . import rules


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("已转正")
    CLOSED = "closed", _("已终止")


# Stages still in the pipeline (counted in the pipeline view).
PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


class DevelopmentCase(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="development_cases"
    )
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="development_cases",
        limit_choices_to={"kind": PartyOrg.Kind.BRANCH},
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT
    )
    last_step = models.PositiveSmallIntegerField(_("已完成步骤"), default=0)
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    leaving_on = models.DateField(
        _("预计离开工作单位日期"),
        null=True,
        blank=True,
        help_text=_("发展对象如将调离、离职，请填写，用于预警"),
    )
    outcome = models.CharField(_("转正讨论结果"), max_length=10, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), default=0)
    next_due_on = models.DateField(_("下一期限"), null=True, blank=True)
    next_due_label = models.CharField(_("下一期限事项"), max_length=50, blank=True)
    closed_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    flagged = models.BooleanField(_("有例外情况"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("发展党员档案")
        verbose_name_plural = _("发展党员档案")
        indexes = [
            models.Index(fields=["branch", "stage"], name="devcase_branch_stage_idx"),
            models.Index(fields=["stage", "next_due_on"], name="devcase_stage_due_idx"),
            # The case list's default order (next deadline first), also for the overdue filter.
            models.Index(fields=["next_due_on", "id"], name="devcase_due_idx"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_stage_display()}）"

    @property
    def is_open(self) -> bool:
        return self.stage in PIPELINE_STAGES


class DevelopmentStep(models.Model):
    """One dated, attributed record of a step. Never edited: a correction is a new row that
    ``supersedes`` the old one, with a reason; both stay in the history."""

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("步骤"))
    occurred_on = models.DateField(_("日期"))
    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("办理支部"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("依据（决定、会议或文号）"), max_length=200, blank=True)
    notes = models.TextField(_("情况说明"), blank=True)
    passed = models.BooleanField(_("结论"), null=True, blank=True)
    training_days = models.PositiveSmallIntegerField(_("培训天数"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("培训学时"), null=True, blank=True)
    # 支部大会 (steps 15, 23): the vote record; the result is computed, never typed.
    entitled = models.PositiveSmallIntegerField(_("应到有表决权正式党员"), null=True, blank=True)
    present = models.PositiveSmallIntegerField(_("实到"), null=True, blank=True)
    votes_yes = models.PositiveSmallIntegerField(_("赞成"), null=True, blank=True)
    votes_no = models.PositiveSmallIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权"), null=True, blank=True)
    written_yes = models.PositiveSmallIntegerField(_("书面赞成"), null=True, blank=True)
    written_no = models.PositiveSmallIntegerField(_("书面反对"), null=True, blank=True)
    written_abstain = models.PositiveSmallIntegerField(_("书面弃权"), null=True, blank=True)
    outcome = models.CharField(_("讨论结果"), max_length=10, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=1)
    flagged = models.BooleanField(_("例外"), default=False)
    exception_reason = models.TextField(_("例外理由"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(party="case__branch", own="case__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("发展步骤记录")
        verbose_name_plural = _("发展步骤记录")
        ordering = ["number", "occurred_on", "pk"]
        indexes = [models.Index(fields=["number", "occurred_on"], name="devstep_number_date_idx")]

    def __str__(self):
        return rules.step_label(self.number)

    @property
    def label(self) -> str:
        return rules.step_label(self.number)

    @property
    def vote_result(self):
        if self.entitled is None:
            return None
        return rules.vote_passes(
            self.entitled,
            self.present or 0,
            self.votes_yes or 0,
            self.votes_no or 0,
            self.votes_abstain or 0,
            self.written_yes or 0,
            self.written_no or 0,
            self.written_abstain or 0,
        )


class AttachmentKind(models.TextChoices):
    APPLICATION_LETTER = "application_letter", _("入党申请书")
    TALK_RECORD = "talk_record", _("谈话记录")
    ASSESSMENT = "assessment", _("培养考察材料")
    POLITICAL_REVIEW = "political_review", _("政审材料")
    TRAINING_CERTIFICATE = "training_certificate", _("培训结业证书")
    VOLUNTEER_FORM = "volunteer_form", _("入党志愿书")
    VOTE_RECORD = "vote_record", _("表决记录")
    APPROVAL = "approval", _("审批材料")
    OTHER = "other", _("其他材料")


def _attachment_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"development/{instance.step.case_id}/{uuid.uuid4().hex}{ext}"


class StepAttachment(models.Model):
    step = models.ForeignKey(DevelopmentStep, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("材料类型"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(party="step__case__branch", own="step__case__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("发展材料")
        verbose_name_plural = _("发展材料")

    def __str__(self):
        return self.original_name


class CaseContact(models.Model):
    """A named 培养联系人 (mentor) or 入党介绍人 (sponsor): a full member, with contact details."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("培养联系人")
        SPONSOR = "sponsor", _("入党介绍人")

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    named_on = models.DateField(_("确定日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope = Scope(party="case__branch", own="case__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("培养联系人/入党介绍人")
        verbose_name_plural = _("培养联系人/入党介绍人")

    def __str__(self):
        return f"{self.get_role_display()} {self.person.name}"


class PublicNotice(models.Model):
    """公示 before step 7 (发展对象) or step 15 (预备党员), over working days."""

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="notices")
    before_step = models.PositiveSmallIntegerField(_("公示环节"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日"))
    provisional = models.BooleanField(_("日历未覆盖（暂定）"), default=False)
    content = models.TextField(_("公示内容"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(party="case__branch", own="case__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self):
        return f"公示（{rules.step_label(self.before_step)}前）"


class NoticeObjection(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("收到日期"))
    raised_by = models.CharField(_("反映人"), max_length=50, blank=True, help_text=_("可匿名"))
    content = models.TextField(_("反映内容"))
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    resolution = models.TextField(_("核实处理结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope = Scope(party="notice__case__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("公示反映")
        verbose_name_plural = _("公示反映")

    def __str__(self):
        return self.content[:30]


class CaseMove(models.Model):
    """The case moved to another branch mid-way: the history stays, the new branch continues."""

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="moves")
    from_branch = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField(_("转移日期"))
    reason = models.CharField(_("原因"), max_length=200)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope = Scope(party="case__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("发展档案转移")
        verbose_name_plural = _("发展档案转移")


class DevelopmentPlan(models.Model):
    """Annual development plan of a branch (年度发展党员计划, quota)."""

    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("支部"), on_delete=models.PROTECT, related_name="development_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quota = models.PositiveSmallIntegerField(_("计划发展人数"))
    notes = models.CharField(_("说明"), max_length=200, blank=True)

    scope = Scope(party="branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("年度发展计划")
        verbose_name_plural = _("年度发展计划")
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="devplan_branch_year_uniq")
        ]


class DeadlineReminder(models.Model):
    """A deadline reminder sent for a case: each (case, deadline) is sent once."""

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=60)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(party="case__branch")
    objects = RestrictedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="devreminder_case_key_uniq")
        ]
