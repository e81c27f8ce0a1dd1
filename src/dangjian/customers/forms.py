from django import forms
from django.db.models import Min, Q
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
            "inspector",
            "courier",
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
        # Account managers of the units in reach, even for roles that may not list people
        # (an account manager must be able to keep himself on his own customers).
        self.fields["account_manager"].queryset = Person.objects.filter(
            Q(unit__in=Unit.objects.restrict(actor, "view").values("pk"))
            | Q(pk__in=Person.objects.restrict(actor, "view").values("pk"))
            | Q(user=actor),
            post="客户经理",
        ).order_by("name_pinyin")
        # Inspectors and couriers: the people of the units in reach.
        staff = Person.objects.filter(
            Q(unit__in=Unit.objects.restrict(actor, "view").values("pk")) | Q(user=actor),
            left_on__isnull=True,
        ).order_by("name_pinyin")
        self.fields["inspector"].queryset = staff.filter(post__contains="稽查")
        self.fields["courier"].queryset = staff.filter(post__contains="送货")


class CustomerFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("单位"),
        empty_label=_("全部单位"),
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
        # Two levels below the user's top units: a city office picks bureaus and areas, a
        # national office provinces and cities — never a select of 5 000 options.
        units = Unit.objects.restrict(actor, "view")
        top = units.aggregate(top=Min("depth"))["top"] or 1
        self.fields["unit"].queryset = units.filter(depth__lte=top + 2).order_by("path")
