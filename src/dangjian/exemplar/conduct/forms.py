from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin

from .models import ProblemCategory, Rectification, SelfInspection

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectionFilterForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *SelfInspection.Status.choices],
        required=False,
        label=_("状态"),
    )


class MeasureFilterForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Rectification.Status.choices],
        required=False,
        label=_("状态"),
    )
    overdue = forms.BooleanField(required=False, label=_("仅看逾期"))


class YearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))


class StartForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    person = forms.IntegerField(required=False)


def branch_members(branch_id):
    return Person.objects.filter(membership__branch=branch_id).order_by("name_pinyin")


class MeasureForm(StyledFormMixin, forms.Form):
    measure = forms.CharField(
        label=_("整改措施"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=Person.objects.none())
    deadline = forms.DateField(label=_("整改期限"), widget=DATE)

    def __init__(self, *args, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspection is not None:
            self.fields["owner"].queryset = branch_members(inspection.branch_id)
            self.initial.setdefault("owner", inspection.person_id)
        self.initial.setdefault("deadline", timezone.localdate() + timezone.timedelta(days=30))


class ProblemForm(MeasureForm):
    category = forms.ModelChoiceField(
        label=_("问题类别"), queryset=ProblemCategory.objects.filter(is_active=True)
    )
    description = forms.CharField(
        label=_("查摆的问题"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["category", "description", "measure", "owner", "deadline"]


class SubmitForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("自查总体情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("对照党员标准，简述一年来的表现和查摆出的主要问题"),
    )


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("支部审阅意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompleteForm(StyledFormMixin, forms.Form):
    evidence = forms.CharField(
        label=_("整改佐证"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明做了什么、效果如何，可另附照片或文件"),
    )


class CloseForm(StyledFormMixin, forms.Form):
    evidence = forms.CharField(
        label=_("销号说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("已有整改佐证时可不填"),
    )
