"""三评 results, leniency flags, 民主评议 grades and 优秀共产党员 nominations (RULES §4).

- ``GradingPolicy``: a campaign's thresholds as data (proposed grades, leniency check).
- ``MemberResult`` (one per member of the campaign's subtree) and ``ResultPart`` (one per
  member × rater kind, with the per-criterion means): written by the results job in a few
  set-based SQL statements (``computation.py``), never edited by hand.
- ``LeniencyFlag``: a rater (named rater, customer token or public device) who gave every
  member the same score; the office excludes (``Rating.excluded``) or keeps.
- ``GradeDecision``: the branch's decision (支委会 / 党员大会) with its reason; 基本合格 and
  不合格 produce an ``ImprovementPlan`` (限期改正) tracked to closure.
- ``Nomination``: 优秀共产党员, refused while a veto holds (dues, ``DisciplinaryRecord``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.appraisal.models import Campaign, RaterKind, Rating, RatingToken
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.scoping import RestrictedManager, Scope


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


# Grades that produce an improvement plan (限期改正).
NEEDS_PLAN = (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


class GradingPolicy(models.Model):
    """A campaign's thresholds (percent scores) and the leniency check's minimum sheets."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="+"
    )
    excellent_min = models.DecimalField(
        _("建议优秀的最低分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    qualified_min = models.DecimalField(
        _("建议合格的最低分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    basic_min = models.DecimalField(
        _("建议基本合格的最低分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    leniency_min_sheets = models.PositiveSmallIntegerField(
        _("雷同评分检查的最少份数"), default=3, validators=[MinValueValidator(2)]
    )
    history = HistoricalRecords()
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评定规则")
        verbose_name_plural = _("评定规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(excellent_min__gte=models.F("qualified_min"))
                & models.Q(qualified_min__gte=models.F("basic_min")),
                name="grading_policy_ordered",
            )
        ]


class ResultRun(models.Model):
    """One computation of a campaign's results (the job writes it; the page shows the last)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="+"
    )
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.PositiveIntegerField(_("参评党员"), default=0)
    sheets = models.PositiveIntegerField(_("有效评议表"), default=0)
    excluded = models.PositiveIntegerField(_("剔除评议表"), default=0)
    seconds = models.DecimalField(_("用时（秒）"), max_digits=8, decimal_places=2, default=0)
    # Campaign-wide figures for the charts: {"kinds": {kind: {"sheets", "expected"}},
    # "histogram": [[lower bound, count], …], "branches": [[id, name, mean, n], …]}.
    summary = models.JSONField(default=dict)
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("结果计算")
        verbose_name_plural = _("结果计算")
        ordering = ["-computed_at", "-pk"]


class MemberResult(models.Model):
    """A member's weighted score in a campaign, its rank in branch and company, and the
    grade proposed from it. ``score`` is None when nobody rated the member."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        PartyOrg, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+"
    )
    probationary = models.BooleanField(_("预备党员"), default=False)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True)
    sheets = models.PositiveIntegerField(_("评议表数"), default=0)
    rank_branch = models.PositiveIntegerField(_("支部排名"), null=True)
    rank_company = models.PositiveIntegerField(_("全局排名"), null=True)
    branch_size = models.PositiveIntegerField(_("支部参评人数"), default=0)
    proposed = models.CharField(_("建议等次"), max_length=20, choices=Grade.choices, blank=True)
    scope = Scope(party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议结果")
        verbose_name_plural = _("评议结果")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="grading_result_once")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "branch", "rank_branch"], name="grading_result_branch"
            ),
            models.Index(fields=["campaign", "rank_company"], name="grading_result_rank"),
            # The results list sorted by score (either way; ties by id, as paginate() adds).
            models.Index(fields=["campaign", "score", "id"], name="grading_result_score"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.campaign}"


class ResultPart(models.Model):
    """One rater kind's part of a member's score: the mean of its sheets (percent), the
    sheets counted and expected (for the response rate), and per-criterion means
    (``{criterion id: mean percent}``)."""

    # Derived rows written only by the results SQL (which joins them to their result):
    # no database FK check (a million at commit) and no index besides the unique one below,
    # which serves lookups by result. Django still cascades deletes.
    result = models.ForeignKey(
        MemberResult,
        verbose_name=_("评议结果"),
        on_delete=models.CASCADE,
        related_name="parts",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(_("评议主体"), max_length=10, choices=RaterKind.choices)
    mean = models.DecimalField(_("平均分"), max_digits=6, decimal_places=2, null=True)
    sheets = models.PositiveIntegerField(_("评议表数"), default=0)
    expected = models.PositiveIntegerField(_("应评数"), null=True)
    criteria = models.JSONField(_("分项平均分"), default=dict)
    scope = Scope(party="result__branch", own="result__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评议结果构成")
        verbose_name_plural = _("评议结果构成")
        constraints = [models.UniqueConstraint(fields=["result", "kind"], name="grading_part_once")]

    @property
    def response_rate(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.sheets) * 100 / self.expected).quantize(Decimal("0.1"))


