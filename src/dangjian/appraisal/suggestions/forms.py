from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.platform.forms import StyledFormMixin

from .guard import LIMITS
from .models import Suggestion


class PublicSuggestionForm(StyledFormMixin, forms.Form):
    """The public form. No max_length on the content field: an over-long message is refused
    by the service with its length named, never cut."""

    token = forms.CharField(widget=forms.HiddenInput)
    topic = forms.ChoiceField(label=_("类别"), choices=Suggestion.Topic.choices)
    content = forms.CharField(
        label=_("留言内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("不超过 %(n)s 字") % {"n": LIMITS["max_chars"]},
    )
    anonymous = forms.BooleanField(
        label=_("匿名留言（不留姓名和电话）"), required=False, initial=True
    )
    contact_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        help_text=_("仅支部可见，用于联系核实"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class TrackForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=16)


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    close = forms.BooleanField(label=_("答复后办结"), required=False)


class SuggestionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Suggestion.Status.choices]
    )
    topic = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Suggestion.Topic.choices]
    )
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    branch = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status", "topic"):
            self.fields[name].widget.attrs.update(
                {"class": "form-select", "aria-label": self.fields[name].label}
            )
        for name in ("since", "until"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control", "aria-label": self.fields[name].label}
            )
