from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin

from .models import BusinessFormat, RetailCustomer
from .selectors import units_for


class CustomerForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RetailCustomer
        fields = [
            "licence_no",
            "shop_name",
            "owner_name",
            "phone",
            "address",
            "unit",
            "account_manager",
            "business_format",
            "market",
            "size",
            "tier",
            "credit_grade",
            "licence_expires_on",
            "birthday",
            "birthday_is_lunar",
            "modern_terminal",
            "vulnerable",
            "strong_operator",
            "prime_location",
            "elderly",
            "disabled",
            "ill",
            "is_active",
        ]
        widgets = {
            "phone": forms.TextInput(),
            "licence_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"licence_no": {"unique": _("该许可证号已存在")}}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        action = "change" if self.instance.pk else "add"
        self.fields["unit"].queryset = units_for(actor, action).order_by("path")
        self.fields["tier"].help_text = _("1–30 档")
        self.fields["phone"].help_text = _("11位手机号或带区号的固定电话")
        self.fields["licence_no"].help_text = _("12位数字")
        self.fields["account_manager"].queryset = Person.objects.restrict(actor, "view").filter(
            post="客户经理"
        )


class CustomerFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("县局/片区"),
        empty_label=_("全部县局/片区"),
    )
    business_format = forms.ChoiceField(
        choices=[("", _("全部业态")), *BusinessFormat.choices], required=False, label=_("业态")
    )
    segment = forms.ChoiceField(
        choices=[
            ("", _("全部客户")),
            ("modern_terminal", _("现代终端")),
            ("vulnerable", _("弱势群体")),
            ("strong_operator", _("经营能力强")),
            ("prime_location", _("位置优越")),
            ("special", _("有特殊需求")),
        ],
        required=False,
        label=_("客户群体"),
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "view").filter(
            kind__in=[Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA]
        )
