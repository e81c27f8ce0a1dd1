from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.history import history_rows
from dangjian.platform.listing import paginate
from dangjian.platform.models import AccessLog
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import GrantForm
from .models import RoleGrant


@login_required
def grant_list(request):
    if not user_can(request.user, "view", RoleGrant):
        raise Http404
    grants = selectors.grant_list(request.user, query=request.GET.get("q", "").strip())
    listing = paginate(
        request, grants, sort_fields={"user": "user__username", "role": "role"}, default_sort="user"
    )
    return render(
        request,
        "accounts/grant_list.html",
        {
            "listing": listing,
            "can_add": user_can(request.user, "add", RoleGrant),
            "deletable": set(
                RoleGrant.objects.restrict(request.user, "delete")
                .filter(pk__in=[g.pk for g in listing.rows])
                .values_list("pk", flat=True)
            ),
            "search_placeholder": _("用户名或姓名"),
        },
    )


@login_required
def grant_create(request):
    if not user_can(request.user, "add", RoleGrant):
        raise Http404
    form = GrantForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, _("已授权：%(grant)s") % {"grant": grant})
            return redirect("accounts:grant_detail", pk=grant.pk)
    return render(request, "accounts/grant_form.html", {"form": form})


@login_required
def grant_detail(request, pk):
    grant = get_restricted_or_404(
        RoleGrant.objects.select_related("user", "unit", "party_org"), request.user, pk=pk
    )
    return render(
        request,
        "accounts/grant_detail.html",
        {
            "grant": grant,
            "history": history_rows(grant),
            "can_delete": RoleGrant.objects.restrict(request.user, "delete").filter(pk=pk).exists(),
        },
    )


@login_required
@require_POST
def grant_revoke(request, pk):
    grant = get_restricted_or_404(RoleGrant, request.user, "delete", pk=pk)
    services.grant_revoke(actor=request.user, grant=grant)
    messages.success(request, _("已撤销授权：%(grant)s") % {"grant": grant})
    return redirect("accounts:grants")


@login_required
def access_log(request):
    """The auditor's view of every reveal and export of personal data."""
    if not user_can(request.user, "view", AccessLog):
        raise Http404
    entries = AccessLog.objects.select_related("user")
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(
            Q(user__username__icontains=query)
            | Q(user__display_name__contains=query)
            | Q(model__contains=query)
        )
    if request.GET.get("action") in AccessLog.Action.values:
        entries = entries.filter(action=request.GET["action"])
    listing = paginate(request, entries, sort_fields={"at": "at"}, default_sort="-at", per_page=50)
    return render(
        request,
        "accounts/access_log.html",
        {
            "listing": listing,
            "actions": AccessLog.Action.choices,
            "search_placeholder": _("用户名、姓名或数据类型"),
        },
    )
