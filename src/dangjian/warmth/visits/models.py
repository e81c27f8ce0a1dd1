"""日常服务: visits and service records to retail customers, visit plans, 私人定制 and the
"假如我是服务对象" discussions.

A visit hangs on the unit the customer belonged to when it was made (``Visit.unit``, copied
from the customer by ``visit_record``): the market area that did the work keeps it, and the
unit's monthly list is one index range at 100 M rows. An account manager reaches the visits
of the customers he manages (``Scope.own``); a branch secretary those of the units his branch
covers; the office all of them.

The catalogues (visit kinds, 私人定制 service types, visit plans) are company-wide reference
data, read by every role like a list of choices and edited by the office (``roles.py``); they
hang on no tree node and have no ``Scope``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

SEGMENT_CHOICES = list(SEGMENTS.items())


class VisitKind(models.Model):
    """A kind of visit (日常走访, 亮证检查, 柜台整理 …) — data, so the office may add more."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    # A 私人定制 visit names the service type it delivered (coverage counts it).
    is_tailored = models.BooleanField(_("私人定制服务"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访类型")
        verbose_name_plural = _("走访类型")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class TailoredServiceType(models.Model):
    """One 私人定制 service offered to a customer segment (office-edited catalogue)."""

    segment = models.CharField(_("客户群体"), max_length=20, choices=SEGMENT_CHOICES)
    name = models.CharField(_("服务项目"), max_length=50)
    description = models.TextField(_("服务内容"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("私人定制服务项目")
        verbose_name_plural = _("私人定制服务项目")
        ordering = ["segment", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "name"], name="visits_tailored_unique_name")
        ]

    def __str__(self):
        return f"{self.get_segment_display()}·{self.name}"


class VisitPlan(models.Model):
    """How often customers matching a tier range and/or a segment are visited.

    A customer is due every N days where N is the smallest ``every_days`` of the active plans
    that match it (the strictest wins); a plan with neither a tier range nor a segment is the
    default and matches everyone.
    """

    name = models.CharField(_("名称"), max_length=50)
    tier_min = models.PositiveSmallIntegerField(
        _("档位下限"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    tier_max = models.PositiveSmallIntegerField(
        _("档位上限"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    segment = models.CharField(_("客户群体"), max_length=20, choices=SEGMENT_CHOICES, blank=True)
    every_days = models.PositiveSmallIntegerField(
        _("走访周期（天）"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["every_days", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_default(self) -> bool:
        return self.tier_min is None and self.tier_max is None and not self.segment


class Visit(models.Model):
    """One visit or service record: who served which customer, when, how, with what result."""

    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("零售客户"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # (customer, visited_on) below serves it
    )
    # The customer's unit when the visit was made (see the module docstring).
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属片区/县局"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (unit, visited_on) below
    )
    staff = models.ForeignKey(
        Person,
        verbose_name=_("服务人员"),
        on_delete=models.PROTECT,
        related_name="customer_visits",
        db_index=False,  # (staff, visited_on) below
    )
    visited_on = models.DateField(_("走访日期"))
    # No index on the kind or the service type: a handful of values over 100 M rows; the
    # pages filter them within a customer's, staff member's or unit's range.
    kind = models.ForeignKey(
        VisitKind,
        verbose_name=_("走访类型"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    service_type = models.ForeignKey(
        TailoredServiceType,
        verbose_name=_("私人定制服务项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    notes = models.TextField(_("服务内容与情况"), blank=True)
    follow_up_on = models.DateField(_("跟进日期"), null=True, blank=True)
    follow_up = models.CharField(_("跟进事项"), max_length=200, blank=True)
    follow_up_done_on = models.DateField(_("跟进完成日期"), null=True, blank=True)
    follow_up_result = models.CharField(_("跟进结果"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords(
        no_db_index=["customer", "unit", "staff", "kind", "service_type", "created_by"],
        user_db_constraint=False,
    )

    scope = Scope(unit="unit", party="unit__party_orgs", own="customer__account_manager__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [
            # The main pages at 100 M rows: a customer's visits, a staff member's, a unit's
            # for a month, and the open follow-ups of a staff member (partial).
            models.Index(fields=["customer", "-visited_on"], name="visit_customer_date_idx"),
            models.Index(fields=["staff", "-visited_on"], name="visit_staff_date_idx"),
            models.Index(fields=["unit", "-visited_on"], name="visit_unit_date_idx"),
            # The office's whole list (a month of the company, newest first).
            models.Index(fields=["-visited_on", "-id"], name="visit_date_idx"),
            models.Index(
                fields=["staff", "follow_up_on"],
                name="visit_open_follow_up_idx",
                condition=Q(follow_up_on__isnull=False, follow_up_done_on__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.kind}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_on is not None and self.follow_up_done_on is None


class VisitPhoto(models.Model):
    """A photo of a visit (display design before / after), re-encoded on upload, served only
    through the scoped photo view (no public media URL)."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("整改前")
        AFTER = "after", _("整改后")
        OTHER = "other", _("现场")

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("照片类型"), max_length=10, choices=Stage.choices)
    image = models.ImageField(_("照片"), upload_to="visits/%Y/%m/")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope = Scope(
        unit="visit__unit",
        party="visit__unit__party_orgs",
        own="visit__customer__account_manager__user",
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit", "stage", "pk"]


class LastVisit(models.Model):
    """The date of each customer's latest visit, kept by the visit services, so the due list
    is one indexed join instead of a MAX over the visit log."""

    customer = models.OneToOneField(
        RetailCustomer,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="last_visit",
        verbose_name=_("零售客户"),
    )
    visited_on = models.DateField(_("最近走访日期"))
    visit_count = models.PositiveIntegerField(_("走访次数"), default=0)

    class Meta:
        verbose_name = _("最近走访")
        verbose_name_plural = _("最近走访")


class Discussion(models.Model):
    """A "假如我是服务对象" discussion of a branch: put yourself in the customer's place."""

    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("讨论日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    participants = models.ManyToManyField(
        Person, verbose_name=_("参加人员"), related_name="+", blank=True
    )
    topics = models.TextField(_("讨论议题"))
    findings = models.TextField(_("查摆的问题"), blank=True)
    measures = models.TextField(_("改进措施"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    scope = Scope(party="branch", unit="branch__units")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("假如我是服务对象讨论")
        verbose_name_plural = _("假如我是服务对象讨论")
        indexes = [models.Index(fields=["branch", "-held_on"], name="visits_discussion_idx")]

    def __str__(self):
        return f"{self.branch.name} {self.held_on:%Y-%m-%d}"
