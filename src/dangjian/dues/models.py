"""Party dues (党费): each member's base history and the monthly ledger.

Rows hang on the party tree through the member's current branch (the ledger follows the
member, as the paper ledger follows the transfer letter); a member reads his own.
Money is Decimal to the fen; a month is stored as its first day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

from . import rules

MONEY = {"max_digits": 12, "decimal_places": 2}
PERSON_SCOPE = Scope(party="person__membership__branch", own="person__user")


class Category(models.TextChoices):
    EMPLOYED = rules.EMPLOYED, _("在职")
    RETIRED = rules.RETIRED, _("离退休")
    STUDENT = rules.STUDENT, _("学生")
    FARMER = rules.FARMER, _("农民")
    RELIEF = rules.RELIEF, _("下岗失业/低保")
    HARDSHIP = rules.HARDSHIP, _("生活困难（经批准减免）")


class Method(models.TextChoices):
    # No payroll deduction and no organisation advance: 党组织不得垫交、扣缴 (RULES §3).
    CASH = "cash", _("现金")
    BANK = "bank", _("银行转账")
    ONLINE = "online", _("线上支付")


class DuesBase(models.Model):
    """A member's dues base from a month on; the latest one not after a month governs it."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_bases"
    )
    effective_month = models.DateField(_("起始月份"))
    category = models.CharField(_("党员类别"), max_length=12, choices=Category.choices)
    amount = models.DecimalField(_("交纳基数（元）"), **MONEY)
    # Farmer: the monthly amount the branch set; hardship: the reduced amount (0 = exempt).
    approved_amount = models.DecimalField(_("核定月交金额（元）"), null=True, blank=True, **MONEY)
    branch_agreed_on = models.DateField(_("支部同意日期"), null=True, blank=True)
    committee_approval = models.CharField(
        _("上级党委批准（文号或说明）"), max_length=200, blank=True
    )
    committee_approved_on = models.DateField(_("上级党委批准日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["person", "-effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "effective_month"], name="dues_base_one_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_base_not_negative"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="dues_base_approved_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.effective_month:%Y-%m} {self.amount}"

    def computation(self, book_values: dict | None = None) -> rules.Computation:
        """The monthly dues under this base (national rule values unless given)."""
        values = book_values or {}
        return rules.compute_dues(
            self.amount,
            self.category,
            values.get(f"dues.brackets.{self.category}"),
            fixed=values.get(f"dues.fixed.{self.category}"),
            approved=self.approved_amount,
        )

    @property
    def monthly_due(self):
        return self.computation().amount


class QuarterlyConsent(models.Model):
    """The branch's consent for a member to pay by the quarter (按季度交纳)."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_consents"
    )
    agreed_on = models.DateField(_("支部同意日期"))
    decision = models.CharField(_("支部决定"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("按季交纳同意记录")
        verbose_name_plural = _("按季交纳同意记录")

    def __str__(self):
        return f"{self.person} {self.agreed_on}"


class BackPaymentDecision(models.Model):
    """A branch decision allowing back payment of months beyond the normal limit."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_decisions"
    )
    first_month = models.DateField(_("补交起始月份"))
    last_month = models.DateField(_("补交截止月份"))
    decided_on = models.DateField(_("决定日期"))
    decision = models.CharField(_("支部决定（会议及理由）"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("补交党费决定")
        verbose_name_plural = _("补交党费决定")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_month__lte=models.F("last_month")),
                name="dues_decision_months_ordered",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"

    def covers(self, month) -> bool:
        return self.first_month <= month <= self.last_month


class DuesPayment(models.Model):
    """One member-month of the ledger: what was due and what was paid, by whom, how."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_payments"
    )
    month = models.DateField(_("所属月份"))
    due = models.DecimalField(_("应交（元）"), **MONEY)
    amount = models.DecimalField(_("实交（元）"), **MONEY)
    paid_on = models.DateField(_("交纳日期"))
    method = models.CharField(_("交纳方式"), max_length=10, choices=Method.choices)
    proxy_name = models.CharField(
        _("代缴人"), max_length=50, blank=True, help_text=_("他人代缴时填写代缴人姓名")
    )
    quarterly_consent = models.ForeignKey(
        QuarterlyConsent,
        verbose_name=_("按季交纳依据"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    decision = models.ForeignKey(
        BackPaymentDecision,
        verbose_name=_("补交依据"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党费交纳记录")
        verbose_name_plural = _("党费交纳记录")
        ordering = ["person", "month"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="dues_payment_one_per_month"),
            # Never negative, never an empty entry (垫交 / 扣缴 do not exist here).
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
            models.CheckConstraint(condition=Q(due__gte=0), name="dues_payment_due_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "person"], name="dues_payment_month_idx")]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.amount}"

    @property
    def by_proxy(self) -> bool:
        return bool(self.proxy_name)


class ExtraPayment(models.Model):
    """A voluntary payment beyond the dues (自愿多交), kept apart from the monthly ledger."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_extras"
    )
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("交纳日期"))
    method = models.CharField(_("交纳方式"), max_length=10, choices=Method.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("自愿多交党费")
        verbose_name_plural = _("自愿多交党费")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_extra_positive")
        ]

    def __str__(self):
        return f"{self.person} {self.paid_on} {self.amount}"


