"""Writes of 首问负责制: one transaction each, audited, the timeline and the statistics rollup
kept in the same transaction, notifications after commit.

Who may act on a ticket:
- receive (登记 / 受理): staff with ``add``/``change`` on tickets of the unit; the first one
  becomes the owner and stays the owner to the end;
- work it (记录, 转办, 待客户补充, 答复): its current handler, its owner, or staff with
  ``change`` on tickets of its unit;
- close (结案) and merge: the owner, or staff with ``delete`` (the office) when the owner
  cannot.

Escalation (超时升级) goes to the owner's superiors: users holding the 领导 or 党建办 role on
the nearest unit above the owner's own unit (the unit of the owner's staff record, else the
ticket's unit) that has any; a public ticket nobody accepted escalates from its unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.notifications.services import notify
from dangjian.orgs.models import Unit
from dangjian.platform.audit import record_event
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.links import absolute_url
from dangjian.platform.scoping import user_can
from dangjian.workcalendar.selectors import unit_calendar

from . import rules, stats
from .models import (
    Kind,
    Priority,
    SlaPolicy,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketEvent,
    new_tracking_code,
)
from .selectors import units_for

ALLOWED_ATTACHMENTS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
STAFF_CHANNELS = (
    Ticket.Channel.WINDOW,
    Ticket.Channel.PHONE,
    Ticket.Channel.WECHAT,
    Ticket.Channel.VISIT,
)
SUPERIOR_ROLES = (Role.LEADER, Role.OFFICE)
RECEIVER_ROLES = (Role.WINDOW_CLERK, Role.OFFICE)


# ---------------------------------------------------------------------------- SLA clock


def policy_for(kind: str, priority: str) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(kind=kind, priority=priority).first()
    if policy is not None:
        return policy
    first, resolution, remind = rules.DEFAULT_SLA[(kind, priority)]
    return SlaPolicy(
        kind=kind,
        priority=priority,
        first_response_hours=first,
        resolution_hours=resolution,
        remind_before_hours=remind,
        max_transfers=rules.DEFAULT_MAX_TRANSFERS,
    )


def _calendar(unit_id: int, start: dt.datetime):
    day = timezone.localtime(start).date()
    unit = Unit.objects.get(pk=unit_id)
    return unit_calendar(unit, start=day - dt.timedelta(days=1), end=day + dt.timedelta(days=400))


def _remind_point(hours: Decimal, before: Decimal) -> Decimal:
    # Remind ``before`` hours ahead, but never in the first half of a short clock.
    return max(hours - before, hours / 2)


def set_due_times(ticket: Ticket, calendar=None) -> None:
    """First-response and resolution due times (and their reminder points) from the ticket's
    creation, in business hours of its unit's calendar."""
    calendar = calendar or _calendar(ticket.unit_id, ticket.created_at)
    policy = policy_for(ticket.kind, ticket.priority)
    start = ticket.created_at
    first = calendar.add_business_hours(start, policy.first_response_hours)
    resolution = calendar.add_business_hours(start, policy.resolution_hours)
    ticket.first_response_due = first.value
    ticket.resolution_due = resolution.value
    ticket.first_response_remind_at = calendar.add_business_hours(
        start, _remind_point(policy.first_response_hours, policy.remind_before_hours)
    ).value
    ticket.resolution_remind_at = calendar.add_business_hours(
        start, _remind_point(policy.resolution_hours, policy.remind_before_hours)
    ).value
    ticket.sla_provisional = first.provisional or resolution.provisional


def _business_seconds(ticket: Ticket, until: dt.datetime, calendar=None) -> int:
    calendar = calendar or _calendar(ticket.unit_id, ticket.created_at)
    spent = calendar.business_hours_between(ticket.created_at, until).value
    return max(0, int(spent.total_seconds()) - ticket.paused_seconds)


def _record_response(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.first_response_at is not None:
        return
    ticket.first_response_at = now
    ticket.first_response_seconds = _business_seconds(ticket, now)
    ticket.response_met = now <= ticket.first_response_due


# ---------------------------------------------------------------------------- helpers


def _event(ticket, kind, *, actor=None, text="", public=False, at=None, **extra) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        text=text,
        public=public,
        at=at or timezone.now(),
        **extra,
    )


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _in_scope(actor, ticket: Ticket, action: str) -> bool:
    return Ticket.objects.restrict(actor, action).filter(pk=ticket.pk).exists()


