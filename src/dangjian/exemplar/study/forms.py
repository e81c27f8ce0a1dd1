from django import forms
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.forms import StyledFormMixin

from .models import MAX_REFLECTION_CHARS, Reflection, StudyKind

# The form accepts more than the limit so that the service refuses it with the count.
_TEXT_LIMIT_SLACK = MAX_REFLECTION_CHARS * 20


class SelfStudyForm(StyledFormMixin, forms.Form):
    studied_on = forms.DateField(
        label=_("学习日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ModelChoiceField(
        StudyKind.objects.none(), label=_("学习形式"), empty_label=_("请选择")
    )
    topic = forms.CharField(label=_("学习内容"), max_length=400)
    hours = forms.DecimalField(label=_("学时"), max_digits=4, decimal_places=1, min_value=0)
    attachment = forms.FileField(label=_("附件（可选）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = StudyKind.objects.filter(is_active=True).exclude(
            code="collective"
        )
        self.fields["kind"].label_from_instance = lambda k: (
            _("%(name)s（每学时%(p)s分）")
            % {
                "name": k.name,
                "p": k.points_per_hour.normalize(),
            }
        )
        self.fields["hours"].help_text = _("0.5至12，以0.5为单位；确认后计入学时和积分")
        self.fields["topic"].widget.attrs["placeholder"] = _("如：《习近平谈治国理政》第四卷")
        self.fields["attachment"].help_text = _("学习笔记、结业证书截图等，10MB以内")
        self.initial.setdefault("studied_on", timezone.localdate())


class ReviewSelfStudyForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("意见"), max_length=500, required=False)


class ReflectionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=400)
    text = forms.CharField(
        label=_("正文"),
        max_length=_TEXT_LIMIT_SLACK,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    meeting = forms.ModelChoiceField(
        queryset=None, label=_("关联会议（可选）"), required=False, empty_label=_("不关联")
    )

    def __init__(self, *args, meetings=None, revising=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "纯文本，不超过%(n)s字；提交后将与平台内所有已提交的心得体会比对查重"
        ) % {"n": MAX_REFLECTION_CHARS}
        if revising or meetings is None:
            del self.fields["meeting"]
        else:
            self.fields["meeting"].queryset = meetings
            self.fields["meeting"].label_from_instance = lambda m: (
                f"{m.held_on:%Y-%m-%d} {m.get_kind_display()} {m.topic}"[:80]
            )


class ReviewReflectionForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("审阅意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReflectionFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Reflection.Status.choices], required=False, label=_("状态")
    )
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))
    flagged = forms.BooleanField(required=False, label=_("只看疑似抄袭"))
    branch = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(), required=False, label=_("支部"), empty_label=_("全部")
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["placeholder"] = _("年度")
        # The top levels of the actor's reach only (a national office would list thousands).
        orgs = PartyOrg.objects.restrict(actor, "view").exclude(kind=PartyOrg.Kind.GROUP)
        top = orgs.aggregate(top=Min("depth"))["top"] or 1
        self.fields["branch"].queryset = orgs.filter(depth__lte=top + 1).order_by("path")
