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
