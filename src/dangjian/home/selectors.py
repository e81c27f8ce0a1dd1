"""Figures for the home page, all within the user's scope."""

from django.db.models import Count

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person


def home_figures(actor) -> dict:
    """Headline counts and members per branch (for the chart), restricted to ``actor``."""
    members = Membership.objects.restrict(actor, "view")
    branches = PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH)
    per_branch = (
        members.values("branch__name")
        .annotate(full=Count("pk", filter=_full()), probationary=Count("pk", filter=~_full()))
        .order_by("-full")[:20]
    )
    return {
        "units": Unit.objects.restrict(actor, "view").count(),
        "branches": branches.count(),
        "people": Person.objects.restrict(actor, "view").count(),
        "members": members.count(),
        "probationary": members.filter(status=Membership.Status.PROBATIONARY).count(),
        "customers": RetailCustomer.objects.restrict(actor, "view").count(),
        "per_branch": list(per_branch),
    }


def _full():
    from django.db.models import Q

    return Q(status=Membership.Status.FULL)
