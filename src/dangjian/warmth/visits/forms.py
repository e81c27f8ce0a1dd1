from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.customers.selectors import search_q as customer_search_q
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Person
from dangjian.people.selectors import search_q as person_search_q
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField, SearchPickMultipleField

from . import selectors
from .models import Discussion, TailoredServiceType, VisitKind, VisitPhoto, VisitPlan
from .services import branches_in_reach

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CAMERA = {"accept": "image/*", "capture": "environment"}


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input (a phone opens its camera: ``capture=environment``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs=CAMERA))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleImageField, self).clean(f, initial) for f in files if f]


class MonthField(forms.CharField):
    """``YYYY-MM`` (an ``<input type=month>``) → the month's first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("格式应为 年-月，如 2026-10")) from exc


def customer_label(customer: RetailCustomer) -> str:
    return f"{customer.shop_name}（{customer.owner_name}，{customer.licence_no}）"


def search_customers(queryset, text):
    return queryset.filter(customer_search_q(text))


def search_people(queryset, text):
    return queryset.filter(person_search_q(text))


def search_units(queryset, text):
    return queryset.filter(name__contains=text)


def customer_picker():
    return SearchPickField(
        RetailCustomer.objects.none(),
        label=_("零售客户"),
        search=search_customers,
        suggest_url=reverse_lazy("visits:suggest", args=["customer"]),
        placeholder=_("店名、经营者、拼音首字母或许可证号"),
        label_for=customer_label,
    )


def unit_picker():
    return SearchPickField(
        Unit.objects.none(),
        label=_("单位"),
        required=False,
        search=search_units,
        suggest_url=reverse_lazy("visits:suggest", args=["unit"]),
        placeholder=_("输入县局或片区名称"),
        clear_label=_("全部单位"),
    )


class VisitForm(StyledFormMixin, forms.Form):
    """The one-screen quick entry (also the full form: the office may name the staff)."""

    customer = customer_picker()
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    kind = forms.ModelChoiceField(VisitKind.objects.none(), label=_("走访类型"), empty_label=None)
    service_type = forms.ModelChoiceField(
        TailoredServiceType.objects.none(),
        label=_("私人定制服务项目"),
        required=False,
        empty_label=_("（私人定制服务时选择）"),
    )
    notes = forms.CharField(
        label=_("服务内容与情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos_before = MultipleImageField(label=_("整改前照片"))
    photos_after = MultipleImageField(label=_("整改后照片"))
    follow_up_on = forms.DateField(label=_("跟进日期"), required=False, widget=DATE)
    follow_up = forms.CharField(label=_("跟进事项"), max_length=200, required=False)
    staff = SearchPickField(
        Person.objects.none(),
        label=_("服务人员"),
        search=search_people,
        suggest_url=reverse_lazy("visits:suggest", args=["staff"]),
    )

    def __init__(self, *args, actor=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = selectors.customers_in_reach(actor, "add")
        self.fields["kind"].queryset = selectors.active_kinds()
        self.fields["service_type"].queryset = selectors.active_service_types()
        self.fields["service_type"].label_from_instance = str
        staff = selectors.staff_in_reach(actor)
        self.fields["staff"].queryset = staff
        own = selectors.person_of(actor)
        if own is not None:
            self.fields["staff"].initial = own.pk
        # An account manager records his own visits: no staff picker to fill in.
        self.picks_staff = own is None or staff.exclude(pk=own.pk).exists()
        if not self.picks_staff:
            self.fields["staff"].widget = forms.HiddenInput()
        if editing:
            del self.fields["customer"]
            del self.fields["photos_before"]
            del self.fields["photos_after"]
        if not self.is_bound and "visited_on" not in self.initial:
            self.initial["visited_on"] = timezone.localdate()

    def photos(self) -> list:
        data = self.cleaned_data
        return [(VisitPhoto.Stage.BEFORE, f) for f in data.get("photos_before") or []] + [
            (VisitPhoto.Stage.AFTER, f) for f in data.get("photos_after") or []
        ]


class PhotoForm(StyledFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("照片类型"), choices=VisitPhoto.Stage.choices)
    photos = MultipleImageField(label=_("照片"), required=True)


class FollowUpDoneForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label=_("跟进结果"), max_length=200)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE, required=False)


class VisitFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(
        VisitKind.objects.all(), label=_("走访类型"), required=False, empty_label=_("全部类型")
    )
    month = MonthField(label=_("月份"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE)
    follow_up = forms.ChoiceField(
        label=_("跟进"),
        required=False,
        choices=[("", _("全部")), ("open", _("待跟进")), ("done", _("已跟进"))],
    )
    unit = unit_picker()

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_in_reach(actor)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


class DueFilterForm(StyledFormMixin, forms.Form):
    within_days = forms.IntegerField(
        label=_("未来几天内到期"), required=False, min_value=0, max_value=60
    )
    unit = unit_picker()
    manager = SearchPickField(
        Person.objects.none(),
        label=_("客户经理"),
        required=False,
        search=search_people,
        suggest_url=reverse_lazy("visits:suggest", args=["manager"]),
        clear_label=_("全部客户经理"),
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_in_reach(actor)
        self.fields["manager"].queryset = selectors.managers_in_reach(actor)


class VisitKindForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = VisitKind
        fields = ["code", "name", "is_tailored", "sort_order", "is_active"]


class ServiceTypeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TailoredServiceType
        fields = ["segment", "name", "description", "sort_order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class VisitPlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = VisitPlan
        fields = ["name", "tier_min", "tier_max", "segment", "every_days", "is_active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("不限群体")), *SEGMENTS.items()]


class CoverageForm(StyledFormMixin, forms.Form):
    segment = forms.ChoiceField(label=_("客户群体"), choices=list(SEGMENTS.items()))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    served = forms.ChoiceField(
        label=_("显示"),
        required=False,
        choices=[("", _("全部客户")), ("no", _("未服务")), ("yes", _("已服务"))],
    )


def participant_label(person: Person) -> str:
    return person.name


class DiscussionForm(StyledFormMixin, forms.Form):
    branch = SearchPickField(
        PartyOrg.objects.none(),
        label=_("党支部"),
        search=search_units,
        suggest_url=reverse_lazy("visits:suggest", args=["branch"]),
        placeholder=_("输入支部名称中的文字"),
    )
    held_on = forms.DateField(label=_("讨论日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    participants = SearchPickMultipleField(
        Person.objects.none(),
        label=_("参加人员"),
        required=False,
        search=search_people,
        suggest_url=reverse_lazy("visits:suggest", args=["participants"]),
        label_for=participant_label,
    )
    topics = forms.CharField(label=_("讨论议题"), widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(
        label=_("查摆的问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor=None, discussion: Discussion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = branches_in_reach(actor, "change" if discussion else "add")
        self.fields["branch"].queryset = branches
        self.fields["participants"].queryset = Person.objects.filter(
            membership__branch__in=branches
        )
        if discussion is not None:
            del self.fields["branch"]
            self.fields["participants"].queryset = Person.objects.filter(
                membership__branch=discussion.branch
            )
        if len(branches[:2]) == 1 and "branch" in self.fields and not self.is_bound:
            self.initial.setdefault("branch", branches[0].pk)
