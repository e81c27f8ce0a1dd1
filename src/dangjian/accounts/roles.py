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

# Roles that reach only the user's own record of these models.
OWN_ONLY: dict[str, frozenset[str]] = {
    Role.MEMBER: frozenset(PEOPLE),
}
