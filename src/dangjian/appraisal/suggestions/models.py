"""意见箱 (suggestion box): the public writes to a branch, anonymously or with name and phone;
the branch answers and closes; the sender reads the answer through a tracking code.

A box's public page is reached through its non-guessable ``key`` (link and QR code), never
by the branch's id. Anonymous messages store nothing about the sender; named ones keep the
phone encrypted and show it masked (a reveal is logged).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg
from dangjian.platform.crypto import EncryptedTextField, mask_phone
from dangjian.platform.scoping import RestrictedManager, Scope

# Tracking codes avoid look-alike characters (0/O, 1/I/L) so they can be read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_box_key() -> str:
    return secrets.token_urlsafe(12)


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SuggestionBox(models.Model):
    """A branch's suggestion box: its public key and whether it takes messages."""

    branch = models.OneToOneField(
        PartyOrg, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=24, unique=True, default=new_box_key, editable=False)
    intro = models.CharField(
        _("公开页说明"),
        max_length=300,
        blank=True,
        default="",
    )
    is_open = models.BooleanField(_("接收留言"), default=True)
    created_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    history = HistoricalRecords()
    scope = Scope(party="branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("意见箱")
        verbose_name_plural = _("意见箱")

    def __str__(self) -> str:
        return str(_("%(branch)s意见箱") % {"branch": self.branch.name})


class Suggestion(models.Model):
    """One message to a branch's box. No row-level history: it would record the request's
    user on anonymous messages; the answer and closing carry their own who and when."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    class Topic(models.TextChoices):
        SERVICE = "service", _("服务意见")
        CONDUCT = "conduct", _("党员作风")
        ADVICE = "advice", _("工作建议")
        OTHER = "other", _("其他")

    PERSONAL_FIELDS = ("contact_phone",)

    box = models.ForeignKey(
        SuggestionBox, verbose_name=_("意见箱"), on_delete=models.CASCADE, related_name="messages"
    )
    code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    topic = models.CharField(_("类别"), max_length=10, choices=Topic.choices, default=Topic.ADVICE)
    content = models.TextField(_("留言内容"))
    is_anonymous = models.BooleanField(_("匿名"), default=True)
    contact_name = models.CharField(_("姓名"), max_length=50, blank=True, default="")
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # One-use token of the public form: a replayed form hits the unique constraint.
    form_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复"), blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    scope = Scope(party="box__branch")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        indexes = [
            models.Index(fields=["box", "status", "-submitted_at"], name="suggestion_box_status"),
            models.Index(fields=["-submitted_at"], name="suggestion_recent"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def sender_display(self) -> str:
        if self.is_anonymous:
            return str(_("匿名"))
        return self.contact_name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)
