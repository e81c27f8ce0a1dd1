from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField

from . import selectors
from .models import DEFAULT_CRITERIA, Campaign, RaterKind
from .services import DEFAULT_WEIGHTS

CRITERIA_ROWS = 6


def campaign_orgs(actor):
    return (
        PartyOrg.objects.restrict(actor, "view").exclude(kind=PartyOrg.Kind.GROUP).order_by("path")
    )


def search_orgs(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text)).order_by("path")


class CampaignForm(StyledFormMixin, forms.ModelForm):
    party_org = SearchPickField(
        PartyOrg.objects.none(),
        label=_("组织"),
        search=search_orgs,
        suggest_url=reverse_lazy("appraisal:suggest_org"),
        placeholder=_("输入组织名称中的文字"),
    )

    class Meta:
        model = Campaign
        fields = ["year", "party_org", "name", "scale", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor=None, criteria=None, weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = campaign_orgs(actor)
        self.fields["party_org"].queryset = orgs
        self.fields["party_org"].help_text = _("评议该组织及其下级支部的全体党员")
        self.fields["name"].required = False
        self.fields["name"].help_text = _("留空则自动命名，如“2026年度××党支部“三评””")
        today = timezone.localdate()
        if not self.instance.pk:
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("ends_on", today + timezone.timedelta(days=30))
            only = list(orgs[:2])
            if len(only) == 1:
                self.initial.setdefault("party_org", only[0])
        criteria = criteria or [(name, Decimal("1")) for name in DEFAULT_CRITERIA]
        for i in range(CRITERIA_ROWS):
            name, weight = criteria[i] if i < len(criteria) else ("", None)
            self.fields[f"crit_name_{i}"] = forms.CharField(
                label=_("评议项目%(n)s") % {"n": i + 1},
                required=False,
                max_length=50,
                initial=name,
            )
            self.fields[f"crit_weight_{i}"] = forms.DecimalField(
                label=_("项目%(n)s权重") % {"n": i + 1},
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal("100"),
                decimal_places=2,
                initial=weight,
            )
        weights = weights if weights is not None else DEFAULT_WEIGHTS
        for kind, label in RaterKind.choices:
            self.fields[f"w_{kind}"] = forms.DecimalField(
                label=_("%(k)s权重（%%）") % {"k": label},
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                decimal_places=2,
                initial=weights.get(kind, Decimal("0")),
                help_text=_("0 表示不参加"),
            )
        for name, field in self.fields.items():
            if name.startswith(("crit_", "w_")):
                field.widget.attrs["class"] = "form-control"
                field.error_messages["required"] = _("此项为必填项")

    def criteria_rows(self):
        return [(self[f"crit_name_{i}"], self[f"crit_weight_{i}"]) for i in range(CRITERIA_ROWS)]

    def weight_fields(self):
        return [self[f"w_{kind}"] for kind in RaterKind.values]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean(self):
        data = super().clean()
        for i in range(CRITERIA_ROWS):
            name = (data.get(f"crit_name_{i}") or "").strip()
            weight = data.get(f"crit_weight_{i}")
            if name and weight is None:
                self.add_error(f"crit_weight_{i}", _("请填写该项目的权重"))
        return data

    def criteria(self) -> list[tuple[str, Decimal]]:
        rows = []
        for i in range(CRITERIA_ROWS):
            name = (self.cleaned_data.get(f"crit_name_{i}") or "").strip()
            if name:
                rows.append((name, self.cleaned_data.get(f"crit_weight_{i}")))
        return rows

    def weights(self) -> dict[str, Decimal]:
        return {
            kind: self.cleaned_data.get(f"w_{kind}") or Decimal("0") for kind in RaterKind.values
        }


class CampaignFilterForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        # The filter row shows no labels: the box says what it takes.
        widget=forms.NumberInput(attrs={"placeholder": _("年度")}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Campaign.Status.choices]
    )


def search_areas(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text)).order_by("path")


def token_area_field(**kwargs) -> SearchPickField:
    """A search box over the areas holding the campaign's tokens, not a <select>: a national
    campaign has 4 000 of them. Scope and suggestion URL are set by ``_TokenAreaForm``."""
    return SearchPickField(
        Unit.objects.none(),
        label=_("片区"),
        search=search_areas,
        placeholder=_("片区名称或编码"),
        **kwargs,
    )


class _TokenAreaForm(StyledFormMixin, forms.Form):
    area_field = ""

    def __init__(self, *args, actor=None, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.area_field]
        field.queryset = selectors.slip_areas(actor, campaign)
        field.suggest_url = reverse("appraisal:token_suggest", args=[campaign.pk, self.area_field])


class TokenFilterForm(_TokenAreaForm):
    area_field = "unit"
    unit = token_area_field(required=False, clear_label=_("全部片区"))
    used = forms.ChoiceField(
        label=_("使用情况"),
        required=False,
        choices=[("", _("全部")), ("yes", _("已评议")), ("no", _("未评议"))],
    )


class AreaSlipsForm(_TokenAreaForm):
    area_field = "area"
    area = token_area_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].error_messages["required"] = _("请选择有评议码的片区")
