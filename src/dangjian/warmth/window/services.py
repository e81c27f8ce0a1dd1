"""Writes of the licence window: windows, local materials, and each step of an application
(申请 → 受理 → 实地核查 → 审核 → 决定 → 送达) with the 一次性告知书 — one transaction each,
checked, audited; history through django-simple-history.

Deadlines come from the rule book (``licence.*``) on the window bureau's calendar (official
days, 调休 and the bureau's local days); a deadline in a year the official calendar does not
cover yet is stored with its ``*_provisional`` flag.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer, validate_phone
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform import idcard
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import grants_for, model_label
from dangjian.rulebook.selectors import applied_rule
from dangjian.workcalendar.selectors import unit_calendar

from . import rules
from .models import (
    ApplicationKind,
    ApplicationMaterial,
    FieldInspection,
    LicenceApplication,
    LicenceWindow,
    LocalMaterial,
    OneTimeNotice,
    PriorityCategory,
    Reminder,
    RequestChange,
)

Status = LicenceApplication.Status


# ---------------------------------------------------------------------------- helpers


def unit_in_reach(actor, unit: Unit, model, action: str) -> bool:
    """Whether a unit-tree grant of ``actor`` allows ``action`` on ``model`` at ``unit``."""
    if getattr(actor, "is_superuser", False):
        return True
    label = model_label(model)
    for grant in grants_for(actor):
        if grant.tree != "unit" or not grant.allows(label, action):
            continue
        if grant.covers_all or grant.subtree.filter(pk=unit.pk).exists():
            return True
    return False


def rule_org(unit: Unit) -> PartyOrg | None:
    """The party organisation whose rule supplements govern ``unit`` (the nearest one that
    covers it), or None: national rules."""
    return PartyOrg.objects.filter(units=unit).order_by("-depth", "pk").first()


def _rule(key: str, unit: Unit, on: dt.date):
    return applied_rule(key, on=on, org=rule_org(unit))


def _lock(actor, application: LicenceApplication) -> LicenceApplication:
    locked = LicenceApplication.objects.select_for_update().get(pk=application.pk)
    if not LicenceApplication.objects.restrict(actor, "change").filter(pk=locked.pk).exists():
        raise PermissionDenied(_("您无权办理该申请"))
    return locked


def _require_status(application: LicenceApplication, *allowed: str, doing: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("该申请当前状态为“%(s)s”，不能%(doing)s")
            % {"s": application.get_status_display(), "doing": doing}
        )


def _date_not_future(value: dt.date | None, field: str, label: str, today: dt.date) -> dict:
    if value is None:
        return {field: [_("请填写%(label)s") % {"label": label}]}
    if value > today:
        return {field: [_("%(label)s不能晚于今天") % {"label": label}]}
    return {}


def _save(application: LicenceApplication, actor, reason: str) -> None:
    application._history_user = actor if getattr(actor, "pk", None) else None
    application._change_reason = reason[:100]
    application.save()


def _next_number(prefix: str, year: int) -> str:
    low, high = f"{prefix}{year}", f"{prefix}{year + 1}"
    last = (
        LicenceApplication.objects.filter(number__gte=low, number__lt=high)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(low) :]) + 1 if last else 1
    return f"{low}{seq:07d}"


def notice_clock_start(application: LicenceApplication) -> dt.date:
    """The day the 5-day notice clock starts: the receipt, or the latest request change."""
    change = application.changes.order_by("-changed_on", "-pk").first()
    return change.changed_on if change else application.received_on


def _set_notice_due(application: LicenceApplication, start: dt.date) -> None:
    calendar = unit_calendar(application.unit)
    days = _rule("licence.notice_workdays", application.unit, start).value
    due = rules.notice_deadline(start, days, calendar.extra_holidays, calendar.extra_workdays)
    application.notice_due_on, application.notice_due_provisional = due.value, due.provisional


def _set_decision_due(application: LicenceApplication) -> None:
    calendar = unit_calendar(application.unit)
    on = application.accepted_on
    days = _rule("licence.decision_workdays", application.unit, on).value
    due = rules.decision_deadline(
        on,
        days,
        application.extension_workdays,
        calendar.extra_holidays,
        calendar.extra_workdays,
    )
    application.decision_due_on, application.decision_due_provisional = due.value, due.provisional


def local_extras(unit: Unit) -> list[rules.LocalExtra]:
    """The active local materials of the bureau and its ancestors."""
    step = Unit.steplen
    paths = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
    rows = LocalMaterial.objects.filter(unit__path__in=paths, is_active=True).order_by("pk")
    return [rules.LocalExtra(m.code, m.name, m.reason, m.kind, m.priority_category) for m in rows]


def _build_checklist(application: LicenceApplication) -> list[rules.ChecklistItem]:
    return rules.checklist(
        application.kind,
        has_business_licence=application.has_business_licence,
        by_agent=application.by_agent,
        priority_category=application.priority_category,
        local_extras=local_extras(application.unit),
    )


def window_users(window: LicenceWindow) -> list[User]:
    """Who hears about a window's deadlines: its staff with accounts and the window clerks
    granted on its bureau (or above)."""
    step = Unit.steplen
    unit = window.unit
    paths = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
    users = {
        g.user
        for g in RoleGrant.objects.filter(
            role=Role.WINDOW_CLERK, unit__path__in=paths, user__is_active=True
        ).select_related("user")
    }
    users |= set(User.objects.filter(person__in=window.staff.all(), is_active=True))
    return sorted(users, key=lambda u: u.pk)


# ---------------------------------------------------------------------------- windows


@transaction.atomic
def window_save(*, actor, window: LicenceWindow, staff=None) -> LicenceWindow:
    """Create or edit a window (the office): the benchmark must be one of its staff."""
    if not unit_in_reach(actor, window.unit, LicenceWindow, "change" if window.pk else "add"):
        raise PermissionDenied(_("所属县局不在您的权限范围内"))
    errors: dict[str, list[str]] = {}
    if window.unit.kind != Unit.Kind.BUREAU:
        errors["unit"] = [_("办证窗口应设在县局（营销部）")]
    staff = list(staff) if staff is not None else list(window.staff.all()) if window.pk else []
    bad = [p.name for p in staff if not p.unit.path.startswith(window.unit.path)]
    if bad:
        errors["staff"] = [_("窗口人员须为本县局人员：%(n)s") % {"n": "、".join(bad)}]
    if window.benchmark_id and window.benchmark not in staff:
        errors["benchmark"] = [_("党员服务标杆须为本窗口的工作人员")]
    if window.benchmark_id and not hasattr(window.benchmark, "membership"):
        errors["benchmark"] = [_("党员服务标杆须为党员")]
    if errors:
        raise ValidationError(errors)
    created = window.pk is None
    window._history_user = actor
    window.full_clean()
    window.save()
    window.staff.set(staff)
    record_event(
        actor=actor,
        verb="licence.window_create" if created else "licence.window_update",
        target=window,
        summary=window.name,
    )
    return window


@transaction.atomic
def local_material_save(*, actor, material: LocalMaterial) -> LocalMaterial:
    """Add or edit a bureau's extra material (the office)."""
    if not unit_in_reach(actor, material.unit, LocalMaterial, "change" if material.pk else "add"):
        raise PermissionDenied(_("所属县局不在您的权限范围内"))
    if material.unit.kind not in (Unit.Kind.BUREAU, Unit.Kind.COMPANY):
        raise ValidationError({"unit": [_("本地补充材料应由市公司或县局设定")]})
    material._history_user = actor
    material.full_clean()
    material.save()
    record_event(actor=actor, verb="licence.local_material", target=material, summary=material.name)
    return material


