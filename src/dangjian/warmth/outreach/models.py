"""增值服务 (SPEC §2.4): area groups and broadcasts, greetings, 上门服务, 非工作日预约.

Customers have no account, so what reaches them (a broadcast, a greeting, a booking's
confirmation and reminder) is recorded here, one row per message and recipient, with the
same retry state as ``notifications.Delivery`` (status, attempts, last error, next attempt)
and sent through the notification channels by ``sending.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.customers.models import RetailCustomer
from dangjian.notifications.models import ChannelName, Message
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.crypto import EncryptedTextField, mask_phone
from dangjian.platform.models import Job
from dangjian.platform.scoping import RestrictedManager, Scope
from dangjian.warmth.window.models import LicenceWindow


class SendStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    DEFERRED = "deferred", _("免打扰延后")


class SendState(models.Model):
    """One message to one recipient over one channel, with its retry state.

    ``claim`` holds the token of the sending run that took the row (a conditional UPDATE),
    so two workers never send the same row; see ``sending.send_due``.
    """

    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelName.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True, default="")
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        abstract = True

    @property
    def will_retry(self) -> bool:
        return self.status == SendStatus.FAILED and self.next_attempt_at is not None


# -- 片区群 and broadcasts ---------------------------------------------------------------------


class AreaGroup(models.Model):
    """A 片区群: the customers of a market area (or a chosen set) and the staff who serve it."""

    name = models.CharField(_("群名称"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属片区/县局"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")
    # The robot URL carries its key: whoever has it can post to the group, so it is encrypted.
    robot_webhook = EncryptedTextField(_("企业微信群机器人地址"), blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["robot_webhook"])
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("片区群")
        verbose_name_plural = _("片区群")
        ordering = ["unit__path", "name", "pk"]

    def __str__(self):
        return self.name

    @property
    def has_robot(self) -> bool:
        return bool(self.robot_webhook)


class AreaGroupMember(models.Model):
    group = models.ForeignKey(
        AreaGroup, verbose_name=_("片区群"), on_delete=models.CASCADE, related_name="memberships"
    )
    customer = models.ForeignKey(
        RetailCustomer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)
    scope = Scope(unit="group__unit", party="group__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("群成员")
        verbose_name_plural = _("群成员")
        constraints = [
            models.UniqueConstraint(fields=["group", "customer"], name="outreach_member_once")
        ]


class AreaGroupOwner(models.Model):
    class Role(models.TextChoices):
        ACCOUNT_MANAGER = "account_manager", _("客户经理")
        INSPECTOR = "inspector", _("专卖稽查员")
        COURIER = "courier", _("送货员")

    group = models.ForeignKey(
        AreaGroup, verbose_name=_("片区群"), on_delete=models.CASCADE, related_name="owners"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("职责"), max_length=20, choices=Role.choices)
    scope = Scope(unit="group__unit", party="group__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("群主/管理员")
        verbose_name_plural = _("群主/管理员")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person", "role"], name="outreach_owner_once")
        ]


class BroadcastKind(models.Model):
    """A kind of broadcast (营销政策, 天气提示, 健康提示 …) with its message template — data."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    subject = models.CharField(_("标题模板"), max_length=200)
    body = models.TextField(_("正文模板"), max_length=2000)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("群发类型")
        verbose_name_plural = _("群发类型")
        ordering = ["sort", "pk"]

    def __str__(self):
        return self.name


