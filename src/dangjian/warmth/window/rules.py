"""RULES §7 as data and pure functions: the national materials list per application kind, the
checklist a window builds for one application, and the statutory deadlines on the official
calendar (no database access; rule values and local calendar days are passed in).

Deadlines (《行政许可法》第八十二条: periods are counted in working days):

- 一次性告知: on the spot or within ``notice_workdays`` (5) working days after receipt
  (第三十二条). If no notice is given in time the application counts as accepted on the
  day it was received.
- decision within ``decision_workdays`` (20) working days of acceptance, extendable once by
  ``extension_workdays`` (10) with the head's approval (第四十二条);
- delivery within ``delivery_workdays`` (10) working days of the decision (第四十四条);
- renewal applied for at least ``renewal_min_days`` (30) days before expiry (第五十条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dangjian.platform import workdays
from dangjian.platform.workdays import Reckoning

NEW, RENEWAL, CHANGE, SUSPENSION, CANCELLATION = (
    "new",
    "renewal",
    "change",
    "suspension",
    "cancellation",
)
ALL_KINDS = (NEW, RENEWAL, CHANGE, SUSPENSION, CANCELLATION)

# When a material is needed, beyond the application kind.
ALWAYS = "always"
IF_BUSINESS_LICENCE = "business_licence"  # the applicant holds a business licence
IF_AGENT = "agent"  # an agent applies for the operator
IF_PRIORITY = "priority"  # the applicant claims a priority category (local extras)


@dataclass(frozen=True)
class MaterialDef:
    code: str
    name: str
    reason: str  # why it is needed — printed on the 一次性告知书
    kinds: tuple[str, ...]
    when: str = ALWAYS


NATIONAL_MATERIALS: tuple[MaterialDef, ...] = (
    MaterialDef(
        "form",
        _("烟草专卖零售许可证申请表"),
        _("申请人依法提出许可申请的书面凭据，须如实填写并签名"),
        ALL_KINDS,
    ),
    MaterialDef(
        "id_card",
        _("经营者（负责人）身份证明"),
        _("核实申请人身份，许可证载明的经营者须与身份证明一致"),
        ALL_KINDS,
    ),
    MaterialDef(
        "business_licence",
        _("营业执照"),
        _("已办理营业执照的，须提交以核对经营主体、名称与经营场所"),
        (NEW, RENEWAL, CHANGE),
        IF_BUSINESS_LICENCE,
    ),
    MaterialDef(
        "premises",
        _("经营场所使用证明（产权证明或租赁合同）"),
        _("证明申请人对经营场所享有合法使用权，作为实地核查的依据"),
        (NEW, RENEWAL),
    ),
    MaterialDef(
        "original_licence",
        _("烟草专卖零售许可证正、副本原件"),
        _("延续、变更、歇业、停业须交回或换发原许可证"),
        (RENEWAL, CHANGE, SUSPENSION, CANCELLATION),
    ),
    MaterialDef(
        "change_proof",
        _("变更事项的证明材料"),
        _("证明拟变更的经营者、名称或地址等事项真实有效"),
        (CHANGE,),
    ),
    MaterialDef(
        "authorisation",
        _("授权委托书"),
        _("委托他人代为申请的，须有经营者签名的授权委托书"),
        ALL_KINDS,
        IF_AGENT,
    ),
    MaterialDef(
        "agent_id",
        _("代理人身份证明"),
        _("委托他人代为申请的，须核实代理人身份"),
        ALL_KINDS,
        IF_AGENT,
    ),
)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    reason: str
    is_local: bool = False


@dataclass(frozen=True)
class LocalExtra:
    """A bureau's configurable extra material (photos, 住店分离 statement, priority proofs)."""

    code: str
    name: str
    reason: str
    kind: str = ""  # "" = every kind
    priority_category: str = ""  # "" = everyone; else only applicants claiming it


def checklist(
    kind: str,
    *,
    has_business_licence: bool = False,
    by_agent: bool = False,
    priority_category: str = "",
    local_extras: tuple[LocalExtra, ...] | list[LocalExtra] = (),
) -> list[ChecklistItem]:
    """Every material one application needs: the national list for ``kind`` and the
    applicant's situation, then the bureau's local extras that apply."""
    items = []
    for m in NATIONAL_MATERIALS:
        if kind not in m.kinds:
            continue
        if m.when == IF_BUSINESS_LICENCE and not has_business_licence:
            continue
        if m.when == IF_AGENT and not by_agent:
            continue
        items.append(ChecklistItem(m.code, str(m.name), str(m.reason)))
    for extra in local_extras:
        if extra.kind and extra.kind != kind:
            continue
        if extra.priority_category and extra.priority_category != priority_category:
            continue
        items.append(ChecklistItem(extra.code, extra.name, extra.reason, is_local=True))
    return items


def materials_by_kind(local_extras=()) -> dict[str, list[ChecklistItem]]:
    """The public page's lists: per kind, everything that may be asked (conditions shown by
    the caller)."""
    result = {}
    for kind in ALL_KINDS:
        items = [
            ChecklistItem(m.code, str(m.name), str(m.reason))
            for m in NATIONAL_MATERIALS
            if kind in m.kinds
        ]
        items += [
            ChecklistItem(e.code, e.name, e.reason, is_local=True)
            for e in local_extras
            if not e.kind or e.kind == kind
        ]
        result[kind] = items
    return result


# ---------------------------------------------------------------------------- deadlines


def notice_deadline(
    received_on: dt.date, notice_workdays: int, extra_holidays=(), extra_workdays=()
) -> Reckoning[dt.date]:
    """The last day a 一次性告知书 may be issued (the receipt day itself is "on the spot")."""
    return workdays.add_working_days(received_on, notice_workdays, extra_holidays, extra_workdays)


def counts_as_accepted_on_receipt(
    *, notice_due_on: dt.date, notice_issued_on: dt.date | None, today: dt.date
) -> bool:
    """No notice by the deadline: the application counts as accepted on its receipt day."""
    if notice_issued_on is not None and notice_issued_on <= notice_due_on:
        return False
    return today > notice_due_on


def decision_deadline(
    accepted_on: dt.date,
    decision_workdays: int,
    extension_workdays: int = 0,
    extra_holidays=(),
    extra_workdays=(),
) -> Reckoning[dt.date]:
    """The last day for the decision (``extension_workdays`` only once approved)."""
    return workdays.add_working_days(
        accepted_on, decision_workdays + extension_workdays, extra_holidays, extra_workdays
    )


def delivery_deadline(
    decided_on: dt.date, delivery_workdays: int, extra_holidays=(), extra_workdays=()
) -> Reckoning[dt.date]:
    return workdays.add_working_days(decided_on, delivery_workdays, extra_holidays, extra_workdays)


def renewal_last_day(expires_on: dt.date, renewal_min_days: int) -> dt.date:
    """The last day a renewal may be applied for (at least N days before expiry)."""
    return expires_on - dt.timedelta(days=renewal_min_days)


def renewal_in_time(applied_on: dt.date, expires_on: dt.date, renewal_min_days: int) -> bool:
    return applied_on <= renewal_last_day(expires_on, renewal_min_days)


def licence_valid_until(start: dt.date, years: int) -> dt.date:
    """The last day of a licence valid ``years`` years from ``start`` (29 Feb → 28 Feb)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = start.replace(year=start.year + years, day=28)
    return end - dt.timedelta(days=1)
