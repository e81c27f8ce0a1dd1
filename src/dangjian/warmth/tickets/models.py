"""首问负责制 (SPEC §2.4): inquiries, complaints, suggestions and reports from customers and the
public, owned to the end by the first staff member who receives them.

- ``Ticket``: one request. ``owner`` is the first responder (set once, never changed);
  ``handler`` is who works it after a transfer. SLA due times are in business hours on the
  unit's work calendar and shift forward by the business time spent waiting for the customer.
- ``TicketEvent``: the timeline (every step, with who and what).
- ``TicketCategory`` / ``SlaPolicy``: data the office edits (categories, SLA hours per kind and
  priority, the transfer limit).
- ``TicketStat``: the statistics rollup — one row per month × unit × category × kind for the
  ticket's unit *and every ancestor unit*, so a statistics page reads only the rows of one
  node and its children (see ``stats.py``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.platform.crypto import EncryptedTextField, mask_phone
from dangjian.platform.scoping import RestrictedManager, RestrictedQuerySet, Scope


def new_tracking_code() -> str:
    """A non-guessable code for the public tracking link (128 bits)."""
    return secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    REPORT = "report", _("举报")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class TicketCategory(models.Model):
    """A subject area (货源供应, 许可证办理 …): kept by the office, the same for every unit."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class SlaPolicy(models.Model):
    """Service levels of one kind × priority, in business hours on the unit's calendar."""

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices)
    first_response_hours = models.DecimalField(
        _("首次响应时限（工作小时）"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0.5)],
    )
    resolution_hours = models.DecimalField(
        _("办结时限（工作小时）"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(1)],
    )
    remind_before_hours = models.DecimalField(
        _("到期前提醒（工作小时）"),
        max_digits=5,
        decimal_places=1,
        default=2,
        validators=[MinValueValidator(0)],
    )
    max_transfers = models.PositiveSmallIntegerField(
        _("最多转办次数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["kind", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "priority"], name="tickets_one_sla_per_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.get_priority_display()}"


# A running ticket's clock: the first-response time until it is accepted, then the
# resolution time. A ticket is overdue when it is running and past its clock (the 仅超时
# filter, ``Ticket.objects.overdue``). ``ticket_running_clock_idx`` indexes exactly this
# expression under exactly this condition, so the filter is one range scan of the running
# tickets ordered by due time, and PostgreSQL keeps statistics on the expression.
RUNNING = Q(status="new") | Q(status="open", resolved_at__isnull=True)


def clock():
    return Case(When(status="new", then=F("first_response_due")), default=F("resolution_due"))


class TicketQuerySet(RestrictedQuerySet):
    def overdue(self, now):
        """Running tickets past their clock: new ones past the first-response time, open
        ones (not yet answered) past the resolution time — as ``Ticket.is_overdue``."""
        return self.alias(clock=clock()).filter(RUNNING, clock__lt=now)


class Ticket(models.Model):
    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口来访")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信")
        VISIT = "visit", _("走访")
        PUBLIC = "public", _("网上提交")
        API = "api", _("外部系统")

    class Status(models.TextChoices):
        NEW = "new", _("待受理")
        OPEN = "open", _("办理中")
        WAITING = "waiting", _("待客户补充")
        RESOLVED = "resolved", _("已答复待结案")
        CLOSED = "closed", _("已结案")
        MERGED = "merged", _("已合并")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.RESOLVED)

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    priority = models.CharField(
        _("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("零售客户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    contact_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    subject = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    # The first responder: set once, never changed.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问负责人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handler_unit = models.ForeignKey(
        Unit,
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    transfer_count = models.PositiveSmallIntegerField(_("转办次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # SLA clock (business hours on the unit's calendar; shifted forward after each pause).
    first_response_due = models.DateTimeField(_("首次响应期限"))
    first_response_remind_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(_("办结期限"))
    resolution_remind_at = models.DateTimeField(null=True, blank=True)
    sla_provisional = models.BooleanField(_("期限暂定"), default=False)
    paused_since = models.DateTimeField(_("暂停计时起"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停（工作秒）"), default=0)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    # Figures kept when the step happens, for the list and the statistics rollup.
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    close_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    response_met = models.BooleanField(_("按时响应"), null=True, blank=True)
    resolution_met = models.BooleanField(_("按时办结"), null=True, blank=True)
    # Alerts of the SLA check, each sent once.
    response_reminded = models.BooleanField(default=False, editable=False)
    response_escalated = models.BooleanField(default=False, editable=False)
    resolution_reminded = models.BooleanField(default=False, editable=False)
    resolution_escalated = models.BooleanField(default=False, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    # Public tracking link (non-guessable) and the one-use rating link given at close.
    tracking_code = models.CharField(max_length=32, unique=True, default=new_tracking_code)
    rating_code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # One-use token of the public form: a replayed form hits the unique constraint.
    form_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)

    history = HistoricalRecords(
        excluded_fields=[
            "contact_phone_hash",
            "form_nonce",
            "tracking_code",
            "rating_code",
            "first_response_remind_at",
            "resolution_remind_at",
        ]
    )
    scope = Scope(unit="unit", party="unit__party_orgs", own="owner")
    objects = RestrictedManager.from_queryset(TicketQuerySet)()

    PERSONAL_FIELDS = ("contact_phone",)

    class Meta:
        verbose_name = _("诉求工单")
        verbose_name_plural = _("诉求工单")
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="ticket_unit_recent_idx"),
            models.Index(fields=["-created_at", "-id"], name="ticket_recent_idx"),
            models.Index(fields=["owner", "-created_at"], name="ticket_owner_idx"),
            models.Index(fields=["handler", "-created_at"], name="ticket_handler_idx"),
            models.Index(fields=["contact_phone_hash"], name="ticket_phone_idx"),
            models.Index(fields=["customer"], name="ticket_customer_idx"),
            # The SLA check walks open tickets only (a few thousand of ten million).
            models.Index(
                fields=["resolution_due"],
                name="ticket_open_due_idx",
                condition=Q(status__in=["new", "open", "waiting", "resolved"]),
            ),
            # 仅超时: running tickets by their clock (see RUNNING and clock above).
            models.Index(clock(), name="ticket_running_clock_idx", condition=RUNNING),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        """The reference the customer quotes: year and id (``2026-0000123``)."""
        if self.pk is None:
            return ""
        return f"{timezone.localtime(self.created_at):%Y}-{self.pk:07d}"

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def worker(self):
        """Who works it now: the handler after a transfer, else the owner."""
        return self.handler or self.owner

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status in (self.Status.CLOSED, self.Status.MERGED, self.Status.WAITING):
            return False
        if self.status == self.Status.NEW:
            return now > self.first_response_due
        return self.resolved_at is None and now > self.resolution_due


class TicketEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        ACCEPTED = "accepted", _("受理")
        TRANSFERRED = "transferred", _("转办")
        RETURNED = "returned", _("退回首问负责人")
        NOTE = "note", _("办理记录")
        WAITING = "waiting", _("待客户补充")
        RESUMED = "resumed", _("客户已补充，恢复计时")
        RESOLVED = "resolved", _("答复")
        CLOSED = "closed", _("结案")
        REOPENED = "reopened", _("重新办理")
        MERGED = "merged", _("合并")
        ATTACHED = "attached", _("上传附件")
        REMINDED = "reminded", _("到期提醒")
        ESCALATED = "escalated", _("超时升级")
        RATED = "rated", _("客户评价")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("环节"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转至"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        Unit,
        verbose_name=_("转至部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    other = models.ForeignKey(
        Ticket,
        verbose_name=_("关联工单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("说明"), blank=True)
    # Shown on the public tracking page (customer-facing steps only).
    public = models.BooleanField(default=False)
    scope = Scope(unit="ticket__unit", party="ticket__unit__party_orgs", own="ticket__owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self):
        return f"{self.ticket_id} {self.get_kind_display()}"


def _attachment_path(instance, filename):
    return f"tickets/{timezone.localdate():%Y/%m}/{instance.ticket_id}/{filename}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to=_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    scope = Scope(unit="ticket__unit", party="ticket__unit__party_orgs", own="ticket__owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")

    def __str__(self):
        return self.name


class TicketStat(models.Model):
    """Statistics rollup: a ticket counts in its creation month, for its unit and every
    ancestor unit. Kept by the services (deltas), rebuilt from the tickets by a job."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.ForeignKey(TicketCategory, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    response_met = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    close_seconds = models.BigIntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    METRICS = (
        "created",
        "responded",
        "response_seconds",
        "response_met",
        "resolved",
        "resolution_met",
        "closed",
        "close_seconds",
        "rated",
        "rating_sum",
    )

    class Meta:
        verbose_name = _("工单统计")
        verbose_name_plural = _("工单统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "category", "kind"], name="ticket_stat_cell"
            )
        ]
