from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from dangjian.platform.listing import paginate
from dangjian.platform.models import AccessLog
from dangjian.platform.scoping import user_can

from .models import RoleGrant


@login_required
def grant_list(request):
    grants = RoleGrant.objects.restrict(request.user, "view").select_related(
        "user", "unit", "party_org"
    )
    query = request.GET.get("q", "").strip()
    if query:
        grants = grants.filter(
            Q(user__username__contains=query) | Q(user__display_name__contains=query)
        )
    listing = paginate(
        request, grants, sort_fields={"user": "user__username", "role": "role"}, default_sort="user"
    )
    return render(request, "accounts/grant_list.html", {"listing": listing})


@login_required
def access_log(request):
    """The auditor's view of every reveal and export of personal data."""
    if not user_can(request.user, "view", AccessLog):
        raise Http404
    entries = AccessLog.objects.select_related("user")
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(Q(user__username__contains=query) | Q(model__contains=query))
    if request.GET.get("action") in AccessLog.Action.values:
        entries = entries.filter(action=request.GET["action"])
    listing = paginate(request, entries, sort_fields={"at": "at"}, default_sort="-at", per_page=50)
    return render(
        request,
        "accounts/access_log.html",
        {"listing": listing, "actions": AccessLog.Action.choices},
    )
