"""Writes to retail customers: one transaction each, audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.platform.audit import record_event

from .models import RetailCustomer
from .selectors import units_for


@transaction.atomic
def customer_save(*, actor, customer: RetailCustomer) -> RetailCustomer:
    """Create or update a customer; its unit must be one the actor may change customers in."""
    creating = customer.pk is None
    action = "add" if creating else "change"
    if not units_for(actor, action).filter(pk=customer.unit_id).exists():
        raise PermissionDenied(_("所选县局/片区不在您的权限范围内"))
    customer.full_clean()
    customer.save()
    record_event(
        actor=actor,
        verb="customer.create" if creating else "customer.update",
        target=customer,
        summary=str(customer),
    )
    return customer
