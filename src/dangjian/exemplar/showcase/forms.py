from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.forms import StyledFormMixin

from .models import Commitment, MemberCard

YES_NO = [("", _("全部")), ("yes", _("是")), ("no", _("否"))]
PAGE_SIZES = [("A6", _("A6（105×148毫米）")), ("A5", _("A5（148×210毫米）"))]


class CardFilterForm(StyledFormMixin, forms.Form):
    badge = forms.ChoiceField(
        label=_("党员示范岗"),
        required=False,
        choices=[("", _("示范岗：全部")), ("yes", _("示范岗")), ("no", _("非示范岗"))],
    )
    published = forms.ChoiceField(
        label=_("公开"),
        required=False,
        choices=[("", _("公开：全部")), ("yes", _("已公开")), ("no", _("未公开"))],
    )


class CardForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MemberCard
        fields = ["is_model_post", "model_post_name", "department", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_post_name"].help_text = _("如：文明服务示范岗、专卖执法示范岗")
        self.fields["is_published"].help_text = _(
            "公开后，任何人可通过二维码或链接查看此卡（不显示电话、身份证号、出生日期）"
        )


class CommitmentForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("承诺内容"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一条承诺，如：全年走访零售客户不少于300户"),
    )


class ReviewForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("践诺情况"), choices=[("", _("请选择")), *Commitment.Result.choices]
    )
    evidence = forms.CharField(
        label=_("践诺情况说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明事实依据，可另附照片或文件"),
    )


class FileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("佐证文件"))


class PrintForm(StyledFormMixin, forms.Form):
    branch = forms.ModelChoiceField(label=_("党支部"), queryset=PartyOrg.objects.none())
    size = forms.ChoiceField(label=_("尺寸"), choices=PAGE_SIZES, initial="A6")

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches


class EnsureForm(StyledFormMixin, forms.Form):
    branch = forms.ModelChoiceField(label=_("党支部"), queryset=PartyOrg.objects.none())

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches
