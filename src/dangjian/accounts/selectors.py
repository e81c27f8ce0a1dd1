"""Reads for grant management, within the actor's scope."""

from __future__ import annotations

from django.db.models import Q

from dangjian.platform.scoping import grants_for, model_label

from .models import RoleGrant, User


def grantable_nodes(actor, model):
    """Nodes of ``model``'s tree where the actor may grant roles: his own grant subtrees."""
    nodes = model.objects.all()
    if getattr(actor, "is_superuser", False):
        return nodes
    tree = "unit" if model._meta.model_name == "unit" else "party"
    label = model_label(RoleGrant)
    subtrees = [g.subtree for g in grants_for(actor) if g.tree == tree and g.allows(label, "add")]
    if not subtrees:
        return nodes.none()
    condition = Q()
    for subtree in subtrees:
        condition |= Q(pk__in=subtree)
    return nodes.filter(condition)


def grant_list(actor, *, query: str = ""):
    grants = RoleGrant.objects.restrict(actor, "view").select_related("user", "unit", "party_org")
    if query:
        grants = grants.filter(
            Q(user__username__icontains=query) | Q(user__display_name__contains=query)
        )
    return grants


def grantable_users():
    return User.objects.filter(is_active=True).order_by("username")
