from django import forms
from django.db.models import Min, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField, SearchPickMultipleField

from .models import Notice, Objection
from .services import RESULTS_FOR_KIND


def _orgs_for(actor):
    return PartyOrg.objects.restrict(actor, "view").exclude(kind=PartyOrg.Kind.GROUP)


def audience_candidates(actor, notice=None):
    """The organisations ``actor`` sees (and those the notice already addresses, so that
    editing keeps them): found by name, never listed whole."""
    candidates = Q(pk__in=_orgs_for(actor).filter(is_active=True).values("pk"))
    if notice is not None and notice.pk:
        candidates |= Q(pk__in=notice.audience_orgs.values("pk"))
    return PartyOrg.objects.exclude(kind=PartyOrg.Kind.GROUP).filter(candidates)


def search_orgs(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text)).order_by("path")


class NoticeForm(StyledFormMixin, forms.ModelForm):
    issuing_org = SearchPickField(
        PartyOrg.objects.none(),
        label=_("发布组织"),
        search=search_orgs,
        suggest_url=reverse_lazy("disclosure:suggest", args=["issuing_org"]),
        placeholder=_("输入组织名称中的文字"),
    )
    audience_orgs = SearchPickMultipleField(
        PartyOrg.objects.none(),
        label=_("指定组织"),
        required=False,
        search=search_orgs,
        suggest_url=reverse_lazy("disclosure:suggest", args=["audience_orgs"]),
        placeholder=_("输入组织名称中的文字"),
    )

    class Meta:
        model = Notice
        fields = [
            "kind",
            "title",
            "issuing_org",
            "content",
            "audience",
            "audience_orgs",
            "starts_on",
            "working_days",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 12}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = _orgs_for(actor).order_by("path")
        self.fields["issuing_org"].queryset = orgs
        self.fields["audience_orgs"].queryset = audience_candidates(actor, self.instance)
        self.fields["audience_orgs"].help_text = _("公开范围为“指定组织”时选择，含其下级组织")
        self.fields["content"].help_text = _("纯文本，空行分段；不支持HTML")
        self.fields["working_days"].help_text = _(
            "按工作日计算（含开始日），任前公示不少于5个工作日"
        )
        if not self.instance.pk:
            self.initial.setdefault("starts_on", timezone.localdate())
            only = list(orgs[:2])
            if len(only) == 1 and not self.initial.get("issuing_org"):
                self.initial["issuing_org"] = only[0]


class NoticeFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[("", _("全部类别")), *Notice.Kind.choices], required=False, label=_("类别")
    )
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Notice.Status.choices], required=False, label=_("状态")
    )
    org = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(),
        required=False,
        label=_("发布组织"),
        empty_label=_("全部组织"),
    )
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = _orgs_for(actor)
        top = orgs.aggregate(top=Min("depth"))["top"] or 1
        self.fields["org"].queryset = orgs.filter(depth__lte=top + 2).order_by("path")
        self.fields["year"].widget.attrs["placeholder"] = _("年度")


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("附件"))


class CloseForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(label=_("公示结果"))
    note = forms.CharField(
        label=_("结果说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Notice.Result.choices)
        self.fields["result"].choices = [
            ("", _("请选择")),
            *((r, labels[r]) for r in RESULTS_FOR_KIND[notice.kind]),
        ]


class ObjectionForm(StyledFormMixin, forms.Form):
    content = forms.CharField(
        label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    anonymous = forms.BooleanField(label=_("匿名提交（不记录提交人）"), required=False)


class PublicObjectionForm(ObjectionForm):
    contact_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].help_text = _("实名反映时填写，仅公示组织可见")
        self.fields["contact_phone"].help_text = _("实名反映时填写，仅用于核实联系")


class AnswerForm(StyledFormMixin, forms.Form):
    finding = forms.ChoiceField(
        label=_("核实结论"), choices=[("", _("请选择")), *Objection.Finding.choices]
    )
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))