def may_work(actor, ticket: Ticket) -> bool:
    """Owner, current handler, or staff with ``change`` on tickets of its unit."""
    if actor.pk in (ticket.owner_id, ticket.handler_id):
        return True
    return _in_scope(actor, ticket, "change")


def may_close(actor, ticket: Ticket) -> bool:
    return actor.pk == ticket.owner_id or _in_scope(actor, ticket, "delete")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_status(ticket: Ticket, allowed, message: str) -> None:
    if ticket.status not in allowed:
        raise ValidationError(message)


def _clean_text(value: str, field: str, label: str, limit: int, errors: dict, required=True):
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        errors[field] = [_("请填写%(label)s") % {"label": label}]
    elif len(value) > limit:
        errors[field] = [_("%(label)s不能超过%(n)s字") % {"label": label, "n": limit}]
    return value


def _valid_phone(phone: str) -> bool:
    return phone.isdigit() and 7 <= len(phone) <= 12


def _check_uploads(uploads, errors: dict, existing: int = 0) -> None:
    uploads = [u for u in uploads or () if u]
    if len(uploads) + existing > MAX_ATTACHMENTS:
        errors["attachments"] = [_("附件最多%(n)s个") % {"n": MAX_ATTACHMENTS}]
        return
    for upload in uploads:
        suffix = PurePath(upload.name).suffix.lower()
        if suffix not in ALLOWED_ATTACHMENTS:
            errors["attachments"] = [
                _("附件“%(name)s”类型不支持，仅限：%(types)s")
                % {"name": upload.name[:60], "types": "、".join(sorted(ALLOWED_ATTACHMENTS))}
            ]
            return
        if upload.size > MAX_ATTACHMENT_BYTES:
            errors["attachments"] = [_("附件“%(name)s”超过10MB") % {"name": upload.name[:60]}]
            return


