"""Figures for the home page, all within the user's scope."""

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.customers.models import RetailCustomer
from dangjian.development.models import DevelopmentCase
from dangjian.development.selectors import case_list
from dangjian.disclosure.models import Notice
from dangjian.disclosure.selectors import visible_notices
from dangjian.dues.models import ArrearsFlag
from dangjian.dues.selectors import open_flags
from dangjian.orglife.models import Meeting
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform.scoping import user_can
from dangjian.transfers.models import Transfer
from dangjian.transfers.selectors import flag_counts


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


def party_work_items(actor, *, today=None) -> list[dict]:
    """The 党建工作 to-do panel: one line per module the user may see, each a scoped count
    linking to the page where it is dealt with. Cheap counts only (the home page must stay
    fast for the national office)."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    items = []
    if user_can(actor, "view", Meeting):
        meetings = Meeting.objects.restrict(actor, "view")
        held = meetings.filter(
            status=Meeting.Status.HELD, held_on__gte=month_start, held_on__lte=today
        ).count()
        planned = meetings.filter(
            status=Meeting.Status.PLANNED,
            planned_on__gte=today,
            planned_on__lt=today + dt.timedelta(days=31),
        ).count()
        items.append(
            {
                "icon": "calendar-check",
                "label": _("本月已召开会议"),
                "value": held,
                "extra": _("未来 30 天计划 %(n)s 次") % {"n": planned} if planned else "",
                "url": reverse("orglife:matrix"),
                "alert": False,
            }
        )
    if user_can(actor, "view", DevelopmentCase):
        open_cases = case_list(actor, stage="open").count()
        overdue = case_list(actor, overdue=True).count()
        items.append(
            {
                "icon": "person-plus",
                "label": _("发展党员在培养"),
                "value": open_cases,
                "extra": _("逾期 %(n)s 件") % {"n": overdue} if overdue else "",
                "url": reverse("development:case_list") + ("?overdue=1" if overdue else ""),
                "alert": bool(overdue),
            }
        )
    if user_can(actor, "view", ArrearsFlag):
        flags = open_flags(actor).count()
        items.append(
            {
                "icon": "cash-coin",
                "label": _("连续未交党费待处理"),
                "value": flags,
                "extra": "",
                "url": reverse("dues:flags"),
                "alert": bool(flags),
            }
        )
    if user_can(actor, "view", Transfer):
        counts = flag_counts(actor, today=today)
        total = counts["overdue"] + counts["untransferred"]
        items.append(
            {
                "icon": "arrow-left-right",
                "label": _("组织关系转接待办"),
                "value": total,
                "extra": _("介绍信逾期 %(a)s，外出超期未转 %(b)s")
                % {"a": counts["overdue"], "b": counts["untransferred"]}
                if total
                else "",
                "url": reverse("transfers:list"),
                "alert": bool(total),
            }
        )
    notices = (
        visible_notices(actor).filter(status=Notice.Status.PUBLISHED, ends_on__gte=today).count()
    )
    items.append(
        {
            "icon": "megaphone",
            "label": _("公示中的党务公开"),
            "value": notices,
            "extra": "",
            "url": reverse("disclosure:list"),
            "alert": False,
        }
    )
    return items
