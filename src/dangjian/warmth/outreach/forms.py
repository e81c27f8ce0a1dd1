from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField, SearchPickMultipleField
from dangjian.warmth.window.models import LicenceWindow
from dangjian.warmth.window.selectors import search_windows

from .models import (
    AreaGroup,
    AreaGroupOwner,
    BroadcastKind,
    GreetingOccasion,
    HomeService,
    OffDayBooking,
    SendStatus,
)
from .services import home_service_staff


def search_units(queryset, text):
    return queryset.filter(Q(name__contains=text) | Q(code=text)).order_by("path")


def search_customers(queryset, text):
    q = Q(shop_name__startswith=text) | Q(owner_name__startswith=text)
    if text.isdigit():
        q |= Q(licence_no__startswith=text)
    elif text.isascii():
        q |= Q(owner_initials__startswith=text.lower())
    return queryset.filter(q).order_by("licence_no")


def search_people(queryset, text):
    q = Q(name__startswith=text)
    if text.isascii():
        q |= Q(name_initials__startswith=text.lower()) | Q(name_pinyin__startswith=text.lower())
    return queryset.filter(q).order_by("name_pinyin", "pk")


def _customer_label(c: RetailCustomer) -> str:
    return f"{c.shop_name}（{c.owner_name}，{c.licence_no}）"


def _person_label(p: Person) -> str:
    return f"{p.name}（{p.post or p.unit.name}）"


def group_units(actor):
    return Unit.objects.restrict(actor, "view").filter(
        kind__in=(Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA)
    )