# ---------------------------------------------------------------------------- 申请


@transaction.atomic
def application_receive(
    *,
    actor,
    window: LicenceWindow,
    kind: str,
    applicant_name: str,
    applicant_id_number: str,
    received_on: dt.date,
    applicant_phone: str = "",
    customer: RetailCustomer | None = None,
    shop_name: str = "",
    shop_address: str = "",
    by_agent: bool = False,
    agent_name: str = "",
    has_business_licence: bool = False,
    priority_category: str = "",
    request_summary: str = "",
    provided=(),
    today: dt.date | None = None,
) -> LicenceApplication:
    """Receive an application at the window (申请): the checklist is built from the rule data
    and the bureau's extras; ``provided`` are the codes of the materials handed in."""
    today = today or timezone.localdate()
    if not unit_in_reach(actor, window.unit, LicenceApplication, "add"):
        raise PermissionDenied(_("该窗口不在您的权限范围内"))
    errors: dict[str, list[str]] = {}
    if not window.is_active:
        errors["window"] = [_("该窗口已停用")]
    if kind not in ApplicationKind.values:
        errors["kind"] = [_("请选择申请类型")]
    if priority_category not in PriorityCategory.values:
        errors["priority_category"] = [_("请选择正确的优先照顾类别")]
    applicant_name = (applicant_name or "").strip()
    if not applicant_name:
        errors["applicant_name"] = [_("请填写申请人姓名")]
    try:
        idcard.parse(applicant_id_number or "")
    except ValidationError as exc:
        errors["applicant_id_number"] = exc.messages
    try:
        validate_phone((applicant_phone or "").strip())
    except ValidationError as exc:
        errors["applicant_phone"] = exc.messages
    if by_agent and not (agent_name or "").strip():
        errors["agent_name"] = [_("委托代理人申请的，请填写代理人姓名")]
    errors.update(_date_not_future(received_on, "received_on", _("接收日期"), today))
    if customer is not None:
        if not customer.unit.path.startswith(window.unit.path):
            errors["customer"] = [_("该零售客户不属于本窗口所在县局")]
        else:
            # The application concerns that licensed shop (a change's new details go in
            # the request summary).
            shop_name, shop_address = customer.shop_name, customer.address
    elif kind and kind != ApplicationKind.NEW:
        errors["customer"] = [_("延续、变更、歇业、停业申请须选择已持证的零售客户")]
    if not (shop_name or "").strip():
        errors["shop_name"] = [_("新办申请请填写拟开店的店名")]
    if not (shop_address or "").strip():
        errors["shop_address"] = [_("新办申请请填写经营地址")]
    if customer is not None and not errors:
        open_ = LicenceApplication.objects.filter(
            customer=customer, status__in=LicenceApplication.OPEN_STATUSES
        ).first()
        if open_ is not None:
            errors["customer"] = [
                _("该客户已有一份办理中的申请（%(n)s），请先办结") % {"n": open_.number}
            ]
        elif kind == ApplicationKind.RENEWAL:
            expires = customer.licence_expires_on
            rule = _rule("licence.renewal_min_days", window.unit, received_on)
            if expires is None:
                errors["customer"] = [_("该客户没有许可证有效期记录，无法办理延续")]
            elif not rules.renewal_in_time(received_on, expires, rule.value):
                errors["kind"] = [
                    _(
                        "延续申请应在许可证有效期届满%(n)s日前提出（有效期至%(e)s，最迟%(last)s，"
                        "%(c)s）；已逾期，请按新办申请受理"
                    )
                    % {
                        "n": rule.value,
                        "e": expires,
                        "last": rules.renewal_last_day(expires, rule.value),
                        "c": rule.citation,
                    }
                ]
    if errors:
        raise ValidationError(errors)
    application = LicenceApplication(
        window=window,
        unit=window.unit,
        kind=kind,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=(applicant_phone or "").strip(),
        by_agent=by_agent,
        agent_name=(agent_name or "").strip() if by_agent else "",
        has_business_licence=has_business_licence,
        priority_category=priority_category,
        customer=customer,
        licence_no=customer.licence_no if customer else "",
        shop_name=shop_name.strip(),
        shop_address=shop_address.strip(),
        request_summary=(request_summary or "").strip(),
        received_on=received_on,
        received_by=actor,
    )
    _set_notice_due(application, received_on)
    application.next_due_on = application.notice_due_on
    for _attempt in range(3):
        application.number = _next_number("XK", received_on.year)
        try:
            with transaction.atomic():
                _save(application, actor, _("接收申请"))
            break
        except IntegrityError:
            application.pk = None
            continue
    provided = set(provided)
    ApplicationMaterial.objects.bulk_create(
        [
            ApplicationMaterial(
                application=application,
                code=item.code,
                name=item.name,
                reason=item.reason,
                is_local=item.is_local,
                provided=item.code in provided,
                provided_on=received_on if item.code in provided else None,
            )
            for item in _build_checklist(application)
        ]
    )
    record_event(
        actor=actor,
        verb="licence.receive",
        target=application,
        summary=f"{application.get_kind_display()} {applicant_name} {application.shop_name}",
    )
    return application


