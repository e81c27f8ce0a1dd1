"""The two hierarchies: administrative units and party organisations.

Both are materialized-path trees (django-treebeard): a subtree is one indexed
``path LIKE 'prefix%'`` query. A party branch is linked to the units it covers.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.platform.scoping import RestrictedQuerySet, Scope


class TreeQuerySet(MP_NodeQuerySet, RestrictedQuerySet):
    pass


class TreeManager(MP_NodeManager):
    def get_queryset(self):
        return TreeQuerySet(self.model).order_by("path")

    def restrict(self, user, action: str = "view"):
        return self.get_queryset().restrict(user, action)


class TreeNode(MP_Node):
    """Shared behaviour of both trees."""

    steplen = 4
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = TreeManager()

    # Which kinds may sit under which: {child kind: allowed parent kinds (None = root)}.
    PARENT_KINDS: dict = {}

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def subtree_ids(self):
        return type(self).objects.filter(path__startswith=self.path).values("pk")

    def clean_kind_under(self, parent) -> None:
        allowed = self.PARENT_KINDS.get(self.kind, ())
        parent_kind = parent.kind if parent is not None else None
        if parent_kind not in allowed:
            names = dict(self.Kind.choices)
            raise ValidationError(
                {
                    "kind": _("“%(kind)s”不能放在“%(parent)s”之下")
                    % {"kind": names[self.kind], "parent": names.get(parent_kind, _("顶层"))}
                }
            )


class Unit(TreeNode):
    """市公司 → 县局(营销部)/部门 → 片区."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("市公司")
        BUREAU = "bureau", _("县局(营销部)")
        DEPARTMENT = "department", _("部门")
        MARKET_AREA = "market_area", _("片区")

    PARENT_KINDS = {
        "company": (None, "company"),
        "bureau": ("company",),
        "department": ("company", "bureau"),
        "market_area": ("bureau",),
    }

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    history = HistoricalRecords(excluded_fields=["numchild"])
    scope = Scope(unit="pk", party="party_orgs")

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")


class PartyOrg(TreeNode):
    """党委 → 党总支 → 党支部 → 党小组."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    PARENT_KINDS = {
        "committee": (None, "committee"),
        "general_branch": ("committee",),
        "branch": ("committee", "general_branch"),
        "group": ("branch",),
    }

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    units = models.ManyToManyField(
        Unit, verbose_name=_("覆盖单位"), related_name="party_orgs", blank=True
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["numchild"], m2m_fields=[units])
    scope = Scope(party="pk", unit="units")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
