"""Forms of the licence window. Forms only parse and scope their choices; the services check
the rules (and their messages name the field)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.pinyin_search import name_query
from dangjian.platform.search_pick import SearchPickField, SearchPickMultipleField

from . import selectors
from .models import (
    ApplicationKind,
    LicenceApplication,
    LicenceWindow,
    LocalMaterial,
    PriorityCategory,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _customer_search(qs, text):
    text = text.strip()
    if text.isdigit():
        return qs.filter(licence_no__startswith=text)
    return qs.filter(
        Q(shop_name__startswith=text)
        | name_query(text, "owner_name", "owner_pinyin", "owner_initials")
    )


def _person_search(qs, text):
    return qs.filter(name_query(text, "name", "name_pinyin", "name_initials"))


def _person_label(p: Person) -> str:
    return f"{p.name}（{p.post or p.unit.name}）"


def window_filter(clear_label=None) -> SearchPickField:
    """A filter on one window the user may see: a search box, not a <select> of every
    window (a thousand for a national office). Its queryset is set per form instance."""
    return SearchPickField(
        LicenceWindow.objects.none(),
        label=_("窗口"),
        required=False,
        search=selectors.search_windows,
        suggest_url=reverse_lazy("window:suggest", args=["window"]),
        placeholder=_("窗口或县局名称"),
        clear_label=clear_label or _("全部窗口"),
    )


class WindowFilterMixin:
    """Filter forms with a ``window`` picker over the windows ``actor`` may see."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = LicenceWindow.objects.restrict(actor, "view")


class ApplicationFilterForm(WindowFilterMixin, StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("申请类型"), required=False, choices=[("", _("全部类型")), *ApplicationKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *LicenceApplication.Status.choices],
    )
    window = window_filter()
    overdue = forms.BooleanField(label=_("已逾期"), required=False)
    deemed = forms.BooleanField(label=_("视为受理"), required=False)


class WorklistFilterForm(WindowFilterMixin, StyledFormMixin, forms.Form):
    window = window_filter()


class ReceiveForm(StyledFormMixin, forms.Form):
    window = forms.ModelChoiceField(label=_("受理窗口"), queryset=LicenceWindow.objects.none())
    kind = forms.ChoiceField(label=_("申请类型"), choices=ApplicationKind.choices)
    customer = SearchPickField(
        RetailCustomer.objects.none(),
        label=_("已持证零售客户"),
        required=False,
        search=_customer_search,
        suggest_url=reverse_lazy("window:suggest", args=["customer"]),
        placeholder=_("许可证号、店名或经营者"),
        label_for=lambda c: f"{c.shop_name}（{c.licence_no}，{c.owner_name}）",
        help_text=_("延续、变更、歇业、停业须选择；新办不选"),
    )
    shop_name = forms.CharField(label=_("店名"), max_length=100, required=False)
    shop_address = forms.CharField(label=_("经营地址"), max_length=200, required=False)
    applicant_name = forms.CharField(label=_("申请人"), max_length=50)
    applicant_id_number = forms.CharField(label=_("身份证号"), max_length=18)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    by_agent = forms.BooleanField(label=_("委托代理人申请"), required=False)
    agent_name = forms.CharField(label=_("代理人"), max_length=50, required=False)
    has_business_licence = forms.BooleanField(label=_("已办理营业执照"), required=False)
    priority_category = forms.ChoiceField(
        label=_("优先照顾"), choices=PriorityCategory.choices, required=False
    )
    request_summary = forms.CharField(label=_("申请事项说明"), max_length=300, required=False)
    received_on = forms.DateField(label=_("接收日期"), widget=DATE)

    def __init__(self, *args, actor=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        windows = LicenceWindow.objects.restrict(actor, "view").filter(is_active=True)
        self.fields["window"].queryset = windows
        if windows.count() == 1:
            self.fields["window"].initial = windows.first()
        self.fields["customer"].queryset = (
            RetailCustomer.objects.restrict(actor, "view")
            .filter(is_active=True)
            .order_by("licence_no")
        )


class MaterialsForm(forms.Form):
    """One checkbox and one note per checklist line (built from the application)."""

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for material in application.materials.all():
            box = f"m_{material.code}"
            note = f"n_{material.code}"
            self.fields[box] = forms.BooleanField(
                label=material.name, required=False, initial=material.provided
            )
            self.fields[box].widget.attrs["class"] = "form-check-input"
            self.fields[note] = forms.CharField(
                label=_("说明"), required=False, max_length=200, initial=material.note
            )
            self.fields[note].widget.attrs.update(
                {
                    "class": "form-control form-control-sm",
                    "placeholder": _("缺失或不符的原因（可选）"),
                }
            )
            self.lines.append((material, self[box], self[note]))

    def provided(self) -> set[str]:
        return {
            name[2:] for name, value in self.cleaned_data.items() if name.startswith("m_") and value
        }

    def notes(self) -> dict[str, str]:
        return {
            name[2:]: value or ""
            for name, value in self.cleaned_data.items()
            if name.startswith("n_")
        }


class RequestChangeForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("变更内容"), max_length=300)
    kind = forms.ChoiceField(
        label=_("变更后的申请类型"),
        required=False,
        choices=[("", _("不变")), *ApplicationKind.choices],
    )
    changed_on = forms.DateField(label=_("变更日期"), widget=DATE)