@transaction.atomic
def materials_update(
    *,
    actor,
    application: LicenceApplication,
    provided,
    notes: dict[str, str] | None = None,
    on: dt.date | None = None,
) -> LicenceApplication:
    """Tick the materials handed in (at receipt or when the applicant supplements them)."""
    application = _lock(actor, application)
    _require_status(application, Status.RECEIVED, doing=_("修改材料清单"))
    on = on or timezone.localdate()
    provided, notes = set(provided), notes or {}
    changed = []
    for material in application.materials.all():
        now_provided = material.code in provided
        note = (notes.get(material.code, material.note) or "").strip()[:200]
        if now_provided != material.provided or note != material.note:
            material.provided = now_provided
            material.provided_on = on if now_provided else None
            material.note = note
            material._history_user = actor
            material.save()
            changed.append(material.name)
    if changed:
        record_event(
            actor=actor,
            verb="licence.materials",
            target=application,
            summary="、".join(changed)[:500],
        )
    return application


def missing_materials(application: LicenceApplication) -> list[ApplicationMaterial]:
    return [m for m in application.materials.all() if not m.provided]


# ---------------------------------------------------------------------------- 一次性告知


@transaction.atomic
def notice_issue(
    *, actor, application: LicenceApplication, today: dt.date | None = None
) -> OneTimeNotice:
    """Issue the 一次性告知书: every missing material and why, in one notice.

    Refused when nothing is missing, when the 5-working-day deadline has passed (the
    application then counts as accepted on its receipt day), and for a second notice unless
    the applicant changed the request since the last one.
    """
    today = today or timezone.localdate()
    application = _lock(actor, application)
    _require_status(application, Status.RECEIVED, doing=_("出具一次性告知书"))
    missing = missing_materials(application)
    if not missing:
        raise ValidationError(_("申请材料齐全，无需出具一次性告知书，请直接受理"))
    if today > application.notice_due_on:
        rule = _rule("licence.notice_workdays", application.unit, application.received_on)
        raise ValidationError(
            _(
                "已超过一次性告知期限（%(due)s）：依照%(c)s，逾期不告知的，自收到申请材料之日"
                "（%(day)s）起即为受理。请直接受理，不能再出具一次性告知书"
            )
            % {
                "due": application.notice_due_on,
                "c": rule.citation,
                "day": notice_clock_start(application),
            }
        )
    last = application.notices.order_by("-pk").first()
    change = None
    if last is not None:
        change = application.changes.filter(created_at__gt=last.created_at).order_by("-pk").first()
        if change is None:
            raise ValidationError(
                _(
                    "本申请已于%(d)s出具一次性告知书（%(n)s），同一申请不得再次告知；"
                    "申请人变更申请事项后，请先登记变更再出具"
                )
                % {"d": last.issued_on, "n": last.number}
            )
    sequence = application.notices.count() + 1
    notice = OneTimeNotice.objects.create(
        application=application,
        number=f"{application.number}-G{sequence}",
        issued_on=today,
        due_on=application.notice_due_on,
        items=[{"name": m.name, "reason": m.reason, "note": m.note} for m in missing],
        request_change=change,
        issued_by=actor,
    )
    # The clock now waits for the applicant: nothing is due from the window until he
    # supplements the materials.
    application.next_due_on = None
    _save(application, actor, _("出具一次性告知书"))
    record_event(
        actor=actor,
        verb="licence.one_time_notice",
        target=application,
        summary=_("一次性告知书 %(n)s：缺%(k)s项") % {"n": notice.number, "k": len(missing)},
    )
    return notice


