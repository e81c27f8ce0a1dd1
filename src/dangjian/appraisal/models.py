"""三评 (SPEC §2.3, RULES §4): a yearly appraisal campaign of a party organisation, its
criteria and rater kinds with weights, the customers' one-use rating tokens, and the ratings.

A ``Rating`` is one rater's sheet for one member (ratee): one ``Score`` per criterion.
Results, grades (民主评议) and the report live in ``appraisal.grading``; the suggestion box
in ``appraisal.suggestions``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope

DEFAULT_CRITERIA = ["服务态度", "敬业精神", "政策水平", "业务技能"]


class RaterKind(models.TextChoices):
    CUSTOMER = "customer", _("客户评议")
    PEER = "peer", _("党员互评")
    LEADER = "leader", _("领导点评")
    SELF = "self", _("党员自评")
    PUBLIC = "public", _("群众评议")


class ScoreScale(models.TextChoices):
    FIVE = "five", _("1–5 分")
    HUNDRED = "hundred", _("0–100 分")


SCALE_BOUNDS = {ScoreScale.FIVE: (1, 5), ScoreScale.HUNDRED: (0, 100)}


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class Campaign(models.Model):
    """One year's 三评 of a party organisation's subtree (a 党委 for the whole company, or a
    branch on its own)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("评议中")
        CLOSED = "closed", _("已截止")
        GRADED = "graded", _("已评定")

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    party_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="appraisal_campaigns",
    )
    scale = models.CharField(
        _("评分制"), max_length=10, choices=ScoreScale.choices, default=ScoreScale.FIVE
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # The open 群众评议 questionnaire's link (no login): non-guessable, like a member card's.
    public_token = models.CharField(
        _("问卷链接码"), max_length=24, unique=True, default=new_public_token, editable=False
    )
    description = models.TextField(_("说明"), blank=True, default="", max_length=2000)
    # Written by the token job: how many customer tokens exist, per unit ({unit id: count}),
    # so the campaign page never counts millions of token rows.
    tokens_total = models.PositiveIntegerField(_("客户评议码数"), default=0)
    token_units = models.JSONField(default=dict, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["token_units"])
    scope = Scope(party="party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议活动")
        verbose_name_plural = _("评议活动")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="appraisal_campaign_dates",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def score_bounds(self) -> tuple[int, int]:
        return SCALE_BOUNDS[ScoreScale(self.scale)]


class Criterion(models.Model):
    """A scored item (服务态度, 敬业精神 …) with its weight inside a rating sheet."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("评议项目"), max_length=50)
    weight = models.DecimalField(
        _("权重"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议项目")
        verbose_name_plural = _("评议项目")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="appraisal_criterion_name")
        ]

    def __str__(self) -> str:
        return self.name


class RaterWeight(models.Model):
    """Whether a rater kind takes part in a campaign, and its weight in the final score."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="rater_weights"
    )
    kind = models.CharField(_("评议主体"), max_length=10, choices=RaterKind.choices)
    weight = models.DecimalField(
        _("权重（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议主体权重")
        verbose_name_plural = _("评议主体权重")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="appraisal_rater_kind")
        ]


class RatingToken(models.Model):
    """A customer's one-use link (and QR code on the slip) for one campaign. ``token`` is the
    random secret in the link; ``used_at`` is set by the submission that consumes it."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="tokens"
    )
    customer = models.ForeignKey(
        RetailCustomer,
        verbose_name=_("零售客户"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (campaign, customer) below
    )
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    scope = Scope(unit="customer__unit", party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("客户评议码")
        verbose_name_plural = _("客户评议码")
        indexes = [
            # Response counts read only the used tokens (a small part of millions).
            models.Index(
                fields=["campaign", "used_at"],
                condition=models.Q(used_at__isnull=False),
                name="appraisal_token_used",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="appraisal_token_one_per_customer"
            )
        ]


class Rating(models.Model):
    """One rater's sheet for one member in a campaign.

    Anonymous to the rated member: customer and public ratings carry no identity (the token
    or a hashed device id only proves uniqueness); peer, leader and self ratings record the
    rater so that "one per rater per member" holds, but the member never sees who rated him.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="ratings"
    )
    ratee = models.ForeignKey(
        Person, verbose_name=_("被评党员"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("评议主体"), max_length=10, choices=RaterKind.choices)
    rater = models.ForeignKey(
        Person,
        verbose_name=_("评议人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The account that filled in a peer, leader or self sheet (a leader may have no Person).
    rater_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评议账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.ForeignKey(
        RatingToken,
        verbose_name=_("客户评议码"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings",
    )
    # Public ratings: a keyed hash of the device cookie, never the address itself.
    device_hash = models.CharField(max_length=64, blank=True, default="")
    comment = models.TextField(_("评语"), blank=True, default="", max_length=2000)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    # Leniency check (appraisal.grading): a rater giving everyone the same score may be
    # excluded from the results, with the reason kept.
    excluded = models.BooleanField(_("已剔除"), default=False)
    excluded_reason = models.CharField(_("剔除原因"), max_length=200, blank=True, default="")
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议记录")
        verbose_name_plural = _("评议记录")
        indexes = [
            models.Index(fields=["campaign", "ratee", "kind"], name="appraisal_rating_ratee")
        ]
        constraints = [
            # One sheet per (token, member), per (named rater, member, kind) and per
            # (device, member) for public ratings: resubmission is refused by the database.
            models.UniqueConstraint(
                fields=["token", "ratee"],
                condition=models.Q(token__isnull=False),
                name="appraisal_rating_once_per_token",
            ),
            models.UniqueConstraint(
                fields=["campaign", "rater", "ratee", "kind"],
                condition=models.Q(rater__isnull=False),
                name="appraisal_rating_once_per_rater",
            ),
            models.UniqueConstraint(
                fields=["campaign", "rater_user", "ratee", "kind"],
                condition=models.Q(rater_user__isnull=False),
                name="appraisal_rating_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["campaign", "device_hash", "ratee"],
                condition=~models.Q(device_hash=""),
                name="appraisal_rating_once_per_device",
            ),
        ]


class Score(models.Model):
    """One criterion's score on a rating sheet (within the campaign's scale)."""

    rating = models.ForeignKey(
        Rating, verbose_name=_("评议记录"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("评议项目"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("分数"))

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="appraisal_score_once"),
            models.CheckConstraint(
                condition=models.Q(value__lte=100), name="appraisal_score_range"
            ),
        ]