class LeniencyFlag(models.Model):
    """A rater who gave every member he rated the same score (雷同评分), with the office's
    decision. A rater is a named person, a customer token or a public device."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        EXCLUDED = "excluded", _("已剔除")
        KEPT = "kept", _("保留")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议活动"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("评议主体"), max_length=10, choices=RaterKind.choices)
    # Exactly one of the three identifies the rater.
    rater = models.ForeignKey(
        Person, verbose_name=_("评议人"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.ForeignKey(
        RatingToken,
        verbose_name=_("客户评议码"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    device_hash = models.CharField(max_length=64, blank=True, default="")
    sheets = models.PositiveIntegerField(_("评议表数"))
    score = models.DecimalField(_("统一分数"), max_digits=6, decimal_places=2)
    status = models.CharField(_("处理"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("处理理由"), max_length=200, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    history = HistoricalRecords()
    scope = Scope(party="campaign__party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("雷同评分")
        verbose_name_plural = _("雷同评分")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "rater", "kind"],
                condition=models.Q(rater__isnull=False),
                name="grading_flag_rater",
            ),
            models.UniqueConstraint(
                fields=["campaign", "token"],
                condition=models.Q(token__isnull=False),
                name="grading_flag_token",
            ),
            models.UniqueConstraint(
                fields=["campaign", "device_hash"],
                condition=~models.Q(device_hash=""),
                name="grading_flag_device",
            ),
        ]

    def ratings(self):
        """The rater's sheets in the campaign (a system read: callers checked the flag)."""
        qs = Rating.objects.filter(campaign_id=self.campaign_id)
        if self.rater_id:
            return qs.filter(rater_id=self.rater_id, kind=self.kind)
        if self.token_id:
            return qs.filter(token_id=self.token_id)
        return qs.filter(device_hash=self.device_hash)

    @property
    def rater_label(self) -> str:
        if self.rater_id:
            return str(self.rater)
        if self.token_id:
            return _("客户评议码 #%(n)s") % {"n": self.token_id}
        return _("匿名设备 %(h)s…") % {"h": self.device_hash[:8]}


class DecisionBody(models.TextChoices):
    COMMITTEE = "committee", _("支委会")
    GENERAL_MEETING = "general_meeting", _("党员大会")


class GradeDecision(models.Model):
    """The branch's 组织评定 of a member: not by votes alone, with the decision's reason."""

    result = models.OneToOneField(
        MemberResult, verbose_name=_("评议结果"), on_delete=models.CASCADE, related_name="decision"
    )
    grade = models.CharField(_("评定等次"), max_length=20, choices=Grade.choices)
    body = models.CharField(_("评定组织"), max_length=20, choices=DecisionBody.choices)
    decided_on = models.DateField(_("评定日期"))
    reason = models.TextField(_("评定理由"), max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    history = HistoricalRecords()
    scope = Scope(party="result__branch", own="result__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("评定等次")
        verbose_name_plural = _("评定等次")

    def __str__(self) -> str:
        return f"{self.result.person} {self.get_grade_display()}"


class ImprovementPlan(models.Model):
    """限期改正: what the member must put right, by when; closed with a note."""

    decision = models.OneToOneField(
        GradeDecision, verbose_name=_("评定等次"), on_delete=models.CASCADE, related_name="plan"
    )
    measures = models.TextField(_("改正要求"), max_length=2000)
    due_on = models.DateField(_("改正期限"))
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closing_note = models.TextField(_("改正情况"), blank=True, default="", max_length=2000)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()
    scope = Scope(party="decision__result__branch", own="decision__result__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("限期改正")
        verbose_name_plural = _("限期改正")
        indexes = [models.Index(fields=["closed_on", "due_on"], name="grading_plan_open")]


class DisciplinaryRecord(models.Model):
    """A party disciplinary sanction or organisational measure; open until its effect ends
    (``closed_on``). An open record vetoes the 优秀共产党员 nomination."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("警告")
        SERIOUS_WARNING = "serious_warning", _("严重警告")
        REMOVAL = "removal", _("撤销党内职务")
        PROBATION = "probation", _("留党察看")
        ORG_MEASURE = "org_measure", _("组织处理")

    person = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    decided_on = models.DateField(_("决定日期"))
    summary = models.CharField(_("事由"), max_length=300)
    closed_on = models.DateField(_("影响期满日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()
    scope = Scope(party="person__membership__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党纪处分记录")
        verbose_name_plural = _("党纪处分记录")
        ordering = ["-decided_on", "-pk"]


class Nomination(models.Model):
    """优秀共产党员 nomination of a member graded 优秀."""

    decision = models.OneToOneField(
        GradeDecision,
        verbose_name=_("评定等次"),
        on_delete=models.CASCADE,
        related_name="nomination",
    )
    note = models.CharField(_("推荐理由"), max_length=500)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    history = HistoricalRecords()
    scope = Scope(party="decision__result__branch", own="decision__result__person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("优秀共产党员推荐")
        verbose_name_plural = _("优秀共产党员推荐")
