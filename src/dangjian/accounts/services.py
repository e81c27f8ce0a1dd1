"""Writes to role grants: granting and revoking roles, within the actor's own subtree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import forget_grants

from .models import RoleGrant
from .selectors import grantable_nodes


@transaction.atomic
def grant_create(*, actor, user, role: str, unit: Unit | None = None, party_org=None) -> RoleGrant:
    """Give ``user`` ``role`` on one node; the node must lie in a subtree the actor may grant in."""
    node = unit or party_org
    if (unit is None) == (party_org is None):
        raise ValidationError(_("角色必须授予在一个单位或一个党组织上（二选一）"))
    model = Unit if unit is not None else PartyOrg
    if not grantable_nodes(actor, model).filter(pk=node.pk).exists():
        raise PermissionDenied(_("“%(node)s”不在您可以授权的范围内") % {"node": node})
    if RoleGrant.objects.filter(user=user, role=role, unit=unit, party_org=party_org).exists():
        raise ValidationError(_("该用户已在此组织上拥有该角色"))
    grant = RoleGrant(user=user, role=role, unit=unit, party_org=party_org)
    grant.full_clean()
    grant.save()
    forget_grants(user)
    record_event(
        actor=actor,
        verb="grant.create",
        target=grant,
        summary=f"{user} · {grant.get_role_display()} @ {node}",
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: RoleGrant) -> None:
    """Remove a grant the actor may delete (the history keeps who had it and who revoked it)."""
    if not RoleGrant.objects.restrict(actor, "delete").filter(pk=grant.pk).exists():
        raise PermissionDenied(_("您无权撤销该授权"))
    summary = f"{grant.user} · {grant.get_role_display()} @ {grant.node}"
    record_event(actor=actor, verb="grant.revoke", target=grant, summary=summary)
    grant.delete()
    forget_grants(grant.user)
