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
