from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.forms import StyledFormMixin

from .roles import Role
from .selectors import grantable_nodes, grantable_users


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败5次将锁定账号一小时。"),
        "inactive": _("该账号已停用。"),
    }


class GrantForm(StyledFormMixin, forms.Form):
    """Grant a role on one unit or one party organisation within the actor's own scope."""

    user = forms.ModelChoiceField(queryset=None, label=_("用户"))
    role = forms.ChoiceField(choices=Role.choices, label=_("角色"))
    unit = forms.ModelChoiceField(
        queryset=None, required=False, label=_("单位"), empty_label=_("（不选）")
    )
    party_org = forms.ModelChoiceField(
        queryset=None, required=False, label=_("党组织"), empty_label=_("（不选）")
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grantable_users()
        self.fields["user"].label_from_instance = lambda u: f"{u}（{u.username}）"
        self.fields["unit"].queryset = grantable_nodes(actor, Unit)
        self.fields["party_org"].queryset = grantable_nodes(actor, PartyOrg)
        self.fields["unit"].help_text = _("单位与党组织二选一")

    def clean(self):
        data = super().clean()
        if bool(data.get("unit")) == bool(data.get("party_org")):
            raise forms.ValidationError(_("请在“单位”和“党组织”中选择且只选择一个"))
        return data
