"""Notifications: message templates, messages, their deliveries per channel, the inbox.

One ``Message`` is written per ``notify()`` call; one ``Delivery`` per recipient × channel
carries the status, attempts and next attempt, so a failed channel never loses the message.
The inbox channel turns a delivery into a ``Notification`` row the user reads.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.platform.crypto import EncryptedTextField
from dangjian.platform.scoping import RestrictedManager, Scope


class ChannelName(models.TextChoices):
    INBOX = "inbox", _("站内信")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")
    CONSOLE = "console", _("控制台（开发）")


class MessageTemplate(models.Model):
    """Subject and body of one message kind, in Django template syntax (plain text)."""

    kind = models.SlugField(_("消息类型"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    subject = models.CharField(_("标题模板"), max_length=200)
    body = models.TextField(_("正文模板"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("消息模板")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class NotificationTarget(models.Model):
    """A group address of a unit: a WeChat Work group robot, a mailbox, a duty phone."""

    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelName.choices)
    # The robot URL carries its key: whoever has it can post to the group, so it is encrypted.
    address = EncryptedTextField(_("地址"))
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    kinds = models.JSONField(_("接收的消息类型"), default=list, blank=True)  # empty: all kinds
    is_active = models.BooleanField(_("启用"), default=True)

    scope = Scope(unit="unit")
    objects = RestrictedManager()

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("通知群组")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name

    def receives(self, kind: str) -> bool:
        return self.is_active and (not self.kinds or kind in self.kinds)


class NotificationPreference(models.Model):
    """One switch of a user's preferences. Blank kind / channel means "every".

    Resolution (selectors.user_channels): a matching "off" switch wins; otherwise a matching
    "on" switch or the default channels turn the channel on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("消息类型"), max_length=50, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelName.choices, blank=True)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_pref_unique"
            )
        ]


class Message(models.Model):
    """One notification as rendered once from its template, whatever the channels."""

    kind = models.CharField(_("消息类型"), max_length=50, db_index=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    context = models.JSONField(_("变量"), default=dict, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    render_error = models.CharField(_("模板错误"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.subject

    @property
    def text(self) -> str:
        """Subject and body as one plain text (webhook, SMS, console)."""
        return f"{self.subject}\n{self.body}" if self.subject else self.body


class Delivery(models.Model):
    """One message to one recipient over one channel, with its retry state."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        DEFERRED = "deferred", _("免打扰延后")

    message = models.ForeignKey(
        Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    target = models.ForeignKey(
        NotificationTarget,
        verbose_name=_("群组"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelName.choices)
    # For display only: masked phone, e-mail address or target name — never a secret.
    address_display = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=1000, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知发送记录")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.message} → {self.recipient_display} ({self.get_channel_display()})"

    @property
    def recipient_display(self) -> str:
        return str(self.user or self.target or "")

    @property
    def will_retry(self) -> bool:
        return self.status == self.Status.FAILED and self.next_attempt_at is not None


class Notification(models.Model):
    """An inbox item: what the bell counts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.ForeignKey(
        Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内信")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]


class ScheduledReminder(models.Model):
    """A reminder the office schedules: sent once, when due, to people and group targets."""

    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=2000)
    due_at = models.DateTimeField(_("发送时间"), db_index=True)
    urgent = models.BooleanField(_("紧急（不受免打扰时段限制）"), default=False)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), blank=True, related_name="+"
    )
    targets = models.ManyToManyField(
        NotificationTarget, verbose_name=_("接收群组"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("已发送时间"), null=True, blank=True, db_index=True)
    message = models.ForeignKey(
        Message,
        verbose_name=_("消息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = Scope(unit="unit")
    objects = RestrictedManager()

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("定时提醒")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.title
