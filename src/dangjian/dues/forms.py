"""Forms of the dues pages. Money is typed as text and parsed by ``rules.parse_base`` so a
base like «三千» or «-1» gets a message naming the field, never a float."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Category, Method

MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


def parse_month(text) -> dt.date:
    if isinstance(text, dt.date):
        return text.replace(day=1)
    match = MONTH_RE.match(str(text or ""))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(text)
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


class MonthField(forms.CharField):
    """A month typed as 2025-03 (the browser's month picker) → its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(
                _("月份格式应为 2025-03 这样的“年-月”"), code="invalid"
            ) from None


class MoneyField(forms.CharField):
    """An amount in 元 to the fen, typed as text («3000», «3,000.50»)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": 20})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return rules.parse_base(value)
        except rules.DuesInputError as exc:
            raise forms.ValidationError(
                str(exc), code="invalid"
            ) from None  # label shown by the template


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class BaseForm(StyledForm):
    effective_month = MonthField(
        label=_("起始月份"), help_text=_("收入变动的月份，新基数从该月起执行")
    )
    category = forms.ChoiceField(label=_("党员类别"), choices=Category.choices)
    amount = MoneyField(
        label=_("交纳基数（元）"),
        help_text=_("税后月工资收入或养老金总额；学生、下岗失业、低保党员可填 0"),
    )
    approved_amount = MoneyField(
        label=_("核定月交金额（元）"),
        required=False,
        help_text=_("农民党员：支部核定的 0.2–1 元；生活困难党员：批准后的金额，免交填 0"),
    )
    branch_agreed_on = forms.DateField(label=_("支部同意日期"), required=False, widget=DateInput())
    committee_approval = forms.CharField(
        label=_("上级党委批准（文号或说明）"), required=False, max_length=200
    )
    committee_approved_on = forms.DateField(
        label=_("上级党委批准日期"), required=False, widget=DateInput()
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class PaymentForm(StyledForm):
    month = MonthField(label=_("所属月份"))
    amount = MoneyField(label=_("实交金额（元）"))
    paid_on = forms.DateField(label=_("交纳日期"), widget=DateInput())
    method = forms.ChoiceField(label=_("交纳方式"), choices=Method.choices)
    proxy_name = forms.CharField(
        label=_("代缴人"), required=False, max_length=50, help_text=_("由他人代缴时填写代缴人姓名")
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class CorrectionForm(StyledForm):
    ACTIONS = [
        ("amend", _("更正为下列内容（原记录冲销，按下列内容重新登记）")),
        ("reverse", _("整笔冲销（误登记，该月恢复为未交）")),
    ]
    action = forms.ChoiceField(
        label=_("更正方式"), choices=ACTIONS, widget=forms.RadioSelect, initial="amend"
    )
    month = MonthField(label=_("所属月份"), required=False)
    amount = MoneyField(label=_("实交金额（元）"), required=False)
    paid_on = forms.DateField(label=_("交纳日期"), required=False, widget=DateInput())
    method = forms.ChoiceField(label=_("交纳方式"), choices=Method.choices, required=False)
    proxy_name = forms.CharField(
        label=_("代缴人"), required=False, max_length=50, help_text=_("由他人代缴时填写代缴人姓名")
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=300,
        help_text=_("如：金额录错、月份录错、记到了其他党员名下；原记录和本次更正都会保留"),
        error_messages={"required": _("此项为必填项")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("action") == "amend":
            for name in ("month", "amount", "paid_on", "method"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("更正为新内容时必填"))
        return data


class ExtraForm(StyledForm):
    amount = MoneyField(label=_("金额（元）"))
    paid_on = forms.DateField(label=_("交纳日期"), widget=DateInput())
    method = forms.ChoiceField(label=_("交纳方式"), choices=Method.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class ConsentForm(StyledForm):
    agreed_on = forms.DateField(label=_("支部同意日期"), widget=DateInput())
    decision = forms.CharField(label=_("支部决定（会议及日期）"), max_length=200)


class DecisionForm(StyledForm):
    first_month = MonthField(label=_("补交起始月份"))
    last_month = MonthField(label=_("补交截止月份"))
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    decision = forms.CharField(label=_("支部决定（会议、日期及理由）"), max_length=300)


class ResolveForm(StyledForm):
    resolution = forms.CharField(label=_("处理结果"), max_length=300)


class CalculatorForm(StyledForm):
    base = MoneyField(
        label=_("月收入基数（元）"), help_text=_("在职党员填税后月工资收入，离退休党员填养老金总额")
    )
    category = forms.ChoiceField(
        label=_("党员类别"),
        choices=[(c, label) for c, label in Category.choices if c in rules.CALCULATOR_CATEGORIES],
    )


def default_paid_on() -> dt.date:
    return timezone.localdate()
