from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.pinyin_search import name_query
from dangjian.platform.search_pick import SearchPickField

from .models import DecisionBody, DisciplinaryRecord, Grade, GradingPolicy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultFilterForm(forms.Form):
    branch = forms.IntegerField(required=False, widget=forms.HiddenInput)
    proposed = forms.ChoiceField(
        label=_("建议等次"),
        required=False,
        choices=[("", _("全部建议等次")), *Grade.choices],
    )
    decided = forms.ChoiceField(
        label=_("评定等次"),
        required=False,
        choices=[("", _("全部评定情况")), ("none", _("尚未评定")), *Grade.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("proposed", "decided"):
            self.fields[name].widget.attrs.update(
                {"class": "form-select", "aria-label": self.fields[name].label}
            )


class PolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = GradingPolicy
        fields = ["excellent_min", "qualified_min", "basic_min", "leniency_min_sheets"]


class FlagDecisionForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("exclude", _("剔除")), ("keep", _("保留"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("处理理由"), max_length=200)


class DecisionForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("评定等次"), choices=Grade.choices)
    body = forms.ChoiceField(label=_("评定组织"), choices=DecisionBody.choices)
    decided_on = forms.DateField(label=_("评定日期"), widget=DATE)
    reason = forms.CharField(
        label=_("评定理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_("改正要求（基本合格、不合格时填写）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("改正期限"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()


class NominationForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("推荐理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanCloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    closing_note = forms.CharField(
        label=_("改正情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


def search_people(queryset, query):
    return queryset.filter(name_query(query, "name", "name_pinyin", "name_initials")).order_by(
        "name_pinyin", "pk"
    )


def member_label(person) -> str:
    return f"{person.name}（{person.unit.name}）" if person.unit_id else person.name


class DisciplinaryForm(StyledFormMixin, forms.ModelForm):
    person = SearchPickField(
        Person.objects.none(),
        label=_("党员"),
        search=search_people,
        suggest_url=reverse_lazy("grading:discipline_suggest"),
        label_for=member_label,
    )

    class Meta:
        model = DisciplinaryRecord
        fields = ["person", "kind", "decided_on", "summary", "closed_on"]
        widgets = {"decided_on": DATE, "closed_on": DATE}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.restrict(actor, "view")
            .filter(membership__isnull=False)
            .select_related("unit")
        )


class CloseRecordForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label=_("影响期满日期"), widget=DATE)
