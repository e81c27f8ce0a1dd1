"""党务公开 and 任前公示: notices with a public period, an audience and an objections channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.platform.crypto import EncryptedTextField, mask_phone
from dangjian.platform.scoping import RestrictedManager, Scope


class Notice(models.Model):
    class Kind(models.TextChoices):
        PARTY_AFFAIRS = "party_affairs", _("党务公开")
        PRE_APPOINTMENT = "pre_appointment", _("任前公示")

    class Audience(models.TextChoices):
        SUBTREE = "subtree", _("本组织及下级组织")
        CHOSEN = "chosen", _("指定组织")
        PUBLIC = "public", _("向社会公开")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("公示中")
        CLOSED = "closed", _("已办结")

    class Result(models.TextChoices):
        NO_OBJECTION = "no_objection", _("公示期满无异议")
        OBJECTION_NOT_UPHELD = "objection_not_upheld", _("有异议，经核实不影响")
        OBJECTION_UPHELD = "objection_upheld", _("有异议，经核实属实，暂缓/取消")
        COMPLETED = "completed", _("公开期满")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("正文"))
    issuing_org = models.ForeignKey(
        PartyOrg, verbose_name=_("发布组织"), on_delete=models.PROTECT, related_name="notices"
    )
    audience = models.CharField(
        _("公开范围"), max_length=10, choices=Audience.choices, default=Audience.SUBTREE
    )
    audience_orgs = models.ManyToManyField(
        PartyOrg, verbose_name=_("指定组织"), blank=True, related_name="addressed_notices"
    )
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    starts_on = models.DateField(_("公示开始日期"))
    # Computed or set by the services (the forms list their own fields); editable so that
    # the change history shows them.
    ends_on = models.DateField(_("公示截止日期"))
    ends_on_provisional = models.BooleanField(_("截止日期暂定"), default=False)
    provisional_reason = models.CharField(_("暂定原因"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    result = models.CharField(_("公示结果"), max_length=30, choices=Result.choices, blank=True)
    result_note = models.TextField(_("结果说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[audience_orgs])
    scope = Scope(party="issuing_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        indexes = [
            models.Index(fields=["status", "audience", "-starts_on"], name="notice_status_idx"),
            models.Index(fields=["issuing_org", "-starts_on"], name="notice_org_idx"),
            # The notice lists (page and API): newest first.
            models.Index(fields=["-starts_on", "-id"], name="notice_recent_idx"),
        ]

    def __str__(self):
        return self.title

    def is_open_for_objections(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.PUBLISHED and self.starts_on <= today <= self.ends_on

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.PUBLIC


def _attachment_path(instance, filename):
    return f"disclosure/{timezone.localdate():%Y}/{instance.notice_id}/{filename}"


class Attachment(models.Model):
    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to=_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    scope = Scope(party="notice__issuing_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("公示附件")
        verbose_name_plural = _("公示附件")

    def __str__(self):
        return self.name


class Objection(models.Model):
    """An objection raised during the public period.

    Anonymous objections store nothing about the submitter (no user, no name, no address),
    and the model keeps no row-level history, which would record the request's user.
    """

    class Channel(models.TextChoices):
        MEMBER = "member", _("系统内提交")
        PUBLIC = "public", _("公开页面提交")

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        CLOSED = "closed", _("已答复")

    class Finding(models.TextChoices):
        UPHELD = "upheld", _("反映属实")
        PARTLY = "partly", _("部分属实")
        NOT_UPHELD = "not_upheld", _("反映不属实")
        OUT_OF_SCOPE = "out_of_scope", _("不属于公示事项")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.CASCADE, related_name="objections"
    )
    content = models.TextField(_("异议内容"))
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    channel = models.CharField(_("提交渠道"), max_length=10, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("署名"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # One-use token of the public form: a replayed form hits the unique constraint.
    form_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    finding = models.CharField(_("核实结论"), max_length=20, choices=Finding.choices, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    scope = Scope(party="notice__issuing_org", own="submitted_by")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        indexes = [models.Index(fields=["notice", "status"], name="objection_notice_idx")]

    def __str__(self):
        return f"{self.notice} · {self.submitter_display}"

    @property
    def submitter_display(self) -> str:
        if self.is_anonymous:
            return str(_("匿名"))
        if self.submitted_by_id:
            return str(self.submitted_by)
        return self.contact_name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)