def _save_uploads(ticket: Ticket, uploads, actor) -> None:
    for upload in [u for u in uploads or () if u]:
        suffix = PurePath(upload.name).suffix.lower()
        attachment = TicketAttachment(
            ticket=ticket,
            name=PurePath(upload.name).name[:200],
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        attachment.file.save(f"attachment{suffix}", upload, save=False)
        attachment.save()
        _event(ticket, TicketEvent.Kind.ATTACHED, actor=actor, text=attachment.name)


def _users_with_roles(unit: Unit, roles, *, above: bool = False) -> list[User]:
    """Active users holding one of ``roles`` on the nearest unit of ``unit``'s lineage (from
    the unit itself upward, or from its parent when ``above``) that has any."""
    step = Unit.steplen
    end = len(unit.path) - (step if above else 0)
    prefixes = [unit.path[:i] for i in range(step, end + 1, step)]
    grants = (
        RoleGrant.objects.filter(unit__path__in=prefixes, role__in=roles, user__is_active=True)
        .select_related("user", "unit")
        .order_by("-unit__depth", "pk")
    )
    nearest = None
    found = []
    for grant in grants:
        if nearest is None:
            nearest = grant.unit.depth
        if grant.unit.depth != nearest:
            break
        if grant.user not in found:
            found.append(grant.user)
    return found


def superiors_of(ticket: Ticket) -> list[User]:
    """Whom an overdue ticket escalates to (see the module docstring)."""
    unit = ticket.unit
    owner = ticket.owner
    person = getattr(owner, "person", None) if owner is not None else None
    if person is not None and person.unit_id:
        unit = person.unit
    people = _users_with_roles(unit, SUPERIOR_ROLES, above=owner is not None)
    if not people:
        people = _users_with_roles(unit, SUPERIOR_ROLES)
    return [u for u in people if u.pk != ticket.owner_id]


def receivers_of(unit: Unit) -> list[User]:
    """Who is told of a new public ticket: window clerks or the office nearest the unit."""
    return _users_with_roles(unit, RECEIVER_ROLES) or _users_with_roles(unit, SUPERIOR_ROLES)


def _link(ticket: Ticket) -> str:
    return absolute_url(reverse("tickets:detail", args=[ticket.pk]))


def _tell(users, title: str, content: str, *, kind: str = "notice") -> None:
    users = [u for u in users if u is not None]
    if users:
        transaction.on_commit(
            lambda: notify(
                kind=kind, recipients=users, context={"title": title, "content": content}
            )
        )


def tracking_url(ticket: Ticket) -> str:
    return absolute_url(reverse("tickets:track", args=[ticket.tracking_code]))


def rating_url(ticket: Ticket) -> str:
    return absolute_url(reverse("tickets:rate", args=[ticket.rating_code]))


# ---------------------------------------------------------------------------- create


def ticket_create(
    *,
    actor=None,
    kind: str,
    category: TicketCategory | None,
    contact_name: str,
    subject: str,
    text: str,
    channel: str = Ticket.Channel.PUBLIC,
    priority: str = Priority.NORMAL,
    unit: Unit | None = None,
    customer: RetailCustomer | None = None,
    contact_phone: str = "",
    uploads=(),
    nonce: str | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Register a ticket.

    Staff channels (窗口, 电话, 微信, 走访): ``actor`` received it and is its owner from now on;
    receiving in person is the first response. The public form (``actor`` None) and other
    systems (channel ``api``) leave it 待受理 until a staff member accepts it. ``nonce`` is
    the public form's one-use token.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    public = actor is None
    if public:
        channel = Ticket.Channel.PUBLIC
        priority = Priority.NORMAL
    elif channel not in STAFF_CHANNELS + (Ticket.Channel.API,):
        errors["channel"] = [_("请选择来源渠道")]
    if kind not in Kind.values:
        errors["kind"] = [_("请选择诉求类型")]
    if priority not in Priority.values:
        errors["priority"] = [_("请选择优先级")]
    if category is None or not category.is_active:
        errors["category"] = [_("请选择诉求类别")]
    contact_name = _clean_text(contact_name, "contact_name", _("联系人"), 50, errors)
    subject = _clean_text(subject, "subject", _("标题"), rules.MAX_SUBJECT, errors)
    text = _clean_text(text, "text", _("诉求内容"), rules.MAX_TEXT, errors)
    phone = (contact_phone or "").strip().replace(" ", "").replace("-", "")
    if public and not phone:
        errors["contact_phone"] = [_("请填写联系电话，便于回复您")]
    elif phone and not _valid_phone(phone):
        errors["contact_phone"] = [_("请填写有效的联系电话（7–12位数字）")]
    if customer is not None:
        if (
            public
            or not RetailCustomer.objects.restrict(actor, "view").filter(pk=customer.pk).exists()
        ):
            errors["customer"] = [_("所选客户不存在或不在您的权限范围内")]
        elif unit is None:
            unit = customer.unit
    if unit is None:
        errors["unit"] = [_("请选择受理单位")]
    elif public:
        if unit.kind not in (Unit.Kind.BUREAU, Unit.Kind.COMPANY) or not unit.is_active:
            errors["unit"] = [_("请选择受理单位")]
    elif not units_for(actor, "add").filter(pk=unit.pk).exists():
        errors["unit"] = [_("您无权在该单位登记诉求")]
    _check_uploads(uploads, errors)
    if errors:
        raise ValidationError(errors)
    receives_now = not public and channel != Ticket.Channel.API
    ticket = Ticket(
        kind=kind,
        priority=priority,
        category=category,
        channel=channel,
        unit=unit,
        customer=customer,
        contact_name=contact_name,
        contact_phone=phone,
        contact_phone_hash=lookup_hash(phone),
        subject=subject,
        text=text,
        status=Ticket.Status.OPEN if receives_now else Ticket.Status.NEW,
        owner=actor if receives_now else None,
        created_by=None if public else actor,
        created_at=now,
        form_nonce=nonce,
    )
    set_due_times(ticket)
    if receives_now:
        ticket.first_response_at = now
        ticket.first_response_seconds = 0
        ticket.response_met = True
    try:
        with transaction.atomic():
            ticket.save()
            before = stats.contribution(Ticket())
            _event(
                ticket,
                TicketEvent.Kind.CREATED,
                actor=actor,
                at=now,
                public=True,
                text=_("通过“%(channel)s”登记") % {"channel": ticket.get_channel_display()},
            )
            if receives_now:
                _event(
                    ticket,
                    TicketEvent.Kind.ACCEPTED,
                    actor=actor,
                    at=now,
                    public=True,
                    text=_("首问负责人：%(name)s") % {"name": actor},
                )
            _save_uploads(ticket, uploads, actor)
            stats.apply(ticket, before)
            record_event(actor=actor, verb="ticket.create", target=ticket, summary=subject)
    except IntegrityError as exc:
        raise ValidationError({"text": [_("该表单已提交过，请刷新页面后重新填写")]}) from exc
    if not receives_now:
        _tell(
            receivers_of(unit),
            _("【待受理诉求】%(s)s") % {"s": subject},
            _("%(unit)s收到一条新的%(kind)s“%(s)s”，请在%(due)s前受理：%(link)s")
            % {
                "unit": unit.name,
                "kind": ticket.get_kind_display(),
                "s": subject,
                "due": f"{timezone.localtime(ticket.first_response_due):%m-%d %H:%M}",
                "link": _link(ticket),
            },
        )
    return ticket


# ---------------------------------------------------------------------------- steps


@transaction.atomic
def ticket_accept(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """受理 a ticket that came in unowned: the actor becomes its first responder (owner)."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _require(_in_scope(actor, ticket, "change"), _("您无权受理该工单"))
    _require_status(ticket, (Ticket.Status.NEW,), _("该工单已由他人受理"))
    before = stats.contribution(ticket)
    ticket.owner = actor
    ticket.status = Ticket.Status.OPEN
    _record_response(ticket, now)
    ticket.save()
    _event(
        ticket,
        TicketEvent.Kind.ACCEPTED,
        actor=actor,
        at=now,
        public=True,
        text=_("已受理，首问负责人：%(name)s") % {"name": actor},
    )
    stats.apply(ticket, before)
    record_event(actor=actor, verb="ticket.accept", target=ticket, summary=ticket.subject)
    return ticket


def _transfer_facts(ticket: Ticket, policy: SlaPolicy) -> rules.TransferFacts:
    steps = list(
        ticket.events.filter(kind=TicketEvent.Kind.TRANSFERRED)
        .order_by("at", "pk")
        .values_list("to_user_id", flat=True)
    )
    current = ticket.handler_id
    # Everyone who was a handler and no longer is (transferred on, or returned it).
    previous = tuple(dict.fromkeys(u for u in steps if u is not None and u != current))
    return rules.TransferFacts(
        owner_id=ticket.owner_id,
        current_handler_id=current,
        previous_handler_ids=previous,
        transfers_so_far=ticket.transfer_count,
        max_transfers=policy.max_transfers,
    )


@transaction.atomic
def ticket_transfer(
    *, actor, ticket: Ticket, to_user: User, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """转办 to another person (and so his department); the owner stays the owner. Loops
    (A→B→A) and more than the policy's number of transfers are refused."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _require(may_work(actor, ticket), _("您无权转办该工单"))
    _require_status(ticket, (Ticket.Status.OPEN,), _("只有办理中的工单可以转办"))
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("转办说明"), 500, errors)
    if errors:
        raise ValidationError(errors)
    if to_user is None or not to_user.is_active or not user_can(to_user, "change", Ticket):
        raise ValidationError({"to_user": [_("请选择可以办理工单的工作人员")]})
    problem = rules.transfer_problem(
        _transfer_facts(ticket, policy_for(ticket.kind, ticket.priority)),
        to_user.pk,
        to_name=str(to_user),
    )
    if problem:
        raise ValidationError({"to_user": [problem]})
    person = getattr(to_user, "person", None)
    ticket.handler = to_user
    ticket.handler_unit = person.unit if person is not None else None
    ticket.transfer_count += 1
    ticket.save()
    _event(
        ticket,
        TicketEvent.Kind.TRANSFERRED,
        actor=actor,
        at=now,
        to_user=to_user,
        to_unit=ticket.handler_unit,
        text=note,
        public=True,
    )
    record_event(actor=actor, verb="ticket.transfer", target=ticket, summary=f"→ {to_user}：{note}")
    _tell(
        [to_user],
        _("【转办工单】%(s)s") % {"s": ticket.subject},
        _("%(who)s将工单“%(s)s”转给您办理（首问负责人：%(owner)s），请在%(due)s前办结：%(link)s")
        % {
            "who": actor,
            "s": ticket.subject,
            "owner": ticket.owner,
            "due": f"{timezone.localtime(ticket.resolution_due):%m-%d %H:%M}",
            "link": _link(ticket),
        },
    )
    return ticket


@transaction.atomic
def ticket_return(*, actor, ticket: Ticket, note: str, now: dt.datetime | None = None) -> Ticket:
    """The handler gives the ticket back to its owner (with the reason)."""
    ticket = _locked(ticket)
    _require(
        actor.pk == ticket.handler_id or _in_scope(actor, ticket, "change"), _("您无权退回该工单")
    )
    if ticket.handler_id is None:
        raise ValidationError(_("该工单没有承办人，无需退回"))
    _require_status(ticket, (Ticket.Status.OPEN,), _("只有办理中的工单可以退回"))
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("退回理由"), 500, errors)
    if errors:
        raise ValidationError(errors)
    ticket.handler = None
    ticket.handler_unit = None
    ticket.save()
    _event(ticket, TicketEvent.Kind.RETURNED, actor=actor, at=now, text=note)
    record_event(actor=actor, verb="ticket.return", target=ticket, summary=note)
    _tell(
        [ticket.owner],
        _("【工单退回】%(s)s") % {"s": ticket.subject},
        _("%(who)s退回了工单“%(s)s”：%(note)s") % {"who": actor, "s": ticket.subject, "note": note},
    )
    return ticket


@transaction.atomic
def ticket_note(
    *, actor, ticket: Ticket, text: str, public: bool = False, uploads=(), now=None
) -> TicketEvent:
    """A step of the work (called the customer, checked the stock …), optionally shown on the
    customer's tracking page; attachments may come with it."""
    ticket = _locked(ticket)
    _require(may_work(actor, ticket), _("您无权办理该工单"))
    _require_status(ticket, Ticket.OPEN_STATUSES, _("该工单已结案，不能再添加办理记录"))
    errors: dict[str, list[str]] = {}
    text = _clean_text(text, "text", _("办理记录"), rules.MAX_TEXT, errors, required=not uploads)
    _check_uploads(uploads, errors, existing=ticket.attachments.count())
    if errors:
        raise ValidationError(errors)
    event = None
    if text:
        event = _event(ticket, TicketEvent.Kind.NOTE, actor=actor, at=now, text=text, public=public)
    _save_uploads(ticket, uploads, actor)
    record_event(actor=actor, verb="ticket.note", target=ticket, summary=text[:100])
    return event


@transaction.atomic
def ticket_wait(*, actor, ticket: Ticket, note: str, now: dt.datetime | None = None) -> Ticket:
    """待客户补充: the SLA clock stops until the customer answers (``ticket_resume``)."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _require(may_work(actor, ticket), _("您无权办理该工单"))
    _require_status(ticket, (Ticket.Status.OPEN,), _("只有办理中的工单可以要求客户补充"))
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("需要客户补充的内容"), 500, errors)
    if errors:
        raise ValidationError(errors)
    ticket.status = Ticket.Status.WAITING
    ticket.paused_since = now
    ticket.save()
    _event(ticket, TicketEvent.Kind.WAITING, actor=actor, at=now, text=note, public=True)
    record_event(actor=actor, verb="ticket.wait", target=ticket, summary=note)
    return ticket


@transaction.atomic
def ticket_resume(
    *, actor=None, ticket: Ticket, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """The customer answered (on the tracking page, ``actor`` None, or told staff): the clock
    runs again and every due time moves on by the business time spent waiting."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if actor is not None:
        _require(may_work(actor, ticket), _("您无权办理该工单"))
    _require_status(ticket, (Ticket.Status.WAITING,), _("该工单不在“待客户补充”状态"))
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("补充内容"), rules.MAX_TEXT, errors, required=actor is None)
    if errors:
        raise ValidationError(errors)
    calendar = _calendar(ticket.unit_id, ticket.paused_since)
    paused = calendar.business_hours_between(ticket.paused_since, now).value
    for field in (
        "resolution_due",
        "resolution_remind_at",
        "first_response_due",
        "first_response_remind_at",
    ):
        value = getattr(ticket, field)
        if value is not None and (field.startswith("resolution") or not ticket.first_response_at):
            setattr(ticket, field, calendar.add_business_hours(value, paused).value)
    ticket.paused_seconds += int(paused.total_seconds())
    ticket.paused_since = None
    ticket.status = Ticket.Status.OPEN
    ticket.save()
    hours = round(paused.total_seconds() / 3600, 1)
    _event(
        ticket,
        TicketEvent.Kind.RESUMED,
        actor=actor,
        at=now,
        text=(note + "\n" if note else "")
        + _("暂停%(h)s个工作小时，办结期限顺延至%(due)s")
        % {"h": hours, "due": f"{timezone.localtime(ticket.resolution_due):%Y-%m-%d %H:%M}"},
        public=True,
    )
    record_event(actor=actor, verb="ticket.resume", target=ticket, summary=ticket.subject)
    if actor is None:
        _tell(
            [ticket.worker],
            _("【客户已补充】%(s)s") % {"s": ticket.subject},
            _("客户已补充材料，工单“%(s)s”恢复计时：%(link)s")
            % {"s": ticket.subject, "link": _link(ticket)},
        )
    return ticket


