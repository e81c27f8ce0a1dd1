from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.platform.forms import StyledFormMixin

from .models import PartyOrg, Unit


class UnitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "code", "kind", "is_active"]


class PartyOrgForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PartyOrg
        fields = ["name", "code", "kind", "secretary_name", "established_on", "units", "is_active"]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}),
            "units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["units"].queryset = Unit.objects.restrict(actor, "view")


class MoveForm(StyledFormMixin, forms.Form):
    parent = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("新的上级"))

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = queryset
