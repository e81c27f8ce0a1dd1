"""Writes to people and memberships: one transaction each, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.audit import record_event

from .models import Membership, Person


def _check_in_scope(actor, model, pk, action):
    if pk is not None and not model.objects.restrict(actor, action).filter(pk=pk).exists():
        raise PermissionDenied(_("所选组织不在您的权限范围内"))


@transaction.atomic
def person_save(
    *, actor, person: Person, membership: Membership | None = None, drop_membership: bool = False
) -> Person:
    """Create or update a person (and membership) after model validation and scope checks."""
    creating = person.pk is None
    _check_in_scope(actor, Unit, person.unit_id, "view")
    person.full_clean(exclude=["id_number_hash", "user"])
    person.save()
    if membership is not None:
        _check_in_scope(actor, PartyOrg, membership.branch_id, "view")
        membership.person = person
        membership.full_clean()
        membership.save()
    elif drop_membership and hasattr(person, "membership"):
        person.membership.delete()
    record_event(
        actor=actor,
        verb="person.create" if creating else "person.update",
        target=person,
        summary=person.name,
    )
    return person
