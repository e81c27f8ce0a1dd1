"""Forms for local days and business hours (validation messages in Chinese)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.platform import workdays
from dangjian.platform.forms import StyledFormMixin

from .models import BusinessHours, LocalDay
from .selectors import unit_calendar

# Local days further away than this are almost always typing mistakes (2062 for 2026).
MAX_YEARS_AHEAD = 5


class LocalDayForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LocalDay
        fields = ["date", "kind", "name", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["date"].error_messages["invalid"] = _("请输入正确的日期，如 2026-10-09")

    def clean_date(self):
        date = self.cleaned_data["date"]
        today = dt.date.today()
        if not (today.year - 1 <= date.year <= today.year + MAX_YEARS_AHEAD):
            raise forms.ValidationError(
                _("日期应在%(lo)s年至%(hi)s年之间")
                % {"lo": today.year - 1, "hi": today.year + MAX_YEARS_AHEAD}
            )
        if LocalDay.objects.filter(unit=self.unit, date=date).exists():
            raise forms.ValidationError(
                _("%(unit)s在%(date)s已有设置，请先删除原设置")
                % {"unit": self.unit.name, "date": date.strftime("%Y-%m-%d")}
            )
        return date

    def clean(self):
        cleaned = super().clean()
        date, kind = cleaned.get("date"), cleaned.get("kind")
        if date and kind:
            # The unit's own entry on this date is refused above, so what is left is the
            # official calendar plus what the unit inherits from its ancestors.
            calendar = unit_calendar(self.unit, start=date, end=date)
            working = workdays.is_working_day(
                date, calendar.extra_holidays, calendar.extra_workdays
            ).value
            if kind == LocalDay.Kind.HOLIDAY and not working:
                self.add_error("kind", _("该日本来就不上班，无需设为本单位放假"))
            if kind == LocalDay.Kind.WORKDAY and working:
                self.add_error("kind", _("该日本来就是工作日，无需设为本单位上班"))
        return cleaned


class BusinessHoursForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ["morning_start", "morning_end", "afternoon_start", "afternoon_end"]
        widgets = {
            name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for name in ["morning_start", "morning_end", "afternoon_start", "afternoon_end"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid"] = _("请输入正确的时间，如 08:30")
