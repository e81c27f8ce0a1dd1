from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.forms import StyledFormMixin

from .models import Level
from .registry import BRACKETS, RuleDef
from .services import may_set_national, orgs_where


class RuleVersionForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("适用层级"), choices=Level.choices)
    party_org = forms.ModelChoiceField(
        label=_("制定组织"),
        queryset=PartyOrg.objects.none(),
        required=False,
        help_text=_("省级或本单位补充规定适用于该组织及其下级组织"),
    )
    value = forms.CharField(label=_("取值"), max_length=500)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source_document = forms.CharField(label=_("依据文件"), max_length=200)
    article = forms.CharField(label=_("条款"), max_length=50, required=False)
    reason = forms.CharField(
        label=_("修订说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, actor, definition: RuleDef, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_org"].queryset = orgs_where(actor).exclude(kind="group").order_by("path")
        if not may_set_national(actor):
            self.fields["level"].choices = [c for c in Level.choices if c[0] != Level.NATIONAL]
        if definition.kind == BRACKETS:
            self.fields["value"].widget = forms.Textarea(attrs={"rows": 4, "class": "form-control"})
            self.fields["value"].help_text = _("每行一档「上限:比例」，最后一档上限写 *")
        elif definition.unit:
            self.fields["value"].help_text = _("单位：%(unit)s") % {"unit": definition.unit}
        self.fields["effective_from"].initial = timezone.localdate()
        self.fields["source_document"].initial = definition.source
        self.fields["article"].initial = definition.article
