"""窗口服务 (SPEC §2.4, RULES §7): a county bureau's licence window, its staff and its
党员服务标杆; licence applications and the 一次性告知书 build on it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform import idcard
from dangjian.platform.crypto import EncryptedTextField, lookup_hash, mask_id_number, mask_phone
from dangjian.platform.pinyin_search import pinyin_of
from dangjian.platform.scoping import RestrictedManager, Scope


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class LicenceWindow(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属县局"), on_delete=models.PROTECT, related_name="licence_windows"
    )
    name = models.CharField(_("窗口名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True, default="")
    opening_hours = models.CharField(_("办公时间"), max_length=100, blank=True, default="")
    staff = models.ManyToManyField(
        Person, verbose_name=_("窗口人员"), related_name="licence_windows", blank=True
    )
    benchmark = models.ForeignKey(
        Person,
        verbose_name=_("党员服务标杆"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_token = models.CharField(
        max_length=24, unique=True, default=new_public_token, editable=False
    )
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(m2m_fields=[staff])
    scope = Scope(unit="unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("办证窗口")
        verbose_name_plural = _("办证窗口")
        ordering = ["unit__path", "pk"]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------- applications


class ApplicationKind(models.TextChoices):
    NEW = "new", _("新办")
    RENEWAL = "renewal", _("延续")
    CHANGE = "change", _("变更")
    SUSPENSION = "suspension", _("歇业")
    CANCELLATION = "cancellation", _("停业（注销）")


class PriorityCategory(models.TextChoices):
    NONE = "", _("无")
    DISABLED = "disabled", _("残疾人")
    DIBAO = "dibao", _("低保户")
    MILITARY = "military", _("军烈属")


class LocalMaterial(models.Model):
    """A bureau's configurable extra material (RULES §7: photos, the statement that home and
    shop are separate, priority proofs for disabled / 低保 / 军烈属)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("所属县局"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=100)
    reason = models.CharField(_("要求依据/理由"), max_length=200)
    kind = models.CharField(
        _("适用申请类型"), max_length=20, choices=ApplicationKind.choices, blank=True, default=""
    )
    priority_category = models.CharField(
        _("仅适用于"),
        max_length=20,
        choices=PriorityCategory.choices,
        blank=True,
        default="",
        help_text=_("选择后仅对申请该类优先照顾的申请人要求此材料"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    scope = Scope(unit="unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("本地补充材料")
        verbose_name_plural = _("本地补充材料")
        ordering = ["unit_id", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return f"local-{self.pk}"


class LicenceApplication(models.Model):
    """One licence application at a window: 申请 → 受理 → 实地核查 → 审核 → 决定 → 送达.

    ``unit`` is the window's bureau (copied for scoping and indexes). ``next_due_on`` is the
    deadline the application is waiting on now (the notice, the decision or the delivery):
    overdue lists read one indexed column.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("已接收待受理")
        ACCEPTED = "accepted", _("已受理")
        INSPECTED = "inspected", _("已实地核查")
        REVIEWED = "reviewed", _("已审核")
        DECIDED = "decided", _("已决定")
        DELIVERED = "delivered", _("已送达")

    class Decision(models.TextChoices):
        GRANT = "grant", _("准予许可")
        REFUSE = "refuse", _("不予许可")

    OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.INSPECTED, Status.REVIEWED)
    BEFORE_DECISION = (Status.ACCEPTED, Status.INSPECTED, Status.REVIEWED)

    number = models.CharField(_("申请编号"), max_length=24, unique=True, editable=False)
    # Single-column FK indexes would duplicate the (window|unit, received_on) ones below.
    window = models.ForeignKey(
        LicenceWindow,
        verbose_name=_("受理窗口"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属县局"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    kind = models.CharField(_("申请类型"), max_length=20, choices=ApplicationKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    applicant_name = models.CharField(_("申请人"), max_length=50)
    applicant_initials = models.CharField(max_length=50, editable=False, default="")
    applicant_id_number = EncryptedTextField(_("身份证号"))
    applicant_id_hash = models.CharField(max_length=64, editable=False, default="")
    applicant_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    by_agent = models.BooleanField(_("委托代理人申请"), default=False)
    agent_name = models.CharField(_("代理人"), max_length=50, blank=True, default="")
    has_business_licence = models.BooleanField(_("已办理营业执照"), default=False)
    priority_category = models.CharField(
        _("优先照顾"), max_length=20, choices=PriorityCategory.choices, blank=True, default=""
    )
    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("零售客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    licence_no = models.CharField(_("许可证号"), max_length=12, blank=True, default="")
    shop_name = models.CharField(_("店名"), max_length=100)
    shop_address = models.CharField(_("经营地址"), max_length=200)
    request_summary = models.CharField(_("申请事项说明"), max_length=300, blank=True, default="")
    received_on = models.DateField(_("接收日期"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    notice_due_on = models.DateField(_("一次性告知期限"))
    notice_due_provisional = models.BooleanField(default=False)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    # No notice in time: accepted on the receipt day by operation of law (行政许可法 第三十二条).
    deemed_accepted = models.BooleanField(_("逾期未告知视为受理"), default=False)
    decision_due_on = models.DateField(_("决定期限"), null=True, blank=True)
    decision_due_provisional = models.BooleanField(default=False)
    extension_workdays = models.PositiveSmallIntegerField(_("延长工作日"), default=0)
    extension_approved_by = models.CharField(_("延期批准人"), max_length=50, blank=True, default="")
    extension_reason = models.CharField(_("延期理由"), max_length=200, blank=True, default="")
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True)
    review_opinion = models.CharField(_("审核意见"), max_length=300, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(
        _("许可决定"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_reason = models.CharField(_("决定理由"), max_length=300, blank=True, default="")
    licence_valid_until = models.DateField(_("许可证有效期至"), null=True, blank=True)
    delivery_due_on = models.DateField(_("送达期限"), null=True, blank=True)
    delivery_due_provisional = models.BooleanField(default=False)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=30, blank=True, default="")
    next_due_on = models.DateField(_("当前期限"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(
        excluded_fields=["applicant_initials", "applicant_id_hash"],
        no_db_index=["window", "unit", "customer", "number"],
        user_db_constraint=False,
    )
    scope = Scope(unit="unit")
    objects = RestrictedManager()

    PERSONAL_FIELDS = ("applicant_id_number", "applicant_phone")

    class Meta:
        verbose_name = _("许可证申请")
        verbose_name_plural = _("许可证申请")
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="licapp_received_idx"),
            models.Index(fields=["unit", "-received_on", "-id"], name="licapp_unit_recv_idx"),
            models.Index(fields=["window", "-received_on", "-id"], name="licapp_window_recv_idx"),
            models.Index(
                fields=["window", "next_due_on"],
                name="licapp_window_due_idx",
                condition=models.Q(next_due_on__isnull=False),
            ),
            models.Index(
                fields=["next_due_on"],
                name="licapp_due_idx",
                condition=models.Q(next_due_on__isnull=False),
            ),
            # Status and 视为受理 filters: open statuses and deemed acceptances are a few
            # percent of millions; the capped count and the page read these, not the table.
            models.Index(fields=["status", "-received_on", "-id"], name="licapp_status_recv_idx"),
            models.Index(
                fields=["-received_on", "-id"],
                name="licapp_deemed_idx",
                condition=models.Q(deemed_accepted=True),
            ),
            # The worklist across windows: one status's deadlines in date order.
            models.Index(
                fields=["status", "next_due_on"],
                name="licapp_status_due_idx",
                condition=models.Q(next_due_on__isnull=False),
            ),
            models.Index(
                fields=["applicant_name"],
                name="licapp_name_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["applicant_initials"],
                name="licapp_initials_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["shop_name"], name="licapp_shop_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["licence_no"], name="licapp_licence_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["applicant_id_hash"], name="licapp_idhash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    def derive_fields(self) -> None:
        self.applicant_initials = pinyin_of(self.applicant_name)[1]
        self.applicant_id_number = idcard.normalise(self.applicant_id_number or "")
        self.applicant_id_hash = lookup_hash(self.applicant_id_number) or ""
        self.applicant_phone = (self.applicant_phone or "").strip()

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    @property
    def applicant_id_masked(self) -> str:
        return mask_id_number(self.applicant_id_number)

    @property
    def applicant_phone_masked(self) -> str:
        return mask_phone(self.applicant_phone)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.next_due_on is not None and self.next_due_on < today


class ApplicationMaterial(models.Model):
    """One line of an application's checklist (a snapshot of the rule data at receipt)."""

    application = models.ForeignKey(
        LicenceApplication, on_delete=models.CASCADE, related_name="materials"
    )
    code = models.CharField(max_length=30)
    name = models.CharField(_("材料"), max_length=100)
    reason = models.CharField(_("要求依据/理由"), max_length=200)
    is_local = models.BooleanField(_("本地补充"), default=False)
    provided = models.BooleanField(_("已提交"), default=False)
    provided_on = models.DateField(_("提交日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    history = HistoricalRecords()
    scope = Scope(unit="application__unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="licmat_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class RequestChange(models.Model):
    """The applicant changed the request (kind, shop, scope …): only then may a second
    一次性告知书 be issued for the same application."""

    application = models.ForeignKey(
        LicenceApplication, on_delete=models.CASCADE, related_name="changes"
    )
    changed_on = models.DateField(_("变更日期"))
    description = models.CharField(_("变更内容"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    scope = Scope(unit="application__unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("申请事项变更")
        verbose_name_plural = _("申请事项变更")
        ordering = ["application_id", "pk"]

    def __str__(self) -> str:
        return self.description


class OneTimeNotice(models.Model):
    """一次性告知书: everything missing, and why, in one notice (a snapshot, never edited)."""

    application = models.ForeignKey(
        LicenceApplication, on_delete=models.CASCADE, related_name="notices"
    )
    number = models.CharField(_("告知书编号"), max_length=30, unique=True)
    issued_on = models.DateField(_("告知日期"))
    due_on = models.DateField(_("告知期限"))
    items = models.JSONField(_("需补正材料"), default=list)
    request_change = models.ForeignKey(
        RequestChange,
        verbose_name=_("依据的申请变更"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    scope = Scope(unit="application__unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        ordering = ["application_id", "pk"]

    def __str__(self) -> str:
        return self.number


class FieldInspection(models.Model):
    """实地核查: at least two staff, with the date and what they found."""

    application = models.ForeignKey(
        LicenceApplication, on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("核查日期"))
    staff = models.ManyToManyField(Person, verbose_name=_("核查人员"), related_name="+")
    findings = models.TextField(_("核查情况"))
    passed = models.BooleanField(_("核查结论：符合条件"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[staff])
    scope = Scope(unit="application__unit")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("实地核查")
        verbose_name_plural = _("实地核查")
        ordering = ["application_id", "pk"]

    def __str__(self) -> str:
        return f"{self.application.number} {self.inspected_on}"


class Reminder(models.Model):
    """A reminder already sent (each deadline and each expiry is announced once)."""

    class Kind(models.TextChoices):
        NOTICE_DUE = "notice_due", _("一次性告知期限")
        DECISION_DUE = "decision_due", _("决定期限")
        DELIVERY_DUE = "delivery_due", _("送达期限")
        DEEMED = "deemed", _("逾期未告知视为受理")
        EXPIRY = "expiry", _("许可证即将到期")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    application = models.ForeignKey(
        LicenceApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        RetailCustomer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "application", "due_on"],
                name="licrem_app_once",
                condition=models.Q(application__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "customer", "due_on"],
                name="licrem_customer_once",
                condition=models.Q(customer__isnull=False),
            ),
        ]
