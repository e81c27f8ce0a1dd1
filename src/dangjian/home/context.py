"""Navigation that follows the article; a section shows once its module has landed."""

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.platform.scoping import user_can

# (section, [(label, url name, model label the user must be able to view, icon)])
NAVIGATION = [
    (
        _("组织与人员"),
        [
            (_("单位"), "orgs:unit_tree", "orgs.unit", "diagram-3"),
            (_("党组织"), "orgs:party_tree", "orgs.partyorg", "flag"),
            (_("人员与党员"), "people:list", "people.person", "people"),
        ],
    ),
    (
        _("党建工作"),
        [
            (_("组织生活"), "orglife:matrix", "orglife.meeting", "calendar-check"),
            (_("会议记录"), "orglife:meeting_list", "orglife.meeting", "journal-check"),
            (_("发展党员"), "development:case_list", "development.developmentcase", "person-plus"),
            (
                _("发展均衡"),
                "development:balance",
                "development.developmentcase",
                "bar-chart-steps",
            ),
            (_("党务公开"), "disclosure:list", None, "megaphone"),
            (_("组织关系转接"), "transfers:list", "transfers.transfer", "arrow-left-right"),
            (_("党费"), "dues:index", "dues.duespayment", "cash-coin"),
            (_("流动党员"), "transfers:mobile_list", "transfers.mobilemember", "geo-alt"),
        ],
    ),
    (
        _("暖心工程"),
        [
            (_("零售客户"), "customers:list", "customers.retailcustomer", "shop"),
        ],
    ),
    (
        _("系统管理"),
        [
            (_("后台任务"), "platform:job_list", None, "hourglass-split"),
            (_("角色授权"), "accounts:grants", "accounts.rolegrant", "shield-lock"),
            (_("个人信息访问日志"), "accounts:access_log", "platform.accesslog", "journal-text"),
            (_("工作日历"), "workcalendar:month", "workcalendar.localday", "calendar3"),
            (_("制度规则"), "rulebook:list", "rulebook.rule", "book"),
            (
                _("定时提醒"),
                "notifications:reminder_list",
                "notifications.scheduledreminder",
                "alarm",
            ),
            (_("通知发送记录"), "notifications:delivery_log", "notifications.delivery", "send"),
        ],
    ),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    sections = []
    for title, items in NAVIGATION:
        visible = [
            {
                "label": label,
                "url": reverse(url),
                "icon": icon,
                "active": request.path.startswith(reverse(url)),
            }
            for label, url, model, icon in items
            # No model: every user has the page (it shows only his own records).
            if model is None or user_can(user, "view", apps.get_model(model))
        ]
        if visible:
            sections.append({"title": title, "items": visible})
    # Only the most specific match is active: /development/balance/ is not also /development/.
    active = [item for section in sections for item in section["items"] if item["active"]]
    longest = max((len(item["url"]) for item in active), default=0)
    for item in active:
        item["active"] = len(item["url"]) == longest
    return {"nav_sections": sections}