@transaction.atomic
def request_change_record(
    *,
    actor,
    application: LicenceApplication,
    description: str,
    changed_on: dt.date | None = None,
    kind: str = "",
    today: dt.date | None = None,
) -> RequestChange:
    """The applicant changed his request: recorded, the checklist follows a new kind, and the
    5-day notice clock starts again from the change."""
    today = today or timezone.localdate()
    changed_on = changed_on or today
    application = _lock(actor, application)
    _require_status(application, Status.RECEIVED, doing=_("登记申请事项变更"))
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("请填写申请人变更了哪些申请事项")]
    errors.update(_date_not_future(changed_on, "changed_on", _("变更日期"), today))
    if changed_on and changed_on < application.received_on:
        errors["changed_on"] = [_("变更日期不能早于接收日期")]
    if kind and kind not in ApplicationKind.values:
        errors["kind"] = [_("请选择申请类型")]
    if kind and kind != ApplicationKind.NEW and application.customer_id is None:
        errors["kind"] = [_("延续、变更、歇业、停业申请须有已持证的零售客户")]
    if errors:
        raise ValidationError(errors)
    change = RequestChange.objects.create(
        application=application,
        changed_on=changed_on,
        description=description.strip()[:300],
        recorded_by=actor,
    )
    if kind and kind != application.kind:
        application.kind = kind
        keep = {m.code: m for m in application.materials.all()}
        wanted = _build_checklist(application)
        wanted_codes = {item.code for item in wanted}
        application.materials.exclude(code__in=wanted_codes).delete()
        ApplicationMaterial.objects.bulk_create(
            [
                ApplicationMaterial(
                    application=application,
                    code=item.code,
                    name=item.name,
                    reason=item.reason,
                    is_local=item.is_local,
                )
                for item in wanted
                if item.code not in keep
            ]
        )
    _set_notice_due(application, changed_on)
    application.next_due_on = application.notice_due_on
    _save(application, actor, _("申请事项变更"))
    record_event(
        actor=actor, verb="licence.request_change", target=application, summary=description[:200]
    )
    return change


# ---------------------------------------------------------------------------- 受理


def _accept(application: LicenceApplication, *, on: dt.date, deemed: bool) -> None:
    application.status = Status.ACCEPTED
    application.accepted_on = on
    application.deemed_accepted = deemed
    _set_decision_due(application)
    application.next_due_on = application.decision_due_on


