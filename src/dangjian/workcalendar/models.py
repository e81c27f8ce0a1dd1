"""A unit's own calendar on top of the official one: local holidays, local working days,
business hours. Both reach the unit's subtree (a bureau's holiday is its market areas')."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import Unit
from dangjian.platform.scoping import RestrictedManager, Scope

# The defaults of the official working day (also the fallback when no unit sets hours).
DEFAULT_HOURS = (dt.time(8, 30), dt.time(12, 0), dt.time(14, 0), dt.time(17, 30))


class LocalDay(models.Model):
    """A day a unit takes off (本单位放假) or works (本单位上班) against the official calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("本单位放假")
        WORKDAY = "workday", _("本单位上班")

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="local_days"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：防汛值班调休、县庆"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        ordering = ["date", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date"], name="workcalendar_one_local_day")
        ]
        verbose_name = _("本单位假日/上班日")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class BusinessHours(models.Model):
    """Opening hours of a unit (for SLA clocks); units without a row inherit their parent's."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="business_hours"
    )
    morning_start = models.TimeField(_("上午上班"), default=DEFAULT_HOURS[0])
    morning_end = models.TimeField(_("上午下班"), default=DEFAULT_HOURS[1])
    afternoon_start = models.TimeField(_("下午上班"), default=DEFAULT_HOURS[2])
    afternoon_end = models.TimeField(_("下午下班"), default=DEFAULT_HOURS[3])

    history = HistoricalRecords()
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("办公时间")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.unit} {self.morning_start:%H:%M}–{self.afternoon_end:%H:%M}"

    def clean(self):
        times = [self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end]
        if None in times:
            return
        if not (times[0] < times[1] <= times[2] < times[3]):
            raise ValidationError(_("办公时间须依次为：上午上班 < 上午下班 ≤ 下午上班 < 下午下班"))
