"""Resolves a user's role grants for platform/scoping.py."""

from django.db.models import Count, Subquery

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.scoping import Grant

from .models import RoleGrant
from .roles import OWN_ONLY, ROLE_PERMISSIONS


def _root_count(model):
    """Scalar subquery: how many roots the tree has (1 means a root grant reaches all)."""
    return Subquery(
        model._base_manager.filter(depth=1)
        .order_by()
        .values("depth")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def grants_for(user) -> list[Grant]:
    """One query: the user's grants with the node paths, turned into scoping grants."""
    rows = (
        RoleGrant.objects.filter(user=user)
        .select_related("unit", "party_org")
        .annotate(unit_roots=_root_count(Unit), party_roots=_root_count(PartyOrg))
    )
    grants = []
    for row in rows:
        if row.unit_id:
            tree, node, model = "unit", row.unit, Unit
        else:
            tree, node, model = "party", row.party_org, PartyOrg
        grants.append(
            Grant(
                role=row.role,
                tree=tree,
                node_id=node.pk,
                subtree=model._base_manager.filter(path__startswith=node.path).values("pk"),
                perms=ROLE_PERMISSIONS.get(row.role, {}),
                own_only=OWN_ONLY.get(row.role, frozenset()),
                covers_all=node.depth == 1
                and (row.unit_roots if tree == "unit" else row.party_roots) == 1,
            )
        )
    return grants