class InspectionForm(StyledFormMixin, forms.Form):
    inspected_on = forms.DateField(label=_("核查日期"), widget=DATE)
    staff = SearchPickMultipleField(
        Person.objects.none(),
        label=_("核查人员（不少于2名）"),
        search=_person_search,
        label_for=_person_label,
    )
    findings = forms.CharField(label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    passed = forms.BooleanField(label=_("核查结论：符合条件"), required=False, initial=True)

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The bureau's staff (names and posts only): whoever works the application may pick.
        self.fields["staff"].queryset = (
            Person.objects.filter(
                unit__path__startswith=application.unit.path, left_on__isnull=True
            )
            .select_related("unit")
            .order_by("name_pinyin", "pk")
        )
        self.fields["staff"].suggest_url = reverse_lazy(
            "window:suggest_staff", args=[application.pk]
        )


class ReviewForm(StyledFormMixin, forms.Form):
    review_opinion = forms.CharField(label=_("审核意见"), max_length=300)
    reviewed_on = forms.DateField(label=_("审核日期"), widget=DATE)


class ExtendForm(StyledFormMixin, forms.Form):
    extension_approved_by = forms.CharField(label=_("批准延期的负责人"), max_length=50)
    extension_reason = forms.CharField(label=_("延期理由"), max_length=200)


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("许可决定"), choices=LicenceApplication.Decision.choices, widget=forms.RadioSelect
    )
    decision_reason = forms.CharField(
        label=_("决定理由（不予许可的必填）"), max_length=300, required=False
    )
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class DeliverForm(StyledFormMixin, forms.Form):
    delivered_on = forms.DateField(label=_("送达日期"), widget=DATE)
    delivery_method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[
            ("窗口领取", _("窗口领取")),
            ("上门送达", _("上门送达")),
            ("邮寄送达", _("邮寄送达")),
        ],
    )


class WindowForm(StyledFormMixin, forms.ModelForm):
    staff = SearchPickMultipleField(
        Person.objects.none(),
        label=_("窗口人员"),
        required=False,
        search=_person_search,
        label_for=_person_label,
    )
    benchmark = SearchPickField(
        Person.objects.none(),
        label=_("党员服务标杆"),
        required=False,
        search=_person_search,
        label_for=_person_label,
        help_text=_("须为本窗口的工作人员、党员"),
    )

    class Meta:
        model = LicenceWindow
        fields = [
            "unit",
            "name",
            "address",
            "phone",
            "opening_hours",
            "staff",
            "benchmark",
            "is_active",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "view").filter(
            kind=Unit.Kind.BUREAU
        )
        people = (
            Person.objects.restrict(actor, "view")
            .filter(left_on__isnull=True)
            .select_related("unit")
            .order_by("name_pinyin", "pk")
        )
        self.fields["staff"].queryset = people
        self.fields["benchmark"].queryset = people.filter(membership__isnull=False)
        self.fields["staff"].suggest_url = reverse_lazy("window:suggest", args=["staff"])
        self.fields["benchmark"].suggest_url = reverse_lazy("window:suggest", args=["benchmark"])


class LocalMaterialForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LocalMaterial
        fields = ["unit", "name", "reason", "kind", "priority_category", "is_active"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "view").filter(
            kind__in=[Unit.Kind.BUREAU, Unit.Kind.COMPANY]
        )


class ExpiringFilterForm(WindowFilterMixin, StyledFormMixin, forms.Form):
    window = window_filter(clear_label=_("全部"))
