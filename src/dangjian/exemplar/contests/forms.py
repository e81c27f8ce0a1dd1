from django import forms
from django.db.models import Min, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.pinyin_search import name_query
from dangjian.platform.search_pick import SearchPickField, SearchPickMultipleField

from .models import Contest


def organisers_for(actor):
    return PartyOrg.objects.restrict(actor, "view").exclude(kind=PartyOrg.Kind.GROUP)


def search_orgs(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text)).order_by("path")


def search_people(queryset, text):
    return queryset.filter(name_query(text, "name", "name_pinyin", "name_initials")).order_by(
        "name_pinyin", "pk"
    )


def person_label(person) -> str:
    membership = getattr(person, "membership", None)
    branch = membership.branch.name if membership else person.unit.name
    return f"{person.name}（{branch}）"


class ContestForm(StyledFormMixin, forms.ModelForm):
    organiser = SearchPickField(
        PartyOrg.objects.none(),
        label=_("组织单位"),
        search=search_orgs,
        suggest_url=reverse_lazy("contests:suggest", args=["organiser"]),
        placeholder=_("输入组织名称中的文字"),
    )

    class Meta:
        model = Contest
        fields = [
            "kind",
            "name",
            "organiser",
            "business_line",
            "held_on",
            "max_score",
            "higher_is_better",
            "first_prizes",
            "second_prizes",
            "third_prizes",
            "description",
            "business_result",
            "business_figure",
            "business_figure_label",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "business_result": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisers_for(actor).order_by("path")
        self.fields["organiser"].queryset = orgs
        self.fields["business_result"].help_text = _(
            "与业务成效挂钩：如“练兵后订单满足率提升2.3个百分点”"
        )
        self.fields["business_figure"].help_text = _("可选：一个可比较的数值")
        self.fields["business_figure_label"].widget.attrs["placeholder"] = _("如：订单满足率（%）")
        if not self.instance.pk:
            self.initial.setdefault("held_on", timezone.localdate())
            only = list(orgs[:2])
            if len(only) == 1 and not self.initial.get("organiser"):
                self.initial["organiser"] = only[0]


class ParticipantsForm(StyledFormMixin, forms.Form):
    people = SearchPickMultipleField(
        Person.objects.none(),
        label=_("参赛人员"),
        search=search_people,
        suggest_url=reverse_lazy("contests:suggest", args=["people"]),
        label_for=person_label,
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (
            Person.objects.restrict(actor, "view")
            .filter(left_on__isnull=True)
            .select_related("membership__branch", "unit")
        )


class ContestFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[("", _("全部类别")), *Contest.Kind.choices], required=False, label=_("类别")
    )
    line = forms.ChoiceField(
        choices=[("", _("全部条线")), *Contest.Line.choices], required=False, label=_("业务条线")
    )
    org = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(),
        required=False,
        label=_("组织单位"),
        empty_label=_("全部组织"),
    )
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisers_for(actor)
        top = orgs.aggregate(top=Min("depth"))["top"] or 1
        self.fields["org"].queryset = orgs.filter(depth__lte=top + 1).order_by("path")
        self.fields["year"].widget.attrs["placeholder"] = _("年度")
