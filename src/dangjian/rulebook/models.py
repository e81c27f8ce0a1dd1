"""Versions of the rules: newer national values and stricter local supplements.

A rule is never edited in place: each change is a new row with its effective date, source and
reason, so "which rule applied on 2025-03-01" always has an answer. Built-in national values
live in ``registry.RULES``; rows here override or supplement them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.platform.scoping import RestrictedManager, Scope


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    LOCAL = "local", _("本单位")


class Rule(models.Model):
    key = models.CharField(_("规则"), max_length=80, db_index=True)
    value = models.JSONField(_("取值"), null=True)
    level = models.CharField(_("适用层级"), max_length=12, choices=Level.choices)
    # The party organisation that issued a provincial or local supplement; it applies to
    # that organisation's subtree. Empty for national rules.
    party_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("制定组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
    )
    effective_from = models.DateField(_("生效日期"))
    source_document = models.CharField(_("依据文件"), max_length=200)
    article = models.CharField(_("条款"), max_length=50, blank=True)
    reason = models.CharField(_("修订说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = Scope(party="party_org")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("制度规则")
        verbose_name_plural = _("制度规则")
        ordering = ["key", "-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="national", party_org__isnull=True)
                | (~models.Q(level="national") & models.Q(party_org__isnull=False)),
                name="rule_level_matches_org",
            )
        ]

    def __str__(self):
        return f"{self.key} = {self.value} ({self.effective_from})"
