"""规则库: the rules in force, their versions, and new versions for the party office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.platform.scoping import user_can

from . import services
from .forms import RuleVersionForm
from .models import Rule
from .registry import GROUPS, RULES
from .selectors import RuleBook, rule_overview, visible_versions


@login_required
def rule_list(request):
    """Every rule the platform enforces, with the national value in force today."""
    return render(
        request,
        "rulebook/list.html",
        {"groups": rule_overview(request.user), "can_add": user_can(request.user, "add", Rule)},
    )


def _definition(key):
    try:
        return RULES[key]
    except KeyError as exc:
        raise Http404 from exc


@login_required
def rule_detail(request, key):
    d = _definition(key)
    versions = list(visible_versions(request.user, key).order_by("-effective_from", "-pk"))
    book = RuleBook(versions)
    today = timezone.localdate()
    rows = [{"row": v, "display": d.display(d.parse(v.value))} for v in versions]
    national = book.national(key, today)
    return render(
        request,
        "rulebook/detail.html",
        {
            "d": d,
            "group_title": GROUPS[d.group],
            "national": national,
            "national_display": d.display(national.value),
            "builtin_display": d.display(d.national),
            "rows": rows,
            "can_add": user_can(request.user, "add", Rule),
        },
    )


@login_required
def rule_version_create(request, key):
    d = _definition(key)
    if not user_can(request.user, "add", Rule):
        raise Http404
    form = RuleVersionForm(request.POST or None, actor=request.user, definition=d)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_version_add(actor=request.user, key=key, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已录入规则新版本，自生效日期起执行。"))
            return redirect("rulebook:detail", key=key)
    return render(request, "rulebook/form.html", {"form": form, "d": d})