def deemed_acceptance_due(application: LicenceApplication, today: dt.date) -> bool:
    """Whether the application now counts as accepted on its receipt day (no notice in
    time): still waiting at 已接收, and the notice deadline passed with no notice since the
    clock started."""
    if application.status != Status.RECEIVED or application.next_due_on is None:
        return False
    return today > application.notice_due_on


@transaction.atomic
def application_accept(
    *, actor, application: LicenceApplication, today: dt.date | None = None
) -> LicenceApplication:
    """受理: with every material present; or, when the notice deadline passed without a
    notice, on the receipt day by operation of law (recorded as such)."""
    today = today or timezone.localdate()
    application = _lock(actor, application)
    _require_status(application, Status.RECEIVED, doing=_("受理"))
    if deemed_acceptance_due(application, today):
        _accept(application, on=notice_clock_start(application), deemed=True)
        _save(application, actor, _("逾期未告知，视为收到之日受理"))
        record_event(
            actor=actor,
            verb="licence.deemed_accepted",
            target=application,
            summary=_("逾期未出具一次性告知书，自%(d)s起视为受理") % {"d": application.accepted_on},
        )
        return application
    missing = missing_materials(application)
    if missing:
        raise ValidationError(
            _("材料不齐全，不能受理：缺少%(m)s。请出具一次性告知书，一次告知需补正的全部材料")
            % {"m": "、".join(m.name for m in missing)}
        )
    _accept(application, on=today, deemed=False)
    _save(application, actor, _("受理"))
    record_event(actor=actor, verb="licence.accept", target=application, summary=str(today))
    return application


@transaction.atomic
def applications_deem_accepted(*, today: dt.date | None = None) -> list[LicenceApplication]:
    """Daily: applications whose notice deadline passed without a notice count as accepted on
    their receipt day — recorded on the application, with its decision deadline."""
    today = today or timezone.localdate()
    due = list(
        LicenceApplication.objects.select_for_update(of=("self",))
        .filter(status=Status.RECEIVED, next_due_on__lt=today)
        .select_related("unit")
    )
    done = []
    for application in due:
        if not deemed_acceptance_due(application, today):
            continue
        _accept(application, on=notice_clock_start(application), deemed=True)
        _save(application, None, _("逾期未告知，视为收到之日受理"))
        record_event(
            actor=None,
            verb="licence.deemed_accepted",
            target=application,
            summary=_("逾期未出具一次性告知书，自%(d)s起视为受理") % {"d": application.accepted_on},
        )
        done.append(application)
    return done


# ---------------------------------------------------------------------------- 实地核查 / 审核


@transaction.atomic
def inspection_record(
    *,
    actor,
    application: LicenceApplication,
    inspected_on: dt.date,
    staff,
    findings: str,
    passed: bool = True,
    today: dt.date | None = None,
) -> FieldInspection:
    """实地核查 by at least two staff of the bureau, with the date and the findings."""
    today = today or timezone.localdate()
    application = _lock(actor, application)
    _require_status(application, Status.ACCEPTED, Status.INSPECTED, doing=_("登记实地核查"))
    staff = list({p.pk: p for p in staff}.values())
    errors: dict[str, list[str]] = {}
    rule = _rule("licence.inspection_min_staff", application.unit, inspected_on or today)
    if len(staff) < rule.value:
        errors["staff"] = [
            _("实地核查应由不少于%(n)s名工作人员进行（%(c)s）")
            % {"n": rule.value, "c": rule.citation}
        ]
    outside = [p.name for p in staff if not p.unit.path.startswith(application.unit.path)]
    if outside:
        errors["staff"] = [_("核查人员须为本县局人员：%(n)s") % {"n": "、".join(outside)}]
    if not (findings or "").strip():
        errors["findings"] = [_("请填写核查情况（经营场所、住店分离等实际情况）")]
    errors.update(_date_not_future(inspected_on, "inspected_on", _("核查日期"), today))
    if inspected_on and inspected_on < application.accepted_on:
        errors["inspected_on"] = [_("核查日期不能早于受理日期")]
    if errors:
        raise ValidationError(errors)
    inspection = FieldInspection.objects.create(
        application=application,
        inspected_on=inspected_on,
        findings=findings.strip(),
        passed=passed,
        recorded_by=actor,
    )
    inspection.staff.set(staff)
    application.status = Status.INSPECTED
    _save(application, actor, _("实地核查"))
    record_event(
        actor=actor,
        verb="licence.inspect",
        target=application,
        summary=f"{inspected_on} {'、'.join(p.name for p in staff)}",
    )
    return inspection


