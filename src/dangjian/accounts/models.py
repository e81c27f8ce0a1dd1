import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.platform.scoping import RestrictedManager, Scope

from .roles import Role


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held on one node of either tree; it reaches the node's subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    party_org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    history = HistoricalRecords()
    scope = Scope(unit="unit", party="party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=True) & models.Q(party_org__isnull=False))
                | (models.Q(unit__isnull=False) & models.Q(party_org__isnull=True)),
                name="grant_on_exactly_one_node",
            ),
            # The same role twice on the same node means nothing, and makes get_or_create
            # racy: the database keeps one.
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(unit__isnull=False),
                name="grant_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "party_org"],
                condition=models.Q(party_org__isnull=False),
                name="grant_once_per_party_org",
            ),
        ]

    def clean(self):
        if bool(self.unit_id) == bool(self.party_org_id):
            raise ValidationError(_("角色必须授予在一个单位或一个党组织上（二选一）"))

    @property
    def node(self):
        return self.unit or self.party_org

    def __str__(self):
        return f"{self.get_role_display()} @ {self.node}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, *, days: int = 30) -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            key_hash=cls.hash(key),
            expires_at=timezone.now() + timezone.timedelta(days=days),
        )
        return key
