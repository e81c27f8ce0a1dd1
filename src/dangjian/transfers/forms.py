import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.people.selectors import search_q
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField

from .models import MobileMember, Transfer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.CharField):
    """A year-month (``2026-10``) as the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        try:
            year, month = (int(p) for p in str(value).strip().split("-")[:2])
            return dt.date(year, month, 1)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(_("格式应为 年-月，如 2026-10")) from exc

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


def members_in_reach(actor):
    return (
        Person.objects.filter(
            membership__in=Membership.objects.restrict(actor, "change").values("pk")
        )
        .select_related("membership__branch")
        .order_by("name_pinyin")
    )


def branches_in_reach(actor):
    return (
        PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH).order_by("path")
    )


def receiving_branches():
    """Every active branch may receive a member: found by name, never listed whole."""
    return PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH, is_active=True).order_by("path")


def non_members_in_reach(actor):
    """People of the units the actor's branches cover (or whom he sees), not yet members."""
    return (
        Person.objects.filter(
            Q(pk__in=Person.objects.restrict(actor, "view").values("pk"))
            | Q(unit__party_orgs__in=branches_in_reach(actor).values("pk")),
            membership__isnull=True,
        )
        .distinct()
        .order_by("name_pinyin")
    )


def search_people(queryset, text):
    return queryset.filter(search_q(text))


def search_orgs(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text))


def person_label(obj) -> str:
    membership = getattr(obj, "membership", None)
    return f"{obj.name}（{membership.branch.name}）" if membership else obj.name


def member_picker(label, kind="member"):
    return SearchPickField(
        Person.objects.none(),
        label=label,
        search=search_people,
        suggest_url=reverse_lazy("transfers:suggest", args=[kind]),
        label_for=person_label,
    )


def branch_picker(label, kind, *, required=True, min_chars=1):
    return SearchPickField(
        PartyOrg.objects.none(),
        label=label,
        required=required,
        search=search_orgs,
        suggest_url=reverse_lazy("transfers:suggest", args=[kind]),
        placeholder=_("输入支部名称中的文字"),
        min_chars=min_chars,
    )


class TransferOutForm(StyledFormMixin, forms.Form):
    person = member_picker(_("党员"))
    # Two characters at least: a branch name is not handed out for a single keystroke.
    to_org = branch_picker(_("转入支部（系统内）"), "receiving_branch", required=False, min_chars=2)
    to_org_name = forms.CharField(label=_("转入组织名称（系统外）"), max_length=200, required=False)
    cross_province = forms.BooleanField(label=_("跨省转接"), required=False)
    reason = forms.ChoiceField(
        label=_("转接原因"), choices=[("", _("请选择")), *Transfer.Reason.choices]
    )
    reason_note = forms.CharField(label=_("原因说明"), max_length=200, required=False)
    away_from = forms.DateField(label=_("外出日期"), required=False, widget=DATE)
    away_until = forms.DateField(label=_("预计返回日期"), required=False, widget=DATE)
    dues_paid_through = MonthField(label=_("党费交至（年-月）"), required=False)
    issued_on = forms.DateField(label=_("开具日期"), widget=DATE)
    valid_months = forms.IntegerField(label=_("有效期（月）"), required=False, min_value=1)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members_in_reach(actor)
        self.fields["to_org"].queryset = receiving_branches()
        self.fields["to_org"].help_text = _(
            "搜索系统内的转入支部（至少输入两个字）；转往系统外时不选，在下栏填写组织名称"
        )
        self.fields["away_from"].help_text = _(
            "外出务工经商时填写：外出满6个月才转接，否则登记流动党员"
        )
        self.fields["dues_paid_through"].help_text = _("按党费台账自动带出，可修改")
        self.fields["valid_months"].help_text = _("留空取规定上限：省内3个月，跨省6个月")
        self.initial.setdefault("issued_on", timezone.localdate())


class TransferInForm(StyledFormMixin, forms.Form):
    person = member_picker(_("人员"), "non_member")
    to_org = branch_picker(_("转入支部"), "own_branch")
    from_org_name = forms.CharField(label=_("转出组织名称"), max_length=200)
    member_status = forms.ChoiceField(label=_("党员类别"), choices=Membership.Status.choices)
    joined_on = forms.DateField(label=_("入党日期"), widget=DATE)
    full_member_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)
    cross_province = forms.BooleanField(label=_("跨省转接"), required=False)
    reason = forms.ChoiceField(
        label=_("转接原因"), choices=[("", _("请选择")), *Transfer.Reason.choices]
    )
    reason_note = forms.CharField(label=_("原因说明"), max_length=200, required=False)
    dues_paid_through = MonthField(label=_("党费交至（年-月）"), required=False)
    issued_on = forms.DateField(label=_("介绍信开具日期"), widget=DATE)
    valid_months = forms.IntegerField(label=_("有效期（月）"), min_value=1, initial=3)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = branches_in_reach(actor)
        self.fields["person"].queryset = non_members_in_reach(actor)
        self.fields["person"].help_text = _("先在“人员与党员”中录入该人员（不填党员信息）")


class ReceiveForm(StyledFormMixin, forms.Form):
    received_on = forms.DateField(label=_("回执日期"), widget=DATE)
    receipt_note = forms.CharField(
        label=_("回执说明"), max_length=200, required=False, help_text=_("如回执编号、接收人")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", timezone.localdate())


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class TransferFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Transfer.Status.choices], required=False, label=_("状态")
    )
    direction = forms.ChoiceField(
        choices=[("", _("转入和转出")), ("out", _("转出")), ("in", _("转入"))],
        required=False,
        label=_("方向"),
    )
    overdue = forms.BooleanField(required=False, label=_("仅看逾期未回执"))
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))


class MobileForm(StyledFormMixin, forms.ModelForm):
    person = member_picker(_("党员"), "mobile_member")

    class Meta:
        model = MobileMember
        fields = [
            "person",
            "destination",
            "workplace",
            "since",
            "expected_return",
            "contact_phone",
            "contact_other",
        ]
        widgets = {"since": DATE, "expected_return": DATE, "contact_phone": forms.TextInput()}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members_in_reach(actor)
        self.fields["destination"].help_text = _("如：广东省深圳市龙岗区")
        self.fields["expected_return"].help_text = _("外出满6个月的应转接组织关系")


class MobileFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *MobileMember.Status.choices],
        required=False,
        label=_("状态"),
    )
    flagged = forms.BooleanField(required=False, label=_("仅看超期未转接"))


class MobileEndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("返回日期"), widget=DATE)
