from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
