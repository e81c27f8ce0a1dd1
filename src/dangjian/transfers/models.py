"""组织关系转接: transfer letters (stub / letter / receipt) and the 流动党员 register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.crypto import EncryptedTextField, mask_phone
from dangjian.platform.scoping import RestrictedManager, Scope


class Transfer(models.Model):
    """One transfer of a member's party relationship.

    ``from_org`` empty: the member comes from outside the system (``from_org_name`` says
    from where); ``to_org`` empty: he leaves it (``to_org_name``). Both set: a transfer
    between two branches of the system, seen by both (``orgs`` holds the organisations
    inside the system, for scoping).
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("待回执")
        RECEIVED = "received", _("已回执")
        CANCELLED = "cancelled", _("已作废")

    class Reason(models.TextChoices):
        JOB = "job", _("工作调动")
        EMPLOYMENT = "employment", _("外出务工经商")
        RESIDENCE = "residence", _("迁居")
        STUDY = "study", _("升学")
        RETIREMENT = "retirement", _("退休")
        OTHER = "other", _("其他")

    number = models.CharField(_("介绍信编号"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
    )
    member_status = models.CharField(
        _("党员类别"), max_length=20, choices=Membership.Status.choices
    )
    joined_on = models.DateField(_("入党日期"))
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    from_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("转出组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
    )
    from_org_name = models.CharField(_("转出组织名称"), max_length=200)
    to_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("转入组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    to_org_name = models.CharField(_("转入组织名称"), max_length=200)
    cross_province = models.BooleanField(_("跨省转接"), default=False)
    reason = models.CharField(_("转接原因"), max_length=20, choices=Reason.choices)
    reason_note = models.CharField(_("原因说明"), max_length=200, blank=True)
    dues_paid_through = models.DateField(_("党费交至"), null=True, blank=True)
    issued_on = models.DateField(_("开具日期"))
    valid_months = models.PositiveSmallIntegerField(_("有效期（月）"))
    # Set by the services; editable so that the change history shows them.
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    received_on = models.DateField(_("回执日期"), null=True, blank=True)
    receipt_note = models.CharField(_("回执说明"), max_length=200, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回执登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    flagged_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    orgs = models.ManyToManyField(PartyOrg, related_name="+", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开具人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="orgs", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        indexes = [
            models.Index(fields=["status", "valid_until"], name="transfer_status_idx"),
            models.Index(fields=["-issued_on", "id"], name="transfer_issued_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.person}"

    @property
    def direction(self) -> str:
        if self.from_org_id and self.to_org_id:
            return str(_("系统内转接"))
        if self.from_org_id:
            return str(_("转出系统外"))
        return str(_("从系统外转入"))

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.ISSUED and self.valid_until < today


class MobileMember(models.Model):
    """流动党员: away from the branch for less than the transfer threshold."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("外出流动中")
        RETURNED = "returned", _("已返回")
        TRANSFERRED = "transferred", _("已转接组织关系")

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="mobile_records"
    )
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="mobile_members",
    )
    destination = models.CharField(_("流入地"), max_length=200)
    workplace = models.CharField(_("工作单位/住址"), max_length=200, blank=True)
    since = models.DateField(_("外出日期"))
    expected_return = models.DateField(_("预计返回日期"), null=True, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    contact_other = models.CharField(_("其他联系方式"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("未转接提醒时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    PERSONAL_FIELDS = ("contact_phone",)

    class Meta:
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        indexes = [models.Index(fields=["status", "since"], name="mobile_status_idx")]

    def __str__(self):
        return f"{self.person} → {self.destination}"

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)