@transaction.atomic
def application_review(
    *,
    actor,
    application: LicenceApplication,
    opinion: str,
    reviewed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> LicenceApplication:
    """审核: the reviewer's opinion on the file and the inspection."""
    today = today or timezone.localdate()
    reviewed_on = reviewed_on or today
    application = _lock(actor, application)
    _require_status(application, Status.INSPECTED, doing=_("审核"))
    errors = _date_not_future(reviewed_on, "reviewed_on", _("审核日期"), today)
    if not (opinion or "").strip():
        errors["review_opinion"] = [_("请填写审核意见")]
    last = application.inspections.order_by("-inspected_on").first()
    if last and reviewed_on < last.inspected_on:
        errors["reviewed_on"] = [_("审核日期不能早于实地核查日期")]
    if errors:
        raise ValidationError(errors)
    application.status = Status.REVIEWED
    application.reviewed_on = reviewed_on
    application.review_opinion = opinion.strip()[:300]
    application.reviewed_by = actor
    _save(application, actor, _("审核"))
    record_event(actor=actor, verb="licence.review", target=application, summary=opinion[:200])
    return application


@transaction.atomic
def decision_extend(
    *,
    actor,
    application: LicenceApplication,
    approved_by: str,
    reason: str,
    today: dt.date | None = None,
) -> LicenceApplication:
    """Extend the decision deadline once, with the head's approval (recorded)."""
    today = today or timezone.localdate()
    application = _lock(actor, application)
    _require_status(application, *LicenceApplication.BEFORE_DECISION, doing=_("延长决定期限"))
    errors: dict[str, list[str]] = {}
    if application.extension_workdays:
        errors["extension_reason"] = [_("决定期限只能延长一次")]
    elif today > application.decision_due_on:
        errors["extension_reason"] = [
            _("决定期限已于%(d)s届满，不能再延长") % {"d": application.decision_due_on}
        ]
    if not (approved_by or "").strip():
        errors["extension_approved_by"] = [_("请填写批准延期的负责人")]
    if not (reason or "").strip():
        errors["extension_reason"] = errors.get("extension_reason") or [_("请填写延期理由")]
    if errors:
        raise ValidationError(errors)
    rule = _rule("licence.extension_workdays", application.unit, application.accepted_on)
    application.extension_workdays = rule.value
    application.extension_approved_by = approved_by.strip()[:50]
    application.extension_reason = reason.strip()[:200]
    _set_decision_due(application)
    application.next_due_on = application.decision_due_on
    _save(application, actor, _("延长决定期限"))
    record_event(
        actor=actor,
        verb="licence.extend",
        target=application,
        summary=_("经%(who)s批准延长%(n)s个工作日至%(d)s：%(r)s")
        % {
            "who": application.extension_approved_by,
            "n": rule.value,
            "d": application.decision_due_on,
            "r": application.extension_reason,
        },
    )
    return application


# ---------------------------------------------------------------------------- 决定 / 送达


@transaction.atomic
def application_decide(
    *,
    actor,
    application: LicenceApplication,
    decision: str,
    reason: str = "",
    decided_on: dt.date | None = None,
    today: dt.date | None = None,
) -> LicenceApplication:
    """决定: grant (a licence valid for the rule's years) or refuse with the reason; the
    delivery deadline starts."""
    today = today or timezone.localdate()
    decided_on = decided_on or today
    application = _lock(actor, application)
    _require_status(application, Status.REVIEWED, doing=_("作出决定"))
    errors = _date_not_future(decided_on, "decided_on", _("决定日期"), today)
    if decision not in LicenceApplication.Decision.values:
        errors["decision"] = [_("请选择准予许可或不予许可")]
    if decision == LicenceApplication.Decision.REFUSE and not (reason or "").strip():
        errors["decision_reason"] = [_("不予许可的，须说明理由")]
    if decided_on and application.reviewed_on and decided_on < application.reviewed_on:
        errors["decided_on"] = [_("决定日期不能早于审核日期")]
    if errors:
        raise ValidationError(errors)
    application.decision = decision
    application.decided_on = decided_on
    application.decision_reason = (reason or "").strip()[:300]
    issues_licence = decision == LicenceApplication.Decision.GRANT and application.kind in (
        ApplicationKind.NEW,
        ApplicationKind.RENEWAL,
        ApplicationKind.CHANGE,
    )
    if issues_licence:
        years = _rule("licence.validity_years", application.unit, decided_on).value
        start = decided_on
        if application.kind == ApplicationKind.RENEWAL and application.customer_id:
            expires = application.customer.licence_expires_on
            if expires and expires >= decided_on:
                start = expires + dt.timedelta(days=1)
        if application.kind == ApplicationKind.CHANGE and application.customer_id:
            # A change keeps the licence's term.
            application.licence_valid_until = application.customer.licence_expires_on
        else:
            application.licence_valid_until = rules.licence_valid_until(start, years)
    calendar = unit_calendar(application.unit)
    days = _rule("licence.delivery_workdays", application.unit, decided_on).value
    due = rules.delivery_deadline(
        decided_on, days, calendar.extra_holidays, calendar.extra_workdays
    )
    application.delivery_due_on, application.delivery_due_provisional = due.value, due.provisional
    application.status = Status.DECIDED
    application.next_due_on = application.delivery_due_on
    late = decided_on > application.decision_due_on
    _save(application, actor, _("作出决定"))
    record_event(
        actor=actor,
        verb="licence.decide",
        target=application,
        summary=f"{application.get_decision_display()} {application.decision_reason}"[:200],
        data={"late": late, "decision_due_on": str(application.decision_due_on)},
    )
    return application


@transaction.atomic
def application_deliver(
    *,
    actor,
    application: LicenceApplication,
    delivered_on: dt.date | None = None,
    method: str = "",
    today: dt.date | None = None,
) -> LicenceApplication:
    """送达 the decision (and the licence); a granted renewal moves the customer's expiry."""
    today = today or timezone.localdate()
    delivered_on = delivered_on or today
    application = _lock(actor, application)
    _require_status(application, Status.DECIDED, doing=_("登记送达"))
    errors = _date_not_future(delivered_on, "delivered_on", _("送达日期"), today)
    if delivered_on and delivered_on < application.decided_on:
        errors["delivered_on"] = [_("送达日期不能早于决定日期")]
    if not (method or "").strip():
        errors["delivery_method"] = [_("请填写送达方式（窗口领取、上门送达、邮寄等）")]
    if errors:
        raise ValidationError(errors)
    application.status = Status.DELIVERED
    application.delivered_on = delivered_on
    application.delivery_method = method.strip()[:30]
    application.next_due_on = None
    _save(application, actor, _("送达"))
    customer = application.customer
    if (
        customer is not None
        and application.decision == LicenceApplication.Decision.GRANT
        and application.kind == ApplicationKind.RENEWAL
        and application.licence_valid_until
    ):
        customer.licence_expires_on = application.licence_valid_until
        customer._history_user = actor
        customer._change_reason = f"许可证延续 {application.number}"
        customer.save(update_fields=["licence_expires_on"])
    record_event(
        actor=actor,
        verb="licence.deliver",
        target=application,
        summary=f"{delivered_on} {application.delivery_method}",
        data={"late": delivered_on > application.delivery_due_on},
    )
    return application


# ---------------------------------------------------------------------------- reminders

REMIND_AHEAD_WORKDAYS = {
    Reminder.Kind.NOTICE_DUE: 1,
    Reminder.Kind.DECISION_DUE: 3,
    Reminder.Kind.DELIVERY_DUE: 2,
}
STATUS_OF_REMINDER = {
    Reminder.Kind.NOTICE_DUE: (Status.RECEIVED,),
    Reminder.Kind.DECISION_DUE: LicenceApplication.BEFORE_DECISION,
    Reminder.Kind.DELIVERY_DUE: (Status.DECIDED,),
}


def expiry_sms_text(
    customer: RetailCustomer, window: LicenceWindow | None, renewal_days: int | None = None
) -> str:
    """A text ready to send by SMS or print for a customer whose licence expires soon."""
    if renewal_days is None:
        renewal_days = applied_rule("licence.renewal_min_days").value
    last = rules.renewal_last_day(customer.licence_expires_on, renewal_days)
    where = window.name if window else _("当地烟草专卖局办证窗口")
    phone = f"，咨询电话{window.phone}" if window and window.phone else ""
    if last < timezone.localdate():
        # Past the renewal window: no date in the past to aim for, only "now".
        return _(
            "【烟草专卖】%(owner)s您好：您的烟草专卖零售许可证（%(no)s）将于%(exp)s到期，"
            "已过延续申请期限，请尽快到%(where)s咨询办理%(phone)s。"
        ) % {
            "owner": customer.owner_name,
            "no": customer.licence_no,
            "exp": customer.licence_expires_on,
            "where": where,
            "phone": phone,
        }
    return _(
        "【烟草专卖】%(owner)s您好：您的烟草专卖零售许可证（%(no)s）将于%(exp)s到期，"
        "请于%(last)s前到%(where)s申请延续%(phone)s。"
    ) % {
        "owner": customer.owner_name,
        "no": customer.licence_no,
        "exp": customer.licence_expires_on,
        "last": last,
        "where": where,
        "phone": phone,
    }


def _remind(recipients, title: str, content: str) -> None:
    if recipients:
        transaction.on_commit(
            lambda: notify(
                kind="notice", recipients=recipients, context={"title": title, "content": content}
            )
        )


def _application_reminders(today: dt.date) -> int:
    sent = 0
    horizon = today + dt.timedelta(days=14)  # wide enough for any "N working days ahead"
    candidates = (
        LicenceApplication.objects.filter(next_due_on__isnull=False, next_due_on__lte=horizon)
        .select_related("window", "window__unit", "unit")
        .order_by("next_due_on", "pk")
    )
    calendars: dict[int, object] = {}
    users: dict[int, list] = {}
    for application in candidates.iterator(chunk_size=500):
        kind = next(k for k, st in STATUS_OF_REMINDER.items() if application.status in st)
        calendar = calendars.setdefault(application.unit_id, unit_calendar(application.unit))
        ahead = calendar.add_working_days(today, REMIND_AHEAD_WORKDAYS[kind]).value
        if application.next_due_on > ahead:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    kind=kind, application=application, due_on=application.next_due_on
                )
        except IntegrityError:
            continue  # announced before
        overdue = application.next_due_on < today
        title = _("【%(k)s%(o)s】%(n)s %(a)s") % {
            "k": Reminder.Kind(kind).label,
            "o": _("已逾期") if overdue else _("临近"),
            "n": application.number,
            "a": application.applicant_name,
        }
        content = _("%(w)s：%(a)s的%(kind)s申请（%(n)s，%(shop)s）%(k)s为%(d)s，请及时办理。") % {
            "w": application.window.name,
            "a": application.applicant_name,
            "kind": application.get_kind_display(),
            "n": application.number,
            "shop": application.shop_name,
            "k": Reminder.Kind(kind).label,
            "d": application.next_due_on,
        }
        recipients = users.setdefault(application.window_id, window_users(application.window))
        _remind(recipients, title, content)
        sent += 1
    return sent