class GroupForm(StyledFormMixin, forms.ModelForm):
    unit = SearchPickField(
        Unit.objects.none(),
        label=_("所属片区/县局"),
        search=search_units,
        suggest_url=reverse_lazy("outreach:suggest", args=["unit"]),
        placeholder=_("片区或县局名称"),
    )
    robot_webhook = forms.CharField(
        label=_("企业微信群机器人地址"),
        required=False,
        max_length=500,
        help_text=_("群设置 → 群机器人 → 复制 Webhook 地址；留空表示不通过群机器人发送"),
    )

    class Meta:
        model = AreaGroup
        fields = ["name", "unit", "description", "robot_webhook", "is_active"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = group_units(actor)
        if self.instance.pk and self.instance.robot_webhook:
            self.fields["robot_webhook"].help_text = _("已设置（出于安全不显示）；留空则保持不变")
            self.initial["robot_webhook"] = ""

    def clean_robot_webhook(self):
        value = self.cleaned_data["robot_webhook"].strip()
        if not value and self.instance.pk:
            return self.instance.robot_webhook or ""
        return value


class MembersAddForm(StyledFormMixin, forms.Form):
    area = SearchPickField(
        Unit.objects.none(),
        label=_("按片区加入"),
        required=False,
        search=search_units,
        suggest_url=reverse_lazy("outreach:suggest", args=["area"]),
        placeholder=_("片区名称"),
        clear_label=_("不按片区"),
    )
    segment = forms.ChoiceField(
        label=_("按客户群体"), required=False, choices=[("", _("全部群体")), *SEGMENTS.items()]
    )
    customers = SearchPickMultipleField(
        RetailCustomer.objects.none(),
        label=_("或选择具体客户"),
        required=False,
        search=search_customers,
        suggest_url=reverse_lazy("outreach:suggest", args=["customers"]),
        placeholder=_("店名、经营者、许可证号或首字母"),
        label_for=_customer_label,
    )
    with_owners = forms.BooleanField(
        label=_("同时把这些客户的客户经理、稽查员、送货员设为群管理员"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, actor=None, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = group_units(actor)
        customers = RetailCustomer.objects.restrict(actor, "view").filter(is_active=True)
        if group is not None:
            areas = areas.filter(path__startswith=group.unit.path)
            customers = customers.filter(unit__path__startswith=group.unit.path)
        self.fields["area"].queryset = areas
        self.fields["customers"].queryset = customers


class OwnerForm(StyledFormMixin, forms.Form):
    person = SearchPickField(
        Person.objects.none(),
        label=_("人员"),
        search=search_people,
        suggest_url=reverse_lazy("outreach:suggest", args=["person"]),
        label_for=_person_label,
    )
    role = forms.ChoiceField(label=_("职责"), choices=AreaGroupOwner.Role.choices)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = home_service_staff(actor).select_related("unit")


class BroadcastForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(BroadcastKind.objects.none(), label=_("类型"))
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(
        label=_("内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = BroadcastKind.objects.filter(is_active=True)
        self.fields["content"].help_text = _("短信按70字一条计费，请尽量简洁")


class BroadcastFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(
        BroadcastKind.objects.all(), label=_("类型"), required=False, empty_label=_("全部类型")
    )


class DeliveryFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SendStatus.choices]
    )
    channel = forms.ChoiceField(label=_("渠道"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.notifications.models import ChannelName

        self.fields["channel"].choices = [("", _("全部渠道")), *ChannelName.choices]


class TemplateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = GreetingOccasion
        fields = ["name", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


class KindForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BroadcastKind
        fields = ["name", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


class OptOutForm(StyledFormMixin, forms.Form):
    customer = SearchPickField(
        RetailCustomer.objects.none(),
        label=_("客户"),
        search=search_customers,
        suggest_url=reverse_lazy("outreach:suggest", args=["customer"]),
        placeholder=_("店名、经营者、许可证号或首字母"),
        label_for=_customer_label,
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = RetailCustomer.objects.restrict(actor, "change")


class GreetingFilterForm(StyledFormMixin, forms.Form):
    occasion = forms.ModelChoiceField(
        GreetingOccasion.objects.all(), label=_("场合"), required=False, empty_label=_("全部场合")
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SendStatus.choices]
    )


# -- 上门服务 ----------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class HomeServiceForm(StyledFormMixin, forms.ModelForm):
    customer = SearchPickField(
        RetailCustomer.objects.none(),
        label=_("客户"),
        search=search_customers,
        suggest_url=reverse_lazy("outreach:suggest", args=["customer"]),
        placeholder=_("店名、经营者、许可证号或首字母"),
        label_for=_customer_label,
    )
    staff = SearchPickMultipleField(
        Person.objects.none(),
        label=_("上门人员（至少2名）"),
        search=search_people,
        suggest_url=reverse_lazy("outreach:suggest", args=["staff"]),
        label_for=_person_label,
    )
    scheduled_at = forms.DateTimeField(
        label=_("上门时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )

    class Meta:
        model = HomeService
        fields = [
            "customer",
            "kind",
            "request_note",
            "scheduled_at",
            "staff",
            "address",
            "override_reason",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = RetailCustomer.objects.restrict(actor, "view")
        self.fields["staff"].queryset = home_service_staff(actor).select_related("unit")
        self.fields["address"].required = False
        self.fields["address"].help_text = _("留空则为客户的经营地址")
        self.fields["override_reason"].help_text = _(
            "客户无高龄、残疾、伤病等情况时必填，否则不予安排上门"
        )
        if not self.is_bound and not self.instance.pk:
            start = timezone.localtime() + dt.timedelta(days=1)
            self.initial.setdefault("scheduled_at", start.replace(hour=9, minute=0, second=0))


class RescheduleForm(StyledFormMixin, forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("上门时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    staff = SearchPickMultipleField(
        Person.objects.none(),
        label=_("上门人员（至少2名）"),
        search=search_people,
        suggest_url=reverse_lazy("outreach:suggest", args=["staff"]),
        label_for=_person_label,
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = home_service_staff(actor).select_related("unit")


class RecordForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=HomeService.Outcome.choices)
    outcome_note = forms.CharField(label=_("结果说明"), max_length=500, required=False)


class CancelForm(StyledFormMixin, forms.Form):
    cancel_reason = forms.CharField(label=_("取消原因"), max_length=200)


class HomeFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *HomeService.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("服务类型"),
        required=False,
        choices=[("", _("全部类型")), *HomeService.Kind.choices],
    )


# -- 节假日值班与预约 ------------------------------------------------------------------------

SLOT_ROWS = 4


class RosterFilterForm(StyledFormMixin, forms.Form):
    # A search box, not a <select>: a national office sees a thousand windows.
    window = SearchPickField(
        LicenceWindow.objects.none(),
        label=_("办证窗口"),
        required=False,
        search=search_windows,
        suggest_url=reverse_lazy("outreach:suggest", args=["window"]),
        placeholder=_("窗口或县局名称"),
        clear_label=_("全部窗口"),
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = LicenceWindow.objects.restrict(actor, "view").filter(
            is_active=True
        )


class RosterForm(StyledFormMixin, forms.Form):
    window = forms.ModelChoiceField(LicenceWindow.objects.none(), label=_("办证窗口"))
    date = forms.DateField(label=_("值班日期"), widget=forms.DateInput(attrs={"type": "date"}))
    staff = SearchPickMultipleField(
        Person.objects.none(),
        label=_("值班人员"),
        search=search_people,
        suggest_url=reverse_lazy("outreach:suggest", args=["staff"]),
        label_for=_person_label,
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = LicenceWindow.objects.restrict(actor, "view").filter(
            is_active=True
        )
        self.fields["staff"].queryset = home_service_staff(actor).select_related("unit")
        for i in range(SLOT_ROWS):
            self.fields[f"slot{i}_start"] = forms.TimeField(
                label=_("时段%(n)s 开始") % {"n": i + 1},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"slot{i}_end"] = forms.TimeField(
                label=_("时段%(n)s 结束") % {"n": i + 1},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"slot{i}_capacity"] = forms.IntegerField(
                label=_("时段%(n)s 人数") % {"n": i + 1}, required=False, min_value=1, max_value=200
            )
            for suffix in ("start", "end", "capacity"):
                self.fields[f"slot{i}_{suffix}"].widget.attrs["class"] = "form-control"

    def slot_rows(self):
        return [
            (self[f"slot{i}_start"], self[f"slot{i}_end"], self[f"slot{i}_capacity"])
            for i in range(SLOT_ROWS)
        ]

    def clean(self):
        data = super().clean()
        slots = []
        for i in range(SLOT_ROWS):
            start, end, capacity = (data.get(f"slot{i}_{s}") for s in ("start", "end", "capacity"))
            if start is None and end is None and capacity is None:
                continue
            if start is None or end is None or capacity is None:
                self.add_error(
                    f"slot{i}_start", _("时段%(n)s：开始、结束时间和人数都要填写") % {"n": i + 1}
                )
                continue
            slots.append((start, end, capacity))
        data["slots"] = slots
        return data


class BookingForm(StyledFormMixin, forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    licence_no = forms.CharField(
        label=_("许可证号（选填）"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    purpose = forms.ChoiceField(label=_("办理事项"), choices=OffDayBooking.Purpose.choices)
    note = forms.CharField(label=_("说明（选填）"), max_length=200, required=False)


class BookingCancelForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("预约码"), max_length=8, min_length=8)
    phone_tail = forms.CharField(
        label=_("手机号后四位"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