def _resolve(ticket: Ticket, resolution: str, now: dt.datetime) -> None:
    ticket.resolution = resolution
    if ticket.resolved_at is None:
        ticket.resolved_at = now
        ticket.resolution_seconds = _business_seconds(ticket, now)
        ticket.resolution_met = now <= ticket.resolution_due


@transaction.atomic
def ticket_resolve(
    *, actor, ticket: Ticket, resolution: str, now: dt.datetime | None = None
) -> Ticket:
    """答复: the handler (or owner) records the answer; the owner then follows up and closes."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _require(may_work(actor, ticket), _("您无权办理该工单"))
    _require_status(ticket, (Ticket.Status.OPEN,), _("只有办理中的工单可以答复"))
    errors: dict[str, list[str]] = {}
    resolution = _clean_text(resolution, "resolution", _("办理结果"), rules.MAX_TEXT, errors)
    if errors:
        raise ValidationError(errors)
    before = stats.contribution(ticket)
    _resolve(ticket, resolution, now)
    ticket.status = Ticket.Status.RESOLVED
    ticket.save()
    _event(ticket, TicketEvent.Kind.RESOLVED, actor=actor, at=now, text=resolution, public=True)
    stats.apply(ticket, before)
    record_event(actor=actor, verb="ticket.resolve", target=ticket, summary=resolution[:100])
    if actor.pk != ticket.owner_id:
        _tell(
            [ticket.owner],
            _("【待结案】%(s)s") % {"s": ticket.subject},
            _("%(who)s已答复工单“%(s)s”，请回访客户并结案：%(link)s")
            % {"who": actor, "s": ticket.subject, "link": _link(ticket)},
        )
    return ticket


@transaction.atomic
def ticket_reopen(*, actor, ticket: Ticket, note: str, now: dt.datetime | None = None) -> Ticket:
    """The owner is not satisfied with the answer: back to 办理中 (the handler works on)."""
    ticket = _locked(ticket)
    _require(may_close(actor, ticket), _("只有首问负责人可以退回重办"))
    _require_status(ticket, (Ticket.Status.RESOLVED,), _("只有已答复的工单可以重新办理"))
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("重办理由"), 500, errors)
    if errors:
        raise ValidationError(errors)
    ticket.status = Ticket.Status.OPEN
    ticket.save()
    _event(ticket, TicketEvent.Kind.REOPENED, actor=actor, at=now, text=note)
    record_event(actor=actor, verb="ticket.reopen", target=ticket, summary=note)
    _tell(
        [ticket.handler],
        _("【重新办理】%(s)s") % {"s": ticket.subject},
        _("首问负责人退回了您的答复：%(note)s") % {"note": note},
    )
    return ticket


@transaction.atomic
def ticket_close(
    *, actor, ticket: Ticket, resolution: str = "", now: dt.datetime | None = None
) -> Ticket:
    """结案 by the owner: the answer is final, the customer gets a one-use rating link."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _require(may_close(actor, ticket), _("只有首问负责人可以结案"))
    _require_status(
        ticket, (Ticket.Status.OPEN, Ticket.Status.RESOLVED), _("只有办理中或已答复的工单可以结案")
    )
    errors: dict[str, list[str]] = {}
    resolution = _clean_text(
        resolution or ticket.resolution, "resolution", _("办理结果"), rules.MAX_TEXT, errors
    )
    if errors:
        raise ValidationError(errors)
    before = stats.contribution(ticket)
    _resolve(ticket, resolution, now)
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = now
    ticket.close_seconds = _business_seconds(ticket, now)
    ticket.rating_code = new_tracking_code()
    ticket.save()
    _event(ticket, TicketEvent.Kind.CLOSED, actor=actor, at=now, text=resolution, public=True)
    stats.apply(ticket, before)
    record_event(actor=actor, verb="ticket.close", target=ticket, summary=resolution[:100])
    return ticket