def _expiry_reminders(today: dt.date) -> int:
    days = applied_rule("licence.expiry_warning_days", on=today).value
    until = today + dt.timedelta(days=days)
    customers = list(
        RetailCustomer.objects.filter(
            is_active=True, licence_expires_on__gte=today, licence_expires_on__lte=until
        )
        .exclude(
            pk__in=Reminder.objects.filter(
                kind=Reminder.Kind.EXPIRY, due_on__gte=today, customer__isnull=False
            ).values("customer_id")
        )
        .select_related("account_manager__user", "unit")
        .order_by("licence_expires_on", "pk")
    )
    if not customers:
        return 0
    Reminder.objects.bulk_create(
        [
            Reminder(kind=Reminder.Kind.EXPIRY, customer=c, due_on=c.licence_expires_on)
            for c in customers
        ],
        ignore_conflicts=True,
    )
    by_manager: dict[int, list[RetailCustomer]] = {}
    managers: dict[int, User] = {}
    for customer in customers:
        manager = customer.account_manager
        user = getattr(manager, "user", None) if manager else None
        if user is None or not user.is_active:
            continue
        managers[user.pk] = user
        by_manager.setdefault(user.pk, []).append(customer)
    for user_pk, rows in by_manager.items():
        lines = "\n".join(
            f"{c.shop_name}（{c.licence_no}，{c.owner_name}）{c.licence_expires_on}" for c in rows
        )
        _remind(
            [managers[user_pk]],
            _("【许可证即将到期】%(n)s户") % {"n": len(rows)},
            _("您服务的以下零售客户许可证将在%(d)s天内到期，请提醒其在到期30日前申请延续：\n%(l)s")
            % {"d": days, "l": lines},
        )
    return len(customers)


def licence_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run: deemed acceptances, deadline reminders (each once), expiry notices."""
    today = today or timezone.localdate()
    deemed = applications_deem_accepted(today=today)
    with transaction.atomic():
        for application in deemed:
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        kind=Reminder.Kind.DEEMED,
                        application=application,
                        due_on=application.accepted_on,
                    )
            except IntegrityError:
                continue
            _remind(
                window_users(application.window),
                _("【逾期未告知视为受理】%(n)s") % {"n": application.number},
                _(
                    "%(a)s的申请（%(n)s）未在期限内出具一次性告知书，已自%(d)s起视为受理，"
                    "决定期限为%(due)s。"
                )
                % {
                    "a": application.applicant_name,
                    "n": application.number,
                    "d": application.accepted_on,
                    "due": application.decision_due_on,
                },
            )
        reminders = _application_reminders(today)
        expiring = _expiry_reminders(today)
    return {"deemed": len(deemed), "reminders": reminders, "expiring": expiring}