class ArrearsFlag(models.Model):
    """A member with N consecutive months unpaid, flagged for the branch's review."""

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_flags"
    )
    first_unpaid_month = models.DateField(_("欠交起始月份"))
    months = models.PositiveSmallIntegerField(_("连续未交月数"))
    flagged_on = models.DateField(_("提示日期"))
    notified_at = models.DateTimeField(_("通知书记时间"), null=True, blank=True)
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    resolution = models.CharField(_("处理结果"), max_length=300, blank=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("欠交党费提示")
        verbose_name_plural = _("欠交党费提示")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(resolved_on__isnull=True),
                name="dues_flag_one_open_per_person",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.months}"


class DuesCorrection(models.Model):
    """A correction of a recorded payment, kept as its own entry (never a silent edit).

    The wrong ledger row is reversed (removed from the ledger, its values copied here) and,
    unless the correction only reverses, a new payment is recorded through the same checks
    as any payment (``new_*`` copy its values). The ledger shows the corrected state; the
    member's page lists both sides of every correction with its reason.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_corrections"
    )
    reason = models.CharField(_("更正原因"), max_length=300)
    reversed_month = models.DateField(_("原所属月份"))
    reversed_due = models.DecimalField(_("原应交（元）"), **MONEY)
    reversed_amount = models.DecimalField(_("原实交（元）"), **MONEY)
    reversed_paid_on = models.DateField(_("原交纳日期"))
    reversed_method = models.CharField(_("原交纳方式"), max_length=10, choices=Method.choices)
    reversed_proxy_name = models.CharField(_("原代缴人"), max_length=50, blank=True)
    reversed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reversed_recorded_at = models.DateTimeField(_("原录入时间"), null=True)
    new_month = models.DateField(_("更正后所属月份"), null=True, blank=True)
    new_amount = models.DecimalField(_("更正后实交（元）"), null=True, blank=True, **MONEY)
    new_paid_on = models.DateField(_("更正后交纳日期"), null=True, blank=True)
    new_method = models.CharField(
        _("更正后交纳方式"), max_length=10, choices=Method.choices, blank=True
    )
    new_proxy_name = models.CharField(_("更正后代缴人"), max_length=50, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    scope = PERSON_SCOPE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党费更正记录")
        verbose_name_plural = _("党费更正记录")
        ordering = ["-corrected_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-corrected_at"], name="dues_correction_person_idx")
        ]

    def __str__(self):
        return f"{self.person} {self.reversed_month:%Y-%m} {self.reason}"

    @property
    def reverses_only(self) -> bool:
        return self.new_month is None
