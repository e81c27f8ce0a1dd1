from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.customers.models import RetailCustomer
from dangjian.customers.selectors import search_q
from dangjian.orgs.models import Unit
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField

from . import rules, selectors
from .models import Kind, Priority, SlaPolicy, Ticket, TicketCategory


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


ATTACHMENT_HELP = _("图片、PDF、Word、Excel或文本，每个不超过10MB，最多5个")


def _categories():
    return TicketCategory.objects.filter(is_active=True).order_by("order", "pk")


def search_customers(queryset, text):
    return queryset.filter(search_q(text)).order_by("licence_no")


def search_units(queryset, text):
    return queryset.filter(Q(name__contains=text) | Q(code=text)).order_by("path")


def customer_label(customer):
    return f"{customer.shop_name}（{customer.owner_name}，{customer.licence_no}）"


def clean_phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise forms.ValidationError(_("请填写有效的联系电话（7–12位数字）"))
    return phone


class TicketForm(StyledFormMixin, forms.Form):
    """Staff registering a ticket received at the window, on the phone, on WeChat or a visit."""

    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[
            (c.value, c.label)
            for c in (
                Ticket.Channel.WINDOW,
                Ticket.Channel.PHONE,
                Ticket.Channel.WECHAT,
                Ticket.Channel.VISIT,
            )
        ],
    )
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices)
    category = forms.ModelChoiceField(TicketCategory.objects.none(), label=_("诉求类别"))
    customer = SearchPickField(
        RetailCustomer.objects.none(),
        label=_("零售客户"),
        required=False,
        search=search_customers,
        suggest_url=reverse_lazy("tickets:suggest", args=["customer"]),
        placeholder=_("许可证号、店名、业主姓名或拼音"),
        label_for=customer_label,
    )
    unit = SearchPickField(
        Unit.objects.none(),
        label=_("受理单位"),
        required=False,
        search=search_units,
        suggest_url=reverse_lazy("tickets:suggest", args=["unit"]),
        placeholder=_("输入单位名称中的文字"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    subject = forms.CharField(label=_("标题"), max_length=rules.MAX_SUBJECT)
    text = forms.CharField(
        label=_("诉求内容"),
        max_length=rules.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("附件"), help_text=ATTACHMENT_HELP)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["customer"].queryset = RetailCustomer.objects.restrict(actor, "view")
        self.fields["customer"].help_text = _("选择客户后，受理单位和联系人可留空（自动带出）")
        units = selectors.units_for(actor, "add")
        self.fields["unit"].queryset = units
        only = list(units.order_by("depth", "path")[:2])
        if len(only) == 1:
            self.initial.setdefault("unit", only[0])

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data.get("contact_phone"))

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if customer is not None:
            data["contact_name"] = data.get("contact_name") or customer.owner_name
            data["contact_phone"] = data.get("contact_phone") or customer.phone or ""
        elif not data.get("contact_name"):
            self.add_error("contact_name", _("此项为必填项"))
        if customer is None and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", _("未选择客户时，请选择受理单位"))
        return data


class PublicTicketForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices)
    category = forms.ModelChoiceField(TicketCategory.objects.none(), label=_("诉求类别"))
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("向哪个单位反映"), empty_label=_("请选择县（市、区）局")
    )
    contact_name = forms.CharField(label=_("您的称呼"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    subject = forms.CharField(label=_("标题"), max_length=rules.MAX_SUBJECT)
    text = forms.CharField(
        label=_("具体内容"), max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("图片或材料"), help_text=ATTACHMENT_HELP)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["unit"].queryset = Unit.objects.filter(
            kind=Unit.Kind.BUREAU, is_active=True
        ).order_by("path")
        self.fields["contact_phone"].help_text = _("仅用于回复您，不会公开")

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data.get("contact_phone"))


class TransferForm(StyledFormMixin, forms.Form):
    to_user = SearchPickField(
        selectors.staff_candidates(),
        label=_("转给"),
        search=selectors.search_staff,
        suggest_url=reverse_lazy("tickets:suggest", args=["to_user"]),
        placeholder=_("输入姓名或账号"),
    )
    note = forms.CharField(
        label=_("转办说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = selectors.staff_candidates()


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("办理记录"),
        max_length=rules.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    public = forms.BooleanField(label=_("客户可见"), required=False)
    attachments = MultipleFileField(label=_("附件"), help_text=ATTACHMENT_HELP)


class ReasonForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolutionForm(StyledFormMixin, forms.Form):
    resolution = forms.CharField(
        label=_("办理结果"),
        max_length=rules.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(StyledFormMixin, forms.Form):
    into = forms.CharField(label=_("合并到工单编号"), max_length=20)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class FilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), ("open", _("未结案")), *Ticket.Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        TicketCategory.objects.none(), label=_("类别"), required=False, empty_label=_("全部类别")
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *Ticket.Channel.choices]
    )
    month = forms.CharField(
        label=_("月份"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    overdue = forms.BooleanField(label=_("仅超时"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.order_by("order", "pk")


class StatsFilterForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        TicketCategory.objects.none(), label=_("类别"), required=False, empty_label=_("全部类别")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this, this - 6, -1)]
        self.fields["category"].queryset = TicketCategory.objects.order_by("order", "pk")


class SupplementForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("补充内容"), max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class RatingForm(StyledFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 基本满意")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见和建议"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "form-check-input"


class CategoryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TicketCategory
        fields = ["name", "order", "is_active"]


class SlaPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "first_response_hours",
            "resolution_hours",
            "remind_before_hours",
            "max_transfers",
        ]