@transaction.atomic
def ticket_merge(
    *, actor, ticket: Ticket, into: Ticket, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """合并: ``ticket`` is a duplicate of ``into``; it closes as 已合并 and points there (its own
    duplicates follow). The survivor's timeline shows the merge."""
    now = now or timezone.now()
    if into is None:
        raise ValidationError({"into": [_("请填写要合并到的工单编号")]})
    if into.pk == ticket.pk:
        raise ValidationError({"into": [_("不能与自身合并")]})
    first, second = sorted([ticket.pk, into.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    ticket, into = locked[ticket.pk], locked[into.pk]
    _require(may_close(actor, ticket), _("只有首问负责人可以合并该工单"))
    if not (may_work(actor, into)):
        raise ValidationError({"into": [_("工单不存在或不在您的权限范围内")]})
    if ticket.status not in Ticket.OPEN_STATUSES:
        raise ValidationError(_("只有未结案的工单可以合并"))
    if into.status == Ticket.Status.MERGED:
        raise ValidationError(
            {
                "into": [
                    _("工单%(n)s已合并至%(m)s，请合并到后者")
                    % {"n": into.number, "m": into.merged_into.number}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    note = _clean_text(note, "note", _("合并说明"), 500, errors, required=False)
    if errors:
        raise ValidationError(errors)
    before = stats.contribution(ticket)
    ticket.status = Ticket.Status.MERGED
    ticket.merged_into = into
    ticket.closed_at = now
    ticket.paused_since = None
    ticket.save()
    Ticket.objects.filter(merged_into=ticket).update(merged_into=into)
    _event(
        ticket,
        TicketEvent.Kind.MERGED,
        actor=actor,
        at=now,
        other=into,
        public=True,
        text=_("与工单%(n)s为同一诉求，合并办理。%(note)s") % {"n": into.number, "note": note},
    )
    _event(
        into,
        TicketEvent.Kind.MERGED,
        actor=actor,
        at=now,
        other=ticket,
        text=_("合并了重复工单%(n)s（%(who)s）。%(note)s")
        % {"n": ticket.number, "who": ticket.contact_name, "note": note},
    )
    stats.apply(ticket, before)
    record_event(actor=actor, verb="ticket.merge", target=ticket, summary=f"→ {into.number}")
    return ticket


@transaction.atomic
def ticket_attach(*, actor, ticket: Ticket, uploads) -> None:
    ticket = _locked(ticket)
    _require(may_work(actor, ticket), _("您无权办理该工单"))
    errors: dict[str, list[str]] = {}
    if not [u for u in uploads or () if u]:
        errors["attachments"] = [_("请选择要上传的文件")]
    _check_uploads(uploads, errors, existing=ticket.attachments.count())
    if errors:
        raise ValidationError(errors)
    _save_uploads(ticket, uploads, actor)
    record_event(actor=actor, verb="ticket.attach", target=ticket, summary=str(len(uploads)))


# ---------------------------------------------------------------------------- public side


def ticket_supplement(*, ticket: Ticket, text: str, now=None) -> Ticket:
    """The customer's answer on the tracking page (only while 待客户补充)."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status != Ticket.Status.WAITING:
        raise ValidationError({"text": [_("该诉求当前不需要补充材料")]})
    return ticket_resume(actor=None, ticket=ticket, note=text, now=now)


@transaction.atomic
def ticket_rate(*, code: str, rating, comment: str = "", now=None) -> Ticket:
    """The customer's satisfaction at close, through the one-use link (spent by this call)."""
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().filter(rating_code=code or "-").first()
    if ticket is None:
        raise PermissionDenied(_("评价链接无效或已使用"))
    errors: dict[str, list[str]] = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = [_("请选择1–5星的满意度")]
    comment = _clean_text(comment, "comment", _("评价意见"), 500, errors, required=False)
    if errors:
        raise ValidationError(errors)
    before = stats.contribution(ticket)
    ticket.rating = rating
    ticket.rating_comment = comment
    ticket.rated_at = now
    ticket.rating_code = None
    ticket.save()
    _event(
        ticket,
        TicketEvent.Kind.RATED,
        at=now,
        text=f"{'★' * rating}{'☆' * (5 - rating)} {comment}".strip(),
        public=True,
    )
    stats.apply(ticket, before)
    record_event(actor=None, verb="ticket.rate", target=ticket, summary=str(rating))
    if rating <= 2:
        _tell(
            [ticket.owner, *superiors_of(ticket)],
            _("【不满意评价】%(s)s") % {"s": ticket.subject},
            _("客户对工单“%(s)s”评价%(r)s星：%(c)s %(link)s")
            % {"s": ticket.subject, "r": rating, "c": comment, "link": _link(ticket)},
        )
    return ticket


# ---------------------------------------------------------------------------- SLA check


def _alert(ticket: Ticket, flag: str, kind: str, users, title: str, content: str, *, now):
    """Send one alert once: the flag is set with a conditional UPDATE, so two workers never
    both send it."""
    with transaction.atomic():
        if not Ticket.objects.filter(pk=ticket.pk, **{flag: False}).update(**{flag: True}):
            return False
        names = "、".join(str(u) for u in users) or _("（无可通知对象）")
        _event(ticket, kind, at=now, text=f"{title} → {names}")
        if users:
            if kind == TicketEvent.Kind.ESCALATED:
                context = {
                    "ticket": f"{ticket.number} {ticket.subject}",
                    "deadline": content,
                    "escalated_to": names,
                }
                transaction.on_commit(
                    lambda: notify(kind="sla_escalation", recipients=users, context=context)
                )
            else:
                _tell(users, title, content)
    return True


def tickets_sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Reminders before the due times and escalations after them, each sent once (the
    periodic task runs this every 15 minutes). Waiting tickets are paused: skipped."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    open_ = Ticket.objects.select_related("owner", "handler", "unit").filter(
        status__in=[Ticket.Status.NEW, Ticket.Status.OPEN]
    )

    def fmt(value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    for ticket in open_.filter(
        status=Ticket.Status.NEW, response_reminded=False, first_response_remind_at__lte=now
    ):
        counts["reminded"] += _alert(
            ticket,
            "response_reminded",
            TicketEvent.Kind.REMINDED,
            receivers_of(ticket.unit),
            _("【即将超时未受理】%(s)s") % {"s": ticket.subject},
            _("工单%(n)s须在%(due)s前受理：%(link)s")
            % {"n": ticket.number, "due": fmt(ticket.first_response_due), "link": _link(ticket)},
            now=now,
        )
    for ticket in open_.filter(
        status=Ticket.Status.NEW, response_escalated=False, first_response_due__lt=now
    ):
        counts["escalated"] += _alert(
            ticket,
            "response_escalated",
            TicketEvent.Kind.ESCALATED,
            superiors_of(ticket),
            _("超时未受理"),
            _("首次响应 %(due)s") % {"due": fmt(ticket.first_response_due)},
            now=now,
        )
    running = open_.filter(status=Ticket.Status.OPEN, resolved_at__isnull=True)
    for ticket in running.filter(resolution_reminded=False, resolution_remind_at__lte=now):
        counts["reminded"] += _alert(
            ticket,
            "resolution_reminded",
            TicketEvent.Kind.REMINDED,
            [u for u in (ticket.handler, ticket.owner) if u is not None],
            _("【即将到期】%(s)s") % {"s": ticket.subject},
            _("工单%(n)s须在%(due)s前办结：%(link)s")
            % {"n": ticket.number, "due": fmt(ticket.resolution_due), "link": _link(ticket)},
            now=now,
        )
    for ticket in running.filter(resolution_escalated=False, resolution_due__lt=now):
        counts["escalated"] += _alert(
            ticket,
            "resolution_escalated",
            TicketEvent.Kind.ESCALATED,
            superiors_of(ticket),
            _("超时未办结"),
            _("办结 %(due)s") % {"due": fmt(ticket.resolution_due)},
            now=now,
        )
    return counts


# ---------------------------------------------------------------------------- settings


@transaction.atomic
def category_save(*, actor, category: TicketCategory) -> TicketCategory:
    _require(user_can(actor, "change", TicketCategory), _("您无权维护诉求类别"))
    category.full_clean()
    category.save()
    record_event(actor=actor, verb="ticket.category", target=category, summary=category.name)
    return category


@transaction.atomic
def sla_policy_save(*, actor, policy: SlaPolicy) -> SlaPolicy:
    """Change SLA hours; tickets already received keep the due times they were given."""
    _require(user_can(actor, "change", SlaPolicy), _("您无权修改办理时限"))
    policy.full_clean()
    policy.save()
    record_event(actor=actor, verb="ticket.sla", target=policy, summary=str(policy))
    return policy


def stats_rebuild() -> int:
    """Recompute the statistics rollup from the tickets (the job of the 统计 page)."""
    return stats.rebuild()


def customer_contact(customer: RetailCustomer) -> dict:
    return {"contact_name": customer.owner_name, "contact_phone": customer.phone or ""}
