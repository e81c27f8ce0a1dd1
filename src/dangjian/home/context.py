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
        _("三亮三比三评"),
        [
            # exemplar.showcase / study / conduct / contests, appraisal, grading, suggestions
            (_("党员亮身份卡"), "showcase:list", "exemplar_showcase.membercard", "person-badge"),
            (_("比学习·学习与心得"), "study:index", "exemplar_study.reflection", "book-half"),
            (_("比业绩·练兵竞赛"), "contests:list", "exemplar_contests.participant", "trophy"),
            (
                _("比作风·自查整改"),
                "conduct:overview",
                "exemplar_conduct.selfinspection",
                "clipboard-check",
            ),
            (_("三评评议活动"), "appraisal:list", "appraisal.campaign", "clipboard-data"),
            (
                _("三评结果·民主评议"),
                "grading:index",
                "appraisal_grading.memberresult",
                "bar-chart-line",
            ),
            (_("意见箱"), "suggestions:list", "appraisal_suggestions.suggestion", "envelope-paper"),
            (_("待我评议"), "appraisal:todo", None, "list-check"),
        ],
    ),
    (
        _("暖心工程"),
        [
            (_("零售客户"), "customers:list", "customers.retailcustomer", "shop"),
            # warmth.visits / window / tickets / outreach
            (_("走访服务"), "visits:list", "warmth_visits.visit", "shop-window"),
            (_("待走访客户"), "visits:due", "warmth_visits.visit", "calendar-event"),
            (
                _("假如我是服务对象"),
                "visits:discussions",
                "warmth_visits.discussion",
                "chat-square-heart",
            ),
            (
                _("许可证申请"),
                "window:list",
                "warmth_window.licenceapplication",
                "file-earmark-check",
            ),
            (_("窗口今日工作"), "window:worklist", "warmth_window.licenceapplication", "inbox"),
            (_("办证窗口"), "window:windows", "warmth_window.licencewindow", "shop"),
            (_("许可证到期"), "window:expiring", "customers.retailcustomer", "hourglass-split"),
            (_("首问负责·诉求工单"), "tickets:list", None, "chat-left-dots"),
            (_("诉求统计"), "tickets:stats", "warmth_tickets.ticketstat", "graph-up"),
            (_("诉求类别与时限"), "tickets:settings", "warmth_tickets.slapolicy", "sliders"),
            (_("片区群与群发"), "outreach:groups", "warmth_outreach.areagroup", "people-fill"),
            (_("客户祝福"), "outreach:greetings", "warmth_outreach.greeting", "gift"),
            (_("上门服务"), "outreach:home_list", "warmth_outreach.homeservice", "house-heart"),
            (
                _("节假日值班与预约"),
                "outreach:rosters",
                "warmth_outreach.dutyroster",
                "calendar-heart",
            ),
            (_("增值服务概览"), "outreach:index", None, "person-badge"),
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
