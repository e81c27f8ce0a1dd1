"""Roles and what each may do. Data, not code scattered in views.

A role maps model labels to actions. ``OWN_ONLY`` lists, per role, the models where the role
reaches only the user's own record (Scope.own), whatever node it is granted on.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("党建办")
    LEADER = "leader", _("领导")
    SECRETARY = "secretary", _("支部书记")
    COMMITTEE = "committee", _("支委委员")
    MEMBER = "member", _("党员")
    ACCOUNT_MANAGER = "account_manager", _("客户经理")
    INSPECTOR = "inspector", _("专卖稽查员")
    COURIER = "courier", _("送货员")
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    VILLAGE_TEAM = "village_team", _("驻村工作队")
    AUDITOR = "auditor", _("审计（只读）")


ALL = frozenset({"view", "add", "change", "delete", "reveal", "export", "import"})
EDIT = frozenset({"view", "add", "change", "export"})
READ = frozenset({"view"})
READ_EXPORT = frozenset({"view", "export"})

ORG = ("orgs.unit", "orgs.partyorg")
PEOPLE = ("people.person", "people.membership")
CUSTOMERS = ("customers.retailcustomer",)
NOTIFY = (
    "notifications.delivery",
    "notifications.notificationtarget",
    "notifications.messagetemplate",
    "notifications.scheduledreminder",
)


def _perms(**groups) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for actions, labels in groups.values():
        for label in labels:
            table[label] = table.get(label, frozenset()) | actions
    return table


ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.OFFICE: _perms(
        org=(ALL, ORG),
        people=(ALL, PEOPLE),
        cust=(ALL, CUSTOMERS),
        grants=(ALL, ("accounts.rolegrant",)),
        log=(READ, ("platform.accesslog",)),
        notify=(EDIT, NOTIFY),
    ),
    Role.LEADER: _perms(
        org=(READ_EXPORT, ORG), people=(READ_EXPORT, PEOPLE), cust=(READ_EXPORT, CUSTOMERS)
    ),
    Role.SECRETARY: _perms(
        # A secretary keeps his party organisation up to date; units belong to the office.
        org=(READ, ("orgs.unit",)),
        party=(READ | {"change"}, ("orgs.partyorg",)),
        people=(EDIT | {"reveal"}, PEOPLE),
        cust=(READ, CUSTOMERS),
    ),
    Role.COMMITTEE: _perms(org=(READ, ORG), people=(READ_EXPORT, PEOPLE)),
    Role.MEMBER: _perms(org=(READ, ORG), people=(READ | {"reveal"}, PEOPLE)),
    Role.ACCOUNT_MANAGER: _perms(org=(READ, ("orgs.unit",)), cust=(EDIT | {"reveal"}, CUSTOMERS)),
    Role.INSPECTOR: _perms(org=(READ, ("orgs.unit",)), cust=(READ | {"reveal"}, CUSTOMERS)),
    Role.COURIER: _perms(org=(READ, ("orgs.unit",)), cust=(READ, CUSTOMERS)),
    Role.WINDOW_CLERK: _perms(org=(READ, ("orgs.unit",)), cust=(EDIT | {"reveal"}, CUSTOMERS)),
    Role.VILLAGE_TEAM: _perms(org=(READ, ORG)),
    Role.AUDITOR: _perms(
        org=(READ, ORG),
        people=(READ, PEOPLE),
        cust=(READ, CUSTOMERS),
        grants=(READ, ("accounts.rolegrant",)),
        log=(READ, ("platform.accesslog",)),
        notify=(READ, NOTIFY),
    ),
}

# The work calendar: the office manages local days and hours, every other role reads them.
CALENDAR = ("workcalendar.localday", "workcalendar.businesshours")
for _role, _table in ROLE_PERMISSIONS.items():
    _table.update(dict.fromkeys(CALENDAR, ALL if _role == Role.OFFICE else READ))

# The rule book: the office records new versions and supplements; every role reads the rules
# (national rules are public documents; supplements are scoped to the issuing organisation).
RULES = ("rulebook.rule",)
for _role, _table in ROLE_PERMISSIONS.items():
    _table.update(dict.fromkeys(RULES, EDIT if _role == Role.OFFICE else READ))

# 党务公开 and 组织关系转接: the office runs them; the issuing / sending / receiving branch's
# secretary and committee keep them; leaders read and export; the auditor reads; a member
# reads his own named objections and his own transfer records (own-only, below). Members read
# notices addressed to them through disclosure.selectors, not through a grant.
DISCLOSURE = ("disclosure.notice", "disclosure.attachment", "disclosure.objection")
TRANSFERS = ("transfers.transfer", "transfers.mobilemember")
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(DISCLOSURE + TRANSFERS, _actions))
ROLE_PERMISSIONS[Role.MEMBER].update(dict.fromkeys(("disclosure.objection", *TRANSFERS), READ))

# Roles that reach only the user's own record of these models.
OWN_ONLY: dict[str, frozenset[str]] = {
    Role.MEMBER: frozenset(PEOPLE),
}
OWN_ONLY[Role.MEMBER] |= frozenset(("disclosure.objection", *TRANSFERS))

# Member development (发展党员): the office and branch officers keep the cases; a member (an
# applicant with an account) reads his own case.
DEVELOPMENT = (
    "development.developmentcase",
    "development.developmentstep",
    "development.stepattachment",
    "development.casecontact",
    "development.publicnotice",
    "development.noticeobjection",
    "development.casemove",
    "development.developmentplan",
    "development.deadlinereminder",
)
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(DEVELOPMENT, _actions))
ROLE_PERMISSIONS[Role.MEMBER].update(dict.fromkeys(DEVELOPMENT[:5], READ))
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(DEVELOPMENT[:5])

# 党费: the office keeps every ledger; branch officers keep their branch's (and import payroll
# bases); leaders read and export; the auditor reads; a member reads his own base and ledger.
DUES = (
    "dues.duesbase",
    "dues.duespayment",
    "dues.extrapayment",
    "dues.quarterlyconsent",
    "dues.backpaymentdecision",
    "dues.arrearsflag",
    "dues.duescorrection",
)
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT | {"import"},
    Role.COMMITTEE: EDIT | {"import"},
    Role.AUDITOR: READ,
    Role.MEMBER: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(DUES, _actions))
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(DUES)

# 组织生活: the office sees and keeps every branch's; branch officers plan and record their
# branch's meetings; leaders read and export; the auditor reads; a member reads his branch's
# meetings and only his own attendance (学时).
ORGLIFE = (
    "orglife.branchplan",
    "orglife.meeting",
    "orglife.attendance",
    "orglife.meetingfile",
    "orglife.compliancereminder",
)
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
    Role.MEMBER: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(ORGLIFE, _actions))
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset({"orglife.attendance"})

# 首问负责制 (warmth.tickets): every front-line role receives and works tickets of its units
# (a secretary those of the units his branch covers); leaders read, export and get the
# escalations; the auditor reads; a member reads the tickets he owns (own-only). Categories
# and SLA hours are the office's data; everyone else reads them. Tickets transferred to a
# user outside these grants reach him through warmth.tickets.selectors (owner/handler).
TICKETS = ("warmth_tickets.ticket", "warmth_tickets.ticketevent", "warmth_tickets.ticketattachment")
TICKET_STATS = ("warmth_tickets.ticketstat",)  # the statistics rollup: rebuilt by the office
TICKET_SETTINGS = ("warmth_tickets.ticketcategory", "warmth_tickets.slapolicy")
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: READ_EXPORT,
    Role.ACCOUNT_MANAGER: EDIT,
    Role.INSPECTOR: EDIT,
    Role.COURIER: EDIT,
    Role.WINDOW_CLERK: EDIT,
    Role.AUDITOR: READ,
    Role.MEMBER: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(TICKETS, _actions))
    ROLE_PERMISSIONS[_role].update(
        dict.fromkeys(TICKET_SETTINGS, ALL if _role == Role.OFFICE else READ)
    )
    ROLE_PERMISSIONS[_role].update(
        dict.fromkeys(
            TICKET_STATS, _actions if _role in (Role.OFFICE, Role.AUDITOR) else READ_EXPORT
        )
    )
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(TICKETS)

# 日常服务 (warmth.visits): an account manager records and reads the visits of the customers
# he manages (own-only: the customer's account manager); the office keeps every visit and
# edits the catalogues (visit kinds, 私人定制 service types, visit plans), which every role
# reads; a branch secretary and committee read the visits of the units the branch covers and
# keep their branch's "假如我是服务对象" discussions; leaders read and export; the auditor reads.
VISITS = ("warmth_visits.visit", "warmth_visits.visitphoto")
VISIT_CATALOGUES = (
    "warmth_visits.visitkind",
    "warmth_visits.tailoredservicetype",
    "warmth_visits.visitplan",
)
VISIT_DISCUSSIONS = ("warmth_visits.discussion",)
for _role, (_visits, _discussions) in {
    Role.OFFICE: (ALL, ALL),
    Role.LEADER: (READ_EXPORT, READ_EXPORT),
    Role.SECRETARY: (READ_EXPORT, EDIT),
    Role.COMMITTEE: (READ, EDIT),
    Role.ACCOUNT_MANAGER: (EDIT, frozenset()),
    Role.AUDITOR: (READ, READ),
    Role.MEMBER: (frozenset(), READ),
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(VISITS, _visits))
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(VISIT_DISCUSSIONS, _discussions))
for _role, _table in ROLE_PERMISSIONS.items():
    _table.update(dict.fromkeys(VISIT_CATALOGUES, ALL if _role == Role.OFFICE else READ))
OWN_ONLY[Role.ACCOUNT_MANAGER] = OWN_ONLY.get(Role.ACCOUNT_MANAGER, frozenset()) | frozenset(VISITS)

# 比学习 (exemplar.study) and 比业绩 (exemplar.contests): the office keeps everything; a branch
# secretary and committee confirm their branch's self-study, review its reflections (and see
# their originality check) and run their organisation's drills and contests; leaders read and
# export; the auditor reads; a member logs his own self-study, writes his own reflections and
# reads his own contest entries (own-only). Study kinds and thresholds are reference data
# (no grant: every form reads them).
STUDY = ("exemplar_study.selfstudy", "exemplar_study.reflection")
STUDY_REVIEW = ("exemplar_study.reflectionversion", "exemplar_study.originalitymatch")
CONTESTS = ("exemplar_contests.contest", "exemplar_contests.participant")
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT | {"import"},
    Role.COMMITTEE: EDIT | {"import"},
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(STUDY + STUDY_REVIEW + CONTESTS, _actions))
ROLE_PERMISSIONS[Role.MEMBER].update(dict.fromkeys(STUDY, frozenset({"view", "add", "change"})))
ROLE_PERMISSIONS[Role.MEMBER].update(
    dict.fromkeys(("exemplar_study.reflectionversion", "exemplar_contests.participant"), READ)
)
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(
    (*STUDY, "exemplar_study.reflectionversion", "exemplar_contests.participant")
)

# 三亮 (exemplar.showcase) and 比作风 (exemplar.conduct): the office sees and keeps every
# card and self-inspection; branch officers keep their members' cards, review commitments
# and inspections and close measures; leaders read and export; the auditor reads; a member
# keeps his own card's commitments and his own self-inspection (own-only, below).
SHOWCASE = (
    "exemplar_showcase.membercard",
    "exemplar_showcase.commitment",
    "exemplar_showcase.commitmentfile",
)
CONDUCT = (
    "exemplar_conduct.selfinspection",
    "exemplar_conduct.problem",
    "exemplar_conduct.rectification",
    "exemplar_conduct.rectificationfile",
)
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(SHOWCASE + CONDUCT, _actions))
ROLE_PERMISSIONS[Role.MEMBER].update(
    {
        "exemplar_showcase.membercard": frozenset({"view", "add"}),
        "exemplar_showcase.commitment": frozenset({"view", "add", "change"}),
        "exemplar_showcase.commitmentfile": frozenset({"view", "add"}),
        **dict.fromkeys(CONDUCT, frozenset({"view", "add", "change"})),
    }
)
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(SHOWCASE + CONDUCT)

# 窗口服务 (warmth.window): the office sets up the windows (staff, 党员服务标杆) and the bureaus'
# extra materials and sees every application; a window clerk reads his bureau's windows and
# extra materials and works its applications (receives, 一次性告知书, accepts, inspects, decides,
# delivers; reveals an applicant's ID number or phone, logged); leaders read and export; the
# auditor reads. Applications hang on the window's bureau (Scope unit).
WINDOW_SETUP = ("warmth_window.licencewindow", "warmth_window.localmaterial")
WINDOW_WORK = (
    "warmth_window.licenceapplication",
    "warmth_window.applicationmaterial",
    "warmth_window.requestchange",
    "warmth_window.onetimenotice",
    "warmth_window.fieldinspection",
)
for _role, (_setup, _work) in {
    Role.OFFICE: (ALL, ALL),
    Role.LEADER: (READ_EXPORT, READ_EXPORT),
    Role.WINDOW_CLERK: (READ, EDIT | {"reveal"}),
    Role.AUDITOR: (READ, READ),
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(WINDOW_SETUP, _setup))
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(WINDOW_WORK, _work))

# 三评 (appraisal): the office runs the company's campaigns; a branch secretary or committee
# runs his branch's (and sees his branches' figures in campaigns above); leaders read and
# export; the auditor reads. Members rate through their own pages (待我评议), not a grant.
APPRAISAL = (
    "appraisal.campaign",
    "appraisal.criterion",
    "appraisal.raterweight",
    "appraisal.ratingtoken",
    "appraisal.rating",
)
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(APPRAISAL, _actions))

# 增值服务 (warmth.outreach): the office configures broadcast kinds and greeting templates and
# sees everything; account managers keep their area's groups, broadcasts, greetings opt-outs and
# 上门服务; inspectors and couriers (group owners, 上门 staff) read and record outcomes; window
# clerks keep the holiday duty roster and its bookings; branch officers and leaders read;
# the auditor reads. Duty and 上门 staff see their own assignments through "我的" pages.
OUTREACH_SETUP = ("warmth_outreach.broadcastkind", "warmth_outreach.greetingoccasion")
OUTREACH_GROUPS = (
    "warmth_outreach.areagroup",
    "warmth_outreach.areagroupmember",
    "warmth_outreach.areagroupowner",
    "warmth_outreach.broadcast",
    "warmth_outreach.broadcastdelivery",
    "warmth_outreach.greeting",
    "warmth_outreach.greetingoptout",
)
OUTREACH_HOME = ("warmth_outreach.homeservice",)
OUTREACH_OFFDAY = (
    "warmth_outreach.dutyroster",
    "warmth_outreach.dutyslot",
    "warmth_outreach.offdaybooking",
    "warmth_outreach.bookingmessage",
)
for _role, (_setup, _groups, _home, _offday) in {
    Role.OFFICE: (ALL, ALL, ALL, ALL | {"reveal"}),
    Role.LEADER: (READ, READ_EXPORT, READ_EXPORT, READ_EXPORT),
    Role.SECRETARY: (READ, READ, READ, READ),
    Role.COMMITTEE: (READ, READ, READ, READ),
    Role.ACCOUNT_MANAGER: (READ, EDIT, EDIT, READ),
    Role.INSPECTOR: (READ, READ, READ | {"change"}, READ),
    Role.COURIER: (READ, READ, READ | {"change"}, frozenset()),
    Role.WINDOW_CLERK: (READ, READ, EDIT, EDIT | {"delete", "reveal"}),
    Role.AUDITOR: (READ, READ, READ, READ),
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(OUTREACH_SETUP, _setup))
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(OUTREACH_GROUPS, _groups))
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(OUTREACH_HOME, _home))
    if _offday:
        ROLE_PERMISSIONS[_role].update(dict.fromkeys(OUTREACH_OFFDAY, _offday))

# 三评 results and 民主评议 (appraisal.grading): the office computes results and decides on
# lenient raters; a branch's secretary and committee see their branch's results and record the
# branch's grades, improvement plans and nominations; leaders read and export; the auditor
# reads; a member reads his own result, grade and improvement plan (own-only, below).
# The 意见箱 (appraisal.suggestions): the branch answers its box; the office sees every box.
GRADING = (
    "appraisal_grading.gradingpolicy",
    "appraisal_grading.resultrun",
    "appraisal_grading.memberresult",
    "appraisal_grading.resultpart",
    "appraisal_grading.leniencyflag",
    "appraisal_grading.gradedecision",
    "appraisal_grading.improvementplan",
    "appraisal_grading.nomination",
    "appraisal_grading.disciplinaryrecord",
)
SUGGESTIONS = ("appraisal_suggestions.suggestionbox", "appraisal_suggestions.suggestion")
for _role, _actions in {
    Role.OFFICE: ALL,
    Role.LEADER: READ_EXPORT,
    Role.SECRETARY: EDIT,
    Role.COMMITTEE: EDIT,
    Role.AUDITOR: READ,
}.items():
    ROLE_PERMISSIONS[_role].update(dict.fromkeys(GRADING, _actions))
    ROLE_PERMISSIONS[_role].update(
        dict.fromkeys(SUGGESTIONS, _actions | ({"reveal"} if "change" in _actions else set()))
    )
GRADING_OWN = (
    "appraisal_grading.memberresult",
    "appraisal_grading.resultpart",
    "appraisal_grading.gradedecision",
    "appraisal_grading.improvementplan",
)
ROLE_PERMISSIONS[Role.MEMBER].update(dict.fromkeys(GRADING_OWN, READ))
OWN_ONLY[Role.MEMBER] = OWN_ONLY[Role.MEMBER] | frozenset(GRADING_OWN)
