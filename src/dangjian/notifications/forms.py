"""Preferences grid (kind × push channel, pause-all), group targets, message templates."""

from django import forms
from django.template import Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Unit
from dangjian.platform.forms import StyledFormMixin

from .models import ChannelName, MessageTemplate, NotificationTarget
from .selectors import channel_enabled, push_channels


class PreferencesForm(forms.Form):
    pause_all = forms.BooleanField(label=_("暂停全部推送（站内信照常接收）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefs = list(user.notification_preferences.all())
        self.channels = [(c, ChannelName(c).label) for c in push_channels()]
        self.kinds = list(MessageTemplate.objects.values_list("kind", "name"))
        self.fields["pause_all"].initial = any(
            p.kind == "" and p.channel == "" and not p.enabled for p in prefs
        )
        self.rows = []
        for kind, name in self.kinds:
            cells = []
            for channel, _label in self.channels:
                key = f"{kind}__{channel}"
                specific = [p for p in prefs if p.kind == kind and p.channel == channel]
                initial = (
                    specific[0].enabled
                    if specific
                    else channel_enabled([p for p in prefs if p.kind or p.channel], kind, channel)
                )
                self.fields[key] = forms.BooleanField(required=False, initial=initial)
                cells.append(key)
            self.rows.append((name, cells))

    def grid(self):
        """(kind name, [bound fields]) rows for the template."""
        return [(name, [self[key] for key in cells]) for name, cells in self.rows]

    def switches(self) -> dict:
        data = self.cleaned_data
        values = {}
        for kind, _name in self.kinds:
            for channel, _label in self.channels:
                values[(kind, channel)] = bool(data.get(f"{kind}__{channel}"))
        return {"switches": values, "pause_all": bool(data.get("pause_all"))}


class TargetForm(StyledFormMixin, forms.ModelForm):
    """A group address of a unit. The stored address is never shown back (it holds a key)."""

    address = forms.CharField(
        label=_("地址"),
        required=False,
        help_text=_("群机器人Webhook地址、邮箱或手机号；编辑时留空表示不修改"),
    )
    kinds = forms.MultipleChoiceField(
        label=_("接收的消息类型"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示接收全部类型"),
    )

    class Meta:
        model = NotificationTarget
        fields = ["name", "channel", "unit", "address", "kinds", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            (c.value, c.label) for c in ChannelName if c != ChannelName.INBOX
        ]
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "change")
        self.fields["kinds"].choices = list(MessageTemplate.objects.values_list("kind", "name"))
        self.fields["kinds"].widget.attrs["class"] = ""
        self.initial["address"] = ""

    def clean(self):
        data = super().clean()
        address = (data.get("address") or "").strip()
        if not address and not self.instance.pk:
            self.add_error("address", _("此项为必填项"))
        if (
            address
            and data.get("channel") == ChannelName.WECOM
            and not address.startswith(("http://", "https://"))
        ):
            self.add_error("address", _("群机器人地址必须以 http:// 或 https:// 开头"))
        if not address and self.instance.pk:
            # Keep the stored address: ModelForm would otherwise overwrite it with "".
            data["address"] = NotificationTarget.objects.get(pk=self.instance.pk).address
        return data


class MessageTemplateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "subject", "body"]
        help_texts = {
            "body": _("使用 {{ 变量名 }} 插入内容；缺少变量的消息不会发出，并在发送记录中标为失败")
        }

    def clean(self):
        data = super().clean()
        for name in ("subject", "body"):
            try:
                Engine().from_string(data.get(name) or "")
            except TemplateSyntaxError as exc:
                self.add_error(name, _("模板语法错误：%(error)s") % {"error": exc})
        return data


class ReminderForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(
        label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_at = forms.DateTimeField(
        label=_("发送时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    users = forms.ModelMultipleChoiceField(
        label=_("接收人"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    targets = forms.ModelMultipleChoiceField(
        label=_("接收群组"), queryset=NotificationTarget.objects.none(), required=False
    )
    urgent = forms.BooleanField(label=_("紧急（不受免打扰时段限制）"), required=False)

    def __init__(self, *args, actor, **kwargs):
        from django.contrib.auth import get_user_model

        from dangjian.people.models import Person

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "change")
        # People the office can see, through their login accounts.
        self.fields["users"].queryset = (
            get_user_model()
            .objects.filter(
                person__in=Person.objects.restrict(actor, "view").values("pk"), is_active=True
            )
            .order_by("username")
        )
        self.fields["targets"].queryset = NotificationTarget.objects.restrict(actor, "view")
