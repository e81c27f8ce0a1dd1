from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """Every reveal or export of personal data: who, what, when, from where."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("查看明文")
        EXPORT = "export", _("导出")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    model = models.CharField(_("数据类型"), max_length=100)
    object_id = models.CharField(_("记录"), max_length=64, blank=True)
    field = models.CharField(_("字段"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=1)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    via = models.CharField(_("途径"), max_length=10, default="web")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = verbose_name


class AuditEvent(models.Model):
    """A business event a service recorded (who did what to which record)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("事件"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=100)
    target_id = models.CharField(_("对象"), max_length=64)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("业务事件")
        verbose_name_plural = verbose_name


class Job(models.Model):
    """One run of a background job: who started it, how far it got, what came out.

    Written by platform/jobs.py only; the worker updates status and progress.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    result_file = models.CharField(_("结果文件"), max_length=300, blank=True)
    result_filename = models.CharField(_("结果文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_starter_idx")]
        verbose_name = _("后台任务")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.title or self.kind

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