class Broadcast(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        DONE = "done", _("已完成")

    group = models.ForeignKey(
        AreaGroup, verbose_name=_("片区群"), on_delete=models.PROTECT, related_name="broadcasts"
    )
    kind = models.ForeignKey(
        BroadcastKind, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=1000)
    # The message as rendered once from the kind's template (also the owners' inbox item).
    message = models.ForeignKey(
        Message, verbose_name=_("消息"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    recipients = models.PositiveIntegerField(_("发送条数"), default=0)
    job = models.ForeignKey(
        Job, verbose_name=_("后台任务"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    scope = Scope(unit="group__unit", party="group__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("群发消息")
        verbose_name_plural = _("群发消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "-created_at"], name="outreach_bc_group_idx")]

    def __str__(self):
        return self.title


class BroadcastDelivery(SendState):
    """One broadcast to one recipient: a customer (SMS/console), an owner (inbox) or the
    group's robot (neither)."""

    broadcast = models.ForeignKey(
        Broadcast, verbose_name=_("群发消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("群主/管理员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    scope = Scope(unit="broadcast__group__unit", party="broadcast__group__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("群发记录")
        verbose_name_plural = _("群发记录")
        constraints = [
            # Rows are written once per recipient: a repeated send finds them and adds none.
            models.UniqueConstraint(
                fields=["broadcast", "customer"],
                condition=Q(customer__isnull=False),
                name="outreach_bcd_customer_once",
            ),
            models.UniqueConstraint(
                fields=["broadcast", "person"],
                condition=Q(person__isnull=False),
                name="outreach_bcd_person_once",
            ),
            models.UniqueConstraint(
                fields=["broadcast", "channel"],
                condition=Q(customer__isnull=True, person__isnull=True),
                name="outreach_bcd_robot_once",
            ),
        ]
        indexes = [
            models.Index(fields=["broadcast", "status"], name="outreach_bcd_status_idx"),
            # The delivery log pages a broadcast's rows in key order (50 000 per broadcast).
            models.Index(fields=["broadcast", "id"], name="outreach_bcd_log_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outreach_bcd_due_idx"),
        ]

    @property
    def recipient_display(self) -> str:
        if self.customer_id:
            return str(self.customer.shop_name)
        if self.person_id:
            return str(self.person.name)
        return str(_("群机器人"))


# -- greetings --------------------------------------------------------------------------------


class GreetingOccasion(models.Model):
    """What a greeting is for: the birthday, or a festival on its real date — data, with the
    template the office edits."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", _("生日")
        LUNAR_FESTIVAL = "lunar", _("农历节日")
        SOLAR_HOLIDAY = "solar", _("公历节日")

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    month = models.PositiveSmallIntegerField(_("公历月"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("公历日"), null=True, blank=True)
    subject = models.CharField(_("标题模板"), max_length=200)
    body = models.TextField(_("正文模板"), max_length=1000)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("祝福场合")
        verbose_name_plural = _("祝福场合")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class GreetingOptOut(models.Model):
    """A customer who asked not to receive greetings."""

    customer = models.OneToOneField(
        RetailCustomer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    scope = Scope(unit="customer__unit", party="customer__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("不接收祝福")
        verbose_name_plural = _("不接收祝福")


class Greeting(SendState):
    """One greeting to one customer for one occasion of one year — written at most once.

    ``year`` is the lunar year for a lunar birthday (a 腊月 birthday may fall twice in one
    solar year), the solar year otherwise.
    """

    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    occasion = models.ForeignKey(
        GreetingOccasion, verbose_name=_("场合"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    on_date = models.DateField(_("发送日期"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    scope = Scope(unit="customer__unit", party="customer__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("祝福发送记录")
        verbose_name_plural = _("祝福发送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "occasion", "year"], name="outreach_greeting_once"
            )
        ]
        indexes = [
            models.Index(fields=["-on_date", "-id"], name="outreach_greet_date_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outreach_greet_due_idx"),
        ]


# -- 上门服务 ------------------------------------------------------------------------------------


class HomeService(models.Model):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("上门办证")
        TRAINING = "training", _("上门培训")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("办结")
        PARTLY = "partly", _("部分办理，需再次上门")
        ABSENT = "absent", _("客户不在，未办理")

    customer = models.ForeignKey(
        RetailCustomer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+"
    )
    # The customer's unit when the request was made: scoping without a join through customers.
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField(_("服务类型"), max_length=10, choices=Kind.choices)
    request_note = models.CharField(_("服务内容"), max_length=300)
    needs = models.CharField(_("特殊情况"), max_length=50, blank=True, default="", editable=False)
    override_reason = models.CharField(
        _("无特殊情况的上门理由"), max_length=200, blank=True, default=""
    )
    address = models.CharField(_("上门地址"), max_length=200)
    scheduled_at = models.DateTimeField(_("上门时间"))
    staff = models.ManyToManyField(Person, verbose_name=_("上门人员"), related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    outcome = models.CharField(_("办理结果"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("结果说明"), max_length=500, blank=True, default="")
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[staff])
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("上门服务")
        verbose_name_plural = _("上门服务")
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-scheduled_at"], name="outreach_home_unit_idx"),
            models.Index(fields=["-scheduled_at", "-id"], name="outreach_home_when_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.customer.shop_name}"


# -- 非工作日预约 --------------------------------------------------------------------------------


class DutyRoster(models.Model):
    """The holiday duty of one window on one non-working day: who is on duty, which slots."""

    window = models.ForeignKey(
        LicenceWindow, verbose_name=_("办证窗口"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("值班日期"))
    staff = models.ManyToManyField(Person, verbose_name=_("值班人员"), related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编排人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(m2m_fields=[staff])
    scope = Scope(unit="window__unit", party="window__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("节假日值班")
        verbose_name_plural = _("节假日值班")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["window", "date"], name="outreach_roster_once")
        ]

    def __str__(self):
        return f"{self.window} {self.date:%Y-%m-%d}"


class DutySlot(models.Model):
    roster = models.ForeignKey(
        DutyRoster, verbose_name=_("值班"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    scope = Scope(unit="roster__window__unit", party="roster__window__unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "starts_at"], name="outreach_slot_once")
        ]

    def __str__(self):
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


def new_booking_code() -> str:
    # No 0/O/1/I: read out over the phone without confusion.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class OffDayBooking(models.Model):
    class Purpose(models.TextChoices):
        NEW = "new", _("新办许可证")
        RENEWAL = "renewal", _("延续许可证")
        CHANGE = "change", _("变更许可证")
        INQUIRY = "inquiry", _("业务咨询")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已到场")
        NO_SHOW = "no_show", _("未到场")

    slot = models.ForeignKey(
        DutySlot, verbose_name=_("预约时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    code = models.CharField(_("预约码"), max_length=8, unique=True, default=new_booking_code)
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("手机号码"))
    licence_no = models.CharField(_("许可证号"), max_length=12, blank=True, default="")
    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("办理事项"), max_length=10, choices=Purpose.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # The one-use form token's nonce: a replayed form is refused by the database.
    nonce = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    scope = Scope(unit="slot__roster__window__unit", party="slot__roster__window__unit__party_orgs")
    objects = RestrictedManager()

    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("非工作日预约")
        verbose_name_plural = _("非工作日预约")
        ordering = ["slot__roster__date", "slot__starts_at", "pk"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class BookingMessage(SendState):
    """The confirmation and the day-before reminder of a booking (SMS or console)."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("预约确认")
        REMINDER = "reminder", _("前一天提醒")
        CANCELLATION = "cancellation", _("取消确认")

    booking = models.ForeignKey(
        OffDayBooking, verbose_name=_("预约"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    scope = Scope(
        unit="booking__slot__roster__window__unit",
        party="booking__slot__roster__window__unit__party_orgs",
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("预约短信")
        verbose_name_plural = _("预约短信")
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind"], name="outreach_bookmsg_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outreach_bookmsg_due_idx")
        ]
