"""The module's tab bar and the block the customer page includes (links to a customer's
visits, shown only to those who may see visits)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.platform.scoping import user_can

from .. import selectors
from ..models import Discussion, Visit, VisitPlan

register = template.Library()

# (label, url name, model, action) — a tab shows when the user may do the action.
TABS = [
    (_("走访记录"), "visits:list", Visit, "view"),
    (_("待走访"), "visits:due", Visit, "view"),
    (_("待跟进"), "visits:follow_ups", Visit, "view"),
    (_("逾期统计"), "visits:overdue", Visit, "view"),
    (_("私人定制"), "visits:coverage", Visit, "view"),
    (_("假如我是服务对象"), "visits:discussions", Discussion, "view"),
    (_("走访计划"), "visits:plans", VisitPlan, "view"),
    (_("走访类型"), "visits:kinds", VisitPlan, "change"),
]


@register.simple_tag(takes_context=True)
def visits_nav(context):
    request = context["request"]
    user = request.user
    items = []
    for label, name, model, action in TABS:
        if user_can(user, action, model):
            url = reverse(name)
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    # /warmth/visits/ is a prefix of every tab: only the longest match is active.
    active = [i for i in items if i["active"]]
    longest = max((len(i["url"]) for i in active), default=0)
    for item in active:
        item["active"] = len(item["url"]) == longest
    return items


@register.inclusion_tag("visits/customer_block.html", takes_context=True)
def customer_visits_block(context, customer):
    """On the customer page: last visit, due date, links to the visits and the quick entry."""
    user = context["request"].user
    if not user_can(user, "view", Visit):
        return {"show": False}
    visible = Visit.objects.restrict(user, "view").filter(customer=customer)
    return {
        "show": True,
        "customer": customer,
        "count": visible.count(),
        "last": visible.order_by("-visited_on", "-pk").first(),
        "can_add": selectors.customers_in_reach(user, "add").filter(pk=customer.pk).exists(),
    }
