"""Writes of 增值服务: one transaction each, audited; notifications and jobs after commit.

Big sets (a group's members, a broadcast's deliveries, a day's greetings) are written with
one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` each: the database does the work, a
repeated call adds nothing, and a million customers take seconds, not a loop.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.customers.models import SEGMENTS, RetailCustomer
from dangjian.notifications.channels import DeliveryResult, Recipient
from dangjian.notifications.message_templates import render_message
from dangjian.notifications.models import ChannelName, Message
from dangjian.notifications.services import notify
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.audit import record_event
from dangjian.platform.crypto import mask_phone
from dangjian.workcalendar.selectors import unit_calendar

from . import rules, sending
from .models import (
    AreaGroup,
    AreaGroupMember,
    AreaGroupOwner,
    BookingMessage,
    Broadcast,
    BroadcastDelivery,
    BroadcastKind,
    DutyRoster,
    DutySlot,
    Greeting,
    GreetingOccasion,
    GreetingOptOut,
    HomeService,
    OffDayBooking,
    SendStatus,
)

BOOKING_HORIZON_DAYS = 60
MIN_HOME_STAFF = 2
GREETING_VARIABLES = {"name": "王老板", "shop": "王记便利店", "holiday": "春节", "unit": "章贡区局"}
BROADCAST_VARIABLES = {
    "title": "标题",
    "content": "内容",
    "group": "城东片区群",
    "unit": "章贡区局",
}


def _may(actor, obj, action: str) -> bool:
    return type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists()


def _require(actor, obj, action: str, message: str) -> None:
    if not _may(actor, obj, action):
        raise PermissionDenied(message)


def _adapt_dt(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _adapt_date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _insert_select(model, columns: list[str], select_sql: str, params: list) -> int:
    """``INSERT INTO model (columns) <select_sql> ON CONFLICT DO NOTHING``; rows added."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        # "WHERE true": SQLite needs it to tell the upsert clause from a join's ON.
        cursor.execute(
            f"INSERT INTO {table} ({cols}) {select_sql} WHERE true ON CONFLICT DO NOTHING", params
        )
        return max(cursor.rowcount, 0)


def _pk_select(queryset) -> tuple[str, list]:
    """SQL selecting the primary keys of ``queryset`` (a subquery) and its parameters."""
    sql, params = queryset.order_by().values_list("pk", flat=True).query.sql_with_params()
    return sql, list(params)


def check_template(subject: str, body: str, variables: dict) -> None:
    """Refuse a template with a syntax error or an unknown variable (message names it)."""
    rendered = render_message(subject, body, variables)
    if rendered.error:
        allowed = "、".join(f"{{{{ {k} }}}}" for k in variables)
        raise ValidationError(
            {
                "body": [
                    _("%(error)s（可用变量：%(allowed)s）")
                    % {"error": rendered.error, "allowed": allowed}
                ]
            }
        )


# == 片区群 ====================================================================================


def _group_units(actor, action: str):
    return Unit.objects.restrict(actor, "view").filter(
        kind__in=(Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA)
    )


@transaction.atomic
def area_group_save(*, actor, group: AreaGroup) -> AreaGroup:
    """Create or update a group; its unit must be a bureau or market area the actor reaches."""
    creating = group.pk is None
    if not creating:
        _require(actor, AreaGroup.objects.get(pk=group.pk), "change", _("您无权修改该片区群"))
    if not group.unit_id or not _group_units(actor, "add").filter(pk=group.unit_id).exists():
        raise ValidationError({"unit": [_("请选择您负责的县局或片区")]})
    url = (group.robot_webhook or "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ValidationError({"robot_webhook": [_("群机器人地址必须以 http:// 或 https:// 开头")]})
    group.robot_webhook = url
    if creating:
        group.created_by = actor
    group.full_clean()
    group.save()
    if not _may(actor, group, "add" if creating else "change"):
        raise PermissionDenied(_("您无权在该单位建立片区群"))
    record_event(
        actor=actor,
        verb="outreach.group_create" if creating else "outreach.group_update",
        target=group,
        summary=group.name,
    )
    return group


@transaction.atomic
def area_group_members_add(
    *,
    actor,
    group: AreaGroup,
    unit: Unit | None = None,
    segment: str = "",
    customer_ids: Iterable[int] = (),
    with_owners: bool = True,
) -> dict[str, int]:
    """Add customers in bulk: those of ``unit`` (a market area or bureau, its subtree) and/or
    a segment, or the chosen ``customer_ids`` — only active customers the actor may see and
    that belong to the group's unit. With ``with_owners`` the added customers' account
    managers, inspectors and couriers become the group's owners."""
    _require(actor, group, "change", _("您无权修改该片区群"))
    customers = RetailCustomer.objects.restrict(actor, "view").filter(
        is_active=True, unit__path__startswith=group.unit.path
    )
    ids = [int(i) for i in customer_ids]
    if unit is None and not segment and not ids:
        raise ValidationError({"unit": [_("请选择片区、客户群体或具体客户")]})
    if unit is not None:
        customers = customers.filter(unit__path__startswith=unit.path)
    if segment:
        if segment not in SEGMENTS:
            raise ValidationError({"segment": [_("客户群体不正确")]})
        customers = customers.filter(**{segment: True})
    if ids:
        customers = customers.filter(pk__in=ids)
    sql, params = _pk_select(customers)
    added = _insert_select(
        AreaGroupMember,
        ["customer_id", "group_id", "added_at"],
        f"SELECT src.*, %s, %s FROM ({sql}) src",  # noqa: S608 — compiled ORM SQL, bound params
        [group.pk, _adapt_dt(timezone.now()), *params],
    )
    owners = 0
    if with_owners:
        owners = _owners_from_members(group, customers)
    record_event(
        actor=actor,
        verb="outreach.group_members_add",
        target=group,
        summary=_("加入%(n)s户客户") % {"n": added},
        data={"unit": unit.pk if unit else None, "segment": segment, "added": added},
    )
    return {"added": added, "owners": owners}


OWNER_FIELDS = {
    AreaGroupOwner.Role.ACCOUNT_MANAGER: "account_manager",
    AreaGroupOwner.Role.INSPECTOR: "inspector",
    AreaGroupOwner.Role.COURIER: "courier",
}
MAX_OWNERS_PER_ROLE = 20


def _owners_from_members(group: AreaGroup, customers) -> int:
    existing = set(group.owners.values_list("person_id", "role"))
    rows = []
    for role, field in OWNER_FIELDS.items():
        people = (
            customers.exclude(**{f"{field}__isnull": True})
            .order_by()
            .values_list(field, flat=True)
            .distinct()[:MAX_OWNERS_PER_ROLE]
        )
        rows += [
            AreaGroupOwner(group=group, person_id=pk, role=role)
            for pk in people
            if (pk, role) not in existing
        ]
    AreaGroupOwner.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def area_group_members_remove(*, actor, group: AreaGroup, customer_ids: Iterable[int]) -> int:
    """Remove the chosen customers from the group."""
    _require(actor, group, "change", _("您无权修改该片区群"))
    removed, _rows = AreaGroupMember.objects.filter(
        group=group, customer_id__in=[int(i) for i in customer_ids]
    ).delete()
    record_event(
        actor=actor,
        verb="outreach.group_members_remove",
        target=group,
        summary=_("移出%(n)s户客户") % {"n": removed},
    )
    return removed


@transaction.atomic
def area_group_owner_add(*, actor, group: AreaGroup, person: Person, role: str) -> AreaGroupOwner:
    _require(actor, group, "change", _("您无权修改该片区群"))
    if role not in AreaGroupOwner.Role.values:
        raise ValidationError({"role": [_("职责不正确")]})
    owner, _created = AreaGroupOwner.objects.get_or_create(group=group, person=person, role=role)
    record_event(actor=actor, verb="outreach.group_owner_add", target=group, summary=person.name)
    return owner


@transaction.atomic
def area_group_owner_remove(*, actor, owner: AreaGroupOwner) -> None:
    _require(actor, owner.group, "change", _("您无权修改该片区群"))
    owner.delete()
    record_event(
        actor=actor,
        verb="outreach.group_owner_remove",
        target=owner.group,
        summary=str(owner.person),
    )


# == 群发 ======================================================================================


def _bureau_name(unit: Unit) -> str:
    """The county bureau's name of a unit (the signature of messages to its customers)."""
    if unit.kind == Unit.Kind.MARKET_AREA:
        parent = Unit.objects.filter(path=unit.path[: -Unit.steplen]).first()
        return parent.name if parent else unit.name
    return unit.name


@transaction.atomic
def broadcast_send(
    *, actor, group: AreaGroup, kind: BroadcastKind, title: str, content: str
) -> Broadcast:
    """Send a broadcast to a group: the message is rendered once from the kind's template,
    one delivery row is written per member (SMS or console), owner with an account (inbox)
    and the group robot, and a background job sends them (after commit)."""
    from .tasks import send_broadcast

    _require(actor, group, "view", _("您无权向该片区群群发"))
    errors = {}
    if not kind.is_active:
        errors["kind"] = [_("该群发类型已停用")]
    if not (title or "").strip():
        errors["title"] = [_("请填写标题")]
    if not (content or "").strip():
        errors["content"] = [_("请填写内容")]
    if not group.is_active:
        errors["group"] = [_("该片区群已停用")]
    if errors:
        raise ValidationError(errors)
    context = {
        "title": title.strip(),
        "content": content.strip(),
        "group": group.name,
        "unit": _bureau_name(group.unit),
    }
    rendered = render_message(kind.subject, kind.body, context)
    if rendered.error:
        raise ValidationError({"kind": [rendered.error]})
    now = timezone.now()
    message = Message.objects.create(
        kind=f"broadcast_{kind.key}"[:50],
        subject=rendered.subject[:200],
        body=rendered.body,
        context=context,
        actor=actor,
    )
    broadcast = Broadcast.objects.create(
        group=group,
        kind=kind,
        title=title.strip(),
        content=content.strip(),
        message=message,
        created_by=actor,
        created_at=now,
    )
    members = AreaGroupMember.objects.filter(group=group, customer__is_active=True).values_list(
        "customer_id", flat=True
    )
    sql, params = members.order_by().query.sql_with_params()
    count = _insert_select(
        BroadcastDelivery,
        [
            "customer_id",
            "broadcast_id",
            "channel",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "claim",
        ],
        f"SELECT src.*, %s, %s, %s, 0, '', %s, '' FROM ({sql}) src",  # noqa: S608 — compiled ORM SQL, bound params
        [broadcast.pk, sending.customer_channel(), SendStatus.PENDING, _adapt_dt(now), *params],
    )
    owner_people = Person.objects.filter(
        pk__in=group.owners.values("person_id"), user__isnull=False
    ).values_list("pk", flat=True)
    owner_rows = [
        BroadcastDelivery(
            broadcast=broadcast, person_id=pk, channel=ChannelName.INBOX, next_attempt_at=now
        )
        for pk in owner_people
    ]
    if group.has_robot:
        owner_rows.append(
            BroadcastDelivery(broadcast=broadcast, channel=ChannelName.WECOM, next_attempt_at=now)
        )
    BroadcastDelivery.objects.bulk_create(owner_rows, ignore_conflicts=True)
    if not _may(actor, broadcast, "add"):
        raise PermissionDenied(_("您无权向该片区群群发"))
    broadcast.recipients = count + len(owner_rows)
    from dangjian.platform.jobs import job_start

    broadcast.job = job_start(
        actor=actor,
        kind="outreach.broadcast",
        task=send_broadcast,
        title=_("群发：%(t)s（%(n)s条）") % {"t": broadcast.title, "n": broadcast.recipients},
        broadcast_id=broadcast.pk,
    )
    broadcast.save(update_fields=["recipients", "job"])
    record_event(
        actor=actor,
        verb="outreach.broadcast_send",
        target=broadcast,
        summary=broadcast.title,
        data={"group": group.pk, "recipients": broadcast.recipients},
    )
    return broadcast


def _broadcast_builder(broadcast: Broadcast):
    group = broadcast.group
    message = broadcast.message

    def build(rows: list[BroadcastDelivery]) -> list[sending.Outgoing]:
        customer_ids = [r.customer_id for r in rows if r.customer_id]
        phones = (
            dict(RetailCustomer.objects.filter(pk__in=customer_ids).values_list("pk", "phone"))
            if customer_ids
            else {}
        )
        person_ids = [r.person_id for r in rows if r.person_id]
        users = (
            {p.pk: p.user for p in Person.objects.filter(pk__in=person_ids).select_related("user")}
            if person_ids
            else {}
        )
        items = []
        for row in rows:
            item = sending.Outgoing(pk=row.pk, channel=row.channel, message=message)
            if row.customer_id:
                phone = phones.get(row.customer_id) or ""
                if not phone:
                    item.failure = DeliveryResult(False, _("客户没有手机号码"), retry=False)
                item.recipient = Recipient(address=phone)
            elif row.person_id:
                user = users.get(row.person_id)
                if user is None:
                    item.failure = DeliveryResult(False, _("该人员没有系统账号"), retry=False)
                item.recipient = Recipient(user=user)
            else:
                item.recipient = Recipient(target=group, address=group.robot_webhook)
            items.append(item)
        return items

    return build


def broadcast_deliver(*, broadcast_id: int, now=None, progress=None) -> dict[str, int]:
    """Send what is due of one broadcast (the job's body; safe to run twice)."""
    broadcast = Broadcast.objects.select_related("group", "message").get(pk=broadcast_id)
    Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.QUEUED).update(
        status=Broadcast.Status.SENDING
    )
    totals = sending.send_all_due(
        BroadcastDelivery,
        _broadcast_builder(broadcast),
        base=BroadcastDelivery.objects.filter(broadcast_id=broadcast_id),
        now=now,
        progress=progress,
    )
    Broadcast.objects.filter(pk=broadcast_id).update(
        status=Broadcast.Status.DONE, finished_at=timezone.now()
    )
    return totals


@transaction.atomic
def broadcast_retry_failed(*, actor, broadcast: Broadcast) -> int:
    """重试: the failed deliveries of a broadcast become due now and a job sends them."""
    from dangjian.platform.jobs import job_start

    from .tasks import send_broadcast

    _require(actor, broadcast, "change", _("您无权重试该群发"))
    count = sending.retry_failed(
        BroadcastDelivery, BroadcastDelivery.objects.filter(broadcast=broadcast)
    )
    if count:
        broadcast.status = Broadcast.Status.QUEUED
        broadcast.job = job_start(
            actor=actor,
            kind="outreach.broadcast",
            task=send_broadcast,
            title=_("群发重试：%(t)s（%(n)s条）") % {"t": broadcast.title, "n": count},
            broadcast_id=broadcast.pk,
        )
        broadcast.save(update_fields=["status", "job"])
    record_event(actor=actor, verb="outreach.broadcast_retry", target=broadcast, summary=str(count))
    return count


@transaction.atomic
def broadcast_kind_update(*, actor, kind: BroadcastKind) -> BroadcastKind:
    """Save an edited broadcast kind (its template is checked first)."""
    check_template(kind.subject, kind.body, BROADCAST_VARIABLES)
    kind.full_clean()
    kind.save()
    record_event(actor=actor, verb="outreach.broadcast_kind_update", target=kind, summary=kind.name)
    return kind


# == 祝福 ======================================================================================


@transaction.atomic
def greeting_occasion_update(*, actor, occasion: GreetingOccasion) -> GreetingOccasion:
    """Save an edited greeting template (checked against the variables a greeting has)."""
    check_template(occasion.subject, occasion.body, GREETING_VARIABLES)
    occasion.full_clean()
    occasion.save()
    record_event(
        actor=actor,
        verb="outreach.greeting_template_update",
        target=occasion,
        summary=occasion.name,
        data={"subject": occasion.subject, "body": occasion.body},
    )
    return occasion


@transaction.atomic
def greeting_opt_out(*, actor, customer: RetailCustomer, reason: str = "") -> GreetingOptOut:
    """The customer no longer receives greetings (those not yet sent are withdrawn)."""
    _require(actor, customer, "change", _("您无权修改该客户"))
    row, _created = GreetingOptOut.objects.get_or_create(
        customer=customer, defaults={"reason": reason[:200], "created_by": actor}
    )
    Greeting.objects.filter(customer=customer).exclude(status=SendStatus.SENT).delete()
    record_event(actor=actor, verb="outreach.greeting_opt_out", target=customer, summary=reason)
    return row


@transaction.atomic
def greeting_opt_in(*, actor, customer: RetailCustomer) -> None:
    _require(actor, customer, "change", _("您无权修改该客户"))
    GreetingOptOut.objects.filter(customer=customer).delete()
    record_event(actor=actor, verb="outreach.greeting_opt_in", target=customer)


def _greetable_customers():
    """Active customers with a phone who have not opted out."""
    return RetailCustomer.objects.filter(is_active=True, phone_hash__isnull=False).exclude(
        pk__in=GreetingOptOut.objects.values("customer_id")
    )


def occasions_on(day: dt.date) -> list[tuple[GreetingOccasion, Q, int]]:
    """The active occasions greeted on ``day``: (occasion, customer filter, greeting year)."""
    result = []
    keys = set(rules.festival_keys_on(day))
    birthdays = rules.birthdays_on(day)
    for occasion in GreetingOccasion.objects.filter(is_active=True):
        if occasion.kind == GreetingOccasion.Kind.BIRTHDAY:
            for is_lunar, pairs, year in (
                (False, birthdays.solar, birthdays.solar_year),
                (True, birthdays.lunar, birthdays.lunar_year),
            ):
                if not pairs:
                    continue
                match = Q()
                for month, mday in pairs:
                    match |= Q(birthday__month=month, birthday__day=mday)
                result.append((occasion, Q(birthday_is_lunar=is_lunar) & match, year))
        elif (
            occasion.kind == GreetingOccasion.Kind.LUNAR_FESTIVAL
            and occasion.key in keys
            or occasion.kind == GreetingOccasion.Kind.SOLAR_HOLIDAY
            and (
                occasion.month,
                occasion.day,
            )
            == (day.month, day.day)
        ):
            result.append((occasion, Q(), day.year))
    return result


def greetings_schedule(*, on: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """Write the greetings of ``on`` (the daily task): one row per customer and occasion,
    never a second one for the same occasion and year. Set-based; returns the rows written
    per occasion (occasions that wrote none are left out)."""
    now = now or timezone.now()
    channel = sending.customer_channel()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for occasion, match, year in occasions_on(on):
            sql, params = _pk_select(_greetable_customers().filter(match))
            added = _insert_select(
                Greeting,
                [
                    "customer_id",
                    "occasion_id",
                    "year",
                    "on_date",
                    "channel",
                    "status",
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "claim",
                    "created_at",
                ],
                f"SELECT src.*, %s, %s, %s, %s, %s, 0, '', %s, '', %s FROM ({sql}) src",  # noqa: S608 — compiled ORM SQL, bound params
                [
                    occasion.pk,
                    year,
                    _adapt_date(on),
                    channel,
                    SendStatus.PENDING,
                    _adapt_dt(now),
                    _adapt_dt(now),
                    *params,
                ],
            )
            if added:
                counts[occasion.key] = counts.get(occasion.key, 0) + added
    return counts


def _greeting_builder():
    occasions = {o.pk: o for o in GreetingOccasion.objects.all()}
    signatures: dict[str, str] = {}

    def signature(unit: Unit) -> str:
        key = unit.path[: Unit.steplen * 2] if unit.kind == Unit.Kind.MARKET_AREA else unit.path
        if key not in signatures:
            signatures[key] = _bureau_name(unit)
        return signatures[key]

    def build(rows: list[Greeting]) -> list[sending.Outgoing]:
        customers = RetailCustomer.objects.select_related("unit").in_bulk(
            [r.customer_id for r in rows]
        )
        items = []
        for row in rows:
            customer, occasion = customers.get(row.customer_id), occasions[row.occasion_id]
            item = sending.Outgoing(pk=row.pk, channel=row.channel)
            if customer is None or not customer.phone:
                item.failure = DeliveryResult(False, _("客户没有手机号码"), retry=False)
                items.append(item)
                continue
            rendered = render_message(
                occasion.subject,
                occasion.body,
                {
                    "name": customer.owner_name,
                    "shop": customer.shop_name,
                    "holiday": occasion.name,
                    "unit": signature(customer.unit),
                },
            )
            if rendered.error:
                item.failure = DeliveryResult(False, rendered.error, retry=False)
            item.message = Message(kind="greeting", subject=rendered.subject, body=rendered.body)
            item.recipient = Recipient(address=customer.phone)
            items.append(item)
        return items

    return build


def greetings_send_due(*, now: dt.datetime | None = None, progress=None) -> dict[str, int]:
    """Send the greetings that are due (new ones, and retries)."""
    return sending.send_all_due(Greeting, _greeting_builder(), now=now, progress=progress)


# == 上门服务 ==================================================================================


def home_service_staff(actor):
    """The staff the actor may send: people (still employed) of the units he reaches."""
    return Person.objects.filter(
        left_on__isnull=True, unit__in=Unit.objects.restrict(actor, "view").values("pk")
    )


def _check_home_service(service: HomeService, staff: list[Person], now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    customer = service.customer
    needs = customer.needs
    if not needs and not (service.override_reason or "").strip():
        errors["override_reason"] = [
            _("该客户没有高龄、残疾或伤病等特殊情况，上门服务须说明理由，否则请引导客户到窗口办理")
        ]
    if len({p.pk for p in staff}) < MIN_HOME_STAFF:
        errors["staff"] = [_("上门服务须安排至少%(n)s名工作人员") % {"n": MIN_HOME_STAFF}]
    if service.scheduled_at and service.scheduled_at < now - dt.timedelta(minutes=10):
        errors["scheduled_at"] = [_("上门时间不能早于现在")]
    if errors:
        raise ValidationError(errors)


def _ensure_template(kind: str) -> None:
    """This app's staff message kinds exist even if someone deleted the seeded rows."""
    from dangjian.notifications.models import MessageTemplate

    from .defaults import MESSAGE_TEMPLATES

    for key, name, subject, body in MESSAGE_TEMPLATES:
        if key == kind:
            MessageTemplate.objects.get_or_create(
                kind=key, defaults={"name": name, "subject": subject, "body": body}
            )


def _notify_staff(actor, service: HomeService, staff: list[Person], *, changed: bool) -> None:
    users = [p.user for p in staff if p.user_id]
    if not users:
        return
    _ensure_template("home_service_assigned")
    notify(
        kind="home_service_assigned",
        recipients=users,
        actor=actor,
        context={
            "kind": str(service.get_kind_display()),
            "shop": service.customer.shop_name,
            "address": service.address,
            "when": timezone.localtime(service.scheduled_at).strftime("%Y-%m-%d %H:%M"),
            "staff": "、".join(p.name for p in staff),
            "change": _("（时间或人员已调整）") if changed else "",
        },
    )


@transaction.atomic
def home_service_create(
    *, actor, service: HomeService, staff: Iterable[Person], now: dt.datetime | None = None
) -> HomeService:
    """Register a 上门办证 / 上门培训 visit for a customer who cannot come: scheduled, with at
    least two staff (who are notified). A customer without a special need is refused
    unless an override reason is given."""
    now = now or timezone.now()
    staff = list(staff)
    if not RetailCustomer.objects.restrict(actor, "view").filter(pk=service.customer_id).exists():
        raise ValidationError({"customer": [_("请选择您负责的客户")]})
    allowed = set(
        home_service_staff(actor).filter(pk__in=[p.pk for p in staff]).values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in staff):
        raise ValidationError({"staff": [_("上门人员须是您所在单位的工作人员")]})
    _check_home_service(service, staff, now)
    customer = service.customer
    service.unit = customer.unit
    service.needs = "、".join(customer.needs)
    service.address = (service.address or "").strip() or customer.address
    service.created_by = actor
    service.status = HomeService.Status.SCHEDULED
    service.full_clean(exclude=["staff"])
    service.save()
    service.staff.set(staff)
    if not _may(actor, service, "add"):
        raise PermissionDenied(_("您无权为该客户安排上门服务"))
    record_event(
        actor=actor,
        verb="outreach.home_service_create",
        target=service,
        summary=str(service),
        data={"override": service.override_reason, "staff": [p.pk for p in staff]},
    )
    _notify_staff(actor, service, staff, changed=False)
    return service


@transaction.atomic
def home_service_reschedule(
    *, actor, service: HomeService, scheduled_at: dt.datetime, staff: Iterable[Person], now=None
) -> HomeService:
    """Move a scheduled visit or change its staff (still at least two; they are notified)."""
    now = now or timezone.now()
    _require(actor, service, "change", _("您无权修改该上门服务"))
    if service.status != HomeService.Status.SCHEDULED:
        raise ValidationError(_("只有已安排的上门服务可以调整"))
    staff = list(staff)
    allowed = set(
        home_service_staff(actor).filter(pk__in=[p.pk for p in staff]).values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in staff):
        raise ValidationError({"staff": [_("上门人员须是您所在单位的工作人员")]})
    service.scheduled_at = scheduled_at
    _check_home_service(service, staff, now)
    service.save(update_fields=["scheduled_at"])
    service.staff.set(staff)
    record_event(actor=actor, verb="outreach.home_service_reschedule", target=service)
    _notify_staff(actor, service, staff, changed=True)
    return service


@transaction.atomic
def home_service_record(*, actor, service: HomeService, outcome: str, note: str) -> HomeService:
    """Record how the visit went (办结 / 部分办理 / 客户不在) — done."""
    _require(actor, service, "change", _("您无权登记该上门服务"))
    if service.status != HomeService.Status.SCHEDULED:
        raise ValidationError(_("该上门服务已办结或已取消"))
    if outcome not in HomeService.Outcome.values:
        raise ValidationError({"outcome": [_("请选择办理结果")]})
    if outcome != HomeService.Outcome.COMPLETED and not (note or "").strip():
        raise ValidationError({"outcome_note": [_("未办结时请说明情况")]})
    service.status = HomeService.Status.DONE
    service.outcome = outcome
    service.outcome_note = (note or "").strip()
    service.done_at = timezone.now()
    service.save(update_fields=["status", "outcome", "outcome_note", "done_at"])
    record_event(
        actor=actor,
        verb="outreach.home_service_record",
        target=service,
        summary=str(service.get_outcome_display()),
    )
    return service


@transaction.atomic
def home_service_cancel(*, actor, service: HomeService, reason: str) -> HomeService:
    _require(actor, service, "change", _("您无权取消该上门服务"))
    if service.status != HomeService.Status.SCHEDULED:
        raise ValidationError(_("该上门服务已办结或已取消"))
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": [_("请填写取消原因")]})
    service.status = HomeService.Status.CANCELLED
    service.cancel_reason = reason.strip()[:200]
    service.save(update_fields=["status", "cancel_reason"])
    record_event(actor=actor, verb="outreach.home_service_cancel", target=service, summary=reason)
    return service


# == 非工作日预约 ==============================================================================


def _calendar(window, start: dt.date, end: dt.date):
    return unit_calendar(window.unit, start=start, end=end)


@transaction.atomic
def roster_save(
    *,
    actor,
    window,
    date: dt.date,
    staff: Iterable[Person],
    slots: list[tuple[dt.time, dt.time, int]],
    note: str = "",
) -> DutyRoster:
    """Set one window's holiday duty on one day: the staff on duty and the bookable slots.

    Only non-working days (weekends, statutory and local holidays; never 调休 working days).
    Slots that already have bookings keep their start time and at least their booked
    capacity; other slots are replaced.
    """
    from dangjian.warmth.window.models import LicenceWindow

    if not LicenceWindow.objects.restrict(actor, "view").filter(pk=window.pk).exists():
        raise PermissionDenied(_("您无权编排该窗口的值班"))
    staff = list(staff)
    errors: dict[str, list[str]] = {}
    calendar = _calendar(window, date, date)
    problem = rules.roster_day_problem(
        date, extra_holidays=calendar.extra_holidays, extra_workdays=calendar.extra_workdays
    )
    if problem:
        errors["date"] = [problem]
    if date < timezone.localdate():
        errors.setdefault("date", []).append(_("不能编排今天之前的值班"))
    if not staff:
        errors["staff"] = [_("请至少安排一名值班人员")]
    slot_problem = rules.slots_problem(slots)
    if slot_problem:
        errors["slots"] = [slot_problem]
    if errors:
        raise ValidationError(errors)
    roster = DutyRoster.objects.filter(window=window, date=date).first()
    creating = roster is None
    if creating:
        roster = DutyRoster(window=window, date=date, created_by=actor)
    roster.note = (note or "").strip()[:200]
    roster.save()
    roster.staff.set(staff)
    wanted = {start: (end, capacity) for start, end, capacity in slots}
    booked = {
        row["pk"]: row["n"]
        for row in DutySlot.objects.filter(roster=roster)
        .annotate(n=Count("bookings", filter=Q(bookings__status=OffDayBooking.Status.BOOKED)))
        .values("pk", "n")
    }
    for slot in DutySlot.objects.filter(roster=roster):
        n = booked.get(slot.pk, 0)
        if slot.starts_at not in wanted:
            if n:
                raise ValidationError(
                    {"slots": [_("时段 %(s)s 已有%(n)s人预约，不能删除") % {"s": slot, "n": n}]}
                )
            slot.delete()
            continue
        end, capacity = wanted.pop(slot.starts_at)
        if capacity < n:
            raise ValidationError(
                {
                    "slots": [
                        _("时段 %(s)s 已有%(n)s人预约，可预约人数不能少于%(n)s")
                        % {"s": slot, "n": n}
                    ]
                }
            )
        slot.ends_at, slot.capacity = end, capacity
        slot.save(update_fields=["ends_at", "capacity"])
    DutySlot.objects.bulk_create(
        [
            DutySlot(roster=roster, starts_at=s, ends_at=e, capacity=c)
            for s, (e, c) in wanted.items()
        ]
    )
    if not _may(actor, roster, "add" if creating else "change"):
        raise PermissionDenied(_("您无权编排该窗口的值班"))
    record_event(
        actor=actor,
        verb="outreach.roster_save",
        target=roster,
        summary=str(roster),
        data={"staff": [p.pk for p in staff], "slots": len(slots)},
    )
    return roster


@transaction.atomic
def roster_delete(*, actor, roster: DutyRoster) -> None:
    _require(actor, roster, "delete", _("您无权删除该值班"))
    if OffDayBooking.objects.filter(
        slot__roster=roster, status=OffDayBooking.Status.BOOKED
    ).exists():
        raise ValidationError(_("该日已有预约，不能删除值班；请先联系预约人取消"))
    record_event(actor=actor, verb="outreach.roster_delete", target=roster, summary=str(roster))
    OffDayBooking.objects.filter(slot__roster=roster).delete()
    roster.delete()


def _slot_start(slot: DutySlot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.roster.date, slot.starts_at))


def _booking_text(booking: OffDayBooking, kind: str) -> tuple[str, str]:
    slot = booking.slot
    window = slot.roster.window
    values = {
        "name": booking.name,
        "window": window.name,
        "address": window.address or window.name,
        "date": slot.roster.date.strftime("%Y-%m-%d"),
        "time": f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}",
        "code": booking.code,
    }
    if kind == BookingMessage.Kind.CONFIRMATION:
        return _("【预约成功】%(window)s") % values, _(
            "%(name)s您好，您已预约%(date)s %(time)s到%(address)s办理业务，预约码%(code)s。"
            "如需取消，请凭预约码在预约页面取消。"
        ) % values
    if kind == BookingMessage.Kind.REMINDER:
        return _("【预约提醒】%(window)s") % values, _(
            "%(name)s您好，提醒您明天（%(date)s）%(time)s到%(address)s办理业务，预约码%(code)s。"
        ) % values
    return _("【预约已取消】%(window)s") % values, _(
        "%(name)s您好，您%(date)s %(time)s的预约（%(code)s）已取消。"
    ) % values


def _queue_booking_message(booking: OffDayBooking, kind: str, now: dt.datetime) -> None:
    BookingMessage.objects.get_or_create(
        booking=booking,
        kind=kind,
        defaults={"channel": sending.customer_channel(), "next_attempt_at": now},
    )


def _notify_duty(booking: OffDayBooking, *, cancelled: bool) -> None:
    roster = booking.slot.roster
    users = [p.user for p in roster.staff.select_related("user") if p.user_id]
    if not users:
        return
    _ensure_template("offday_booking")
    notify(
        kind="offday_booking",
        recipients=users,
        context={
            "window": roster.window.name,
            "when": f"{roster.date:%Y-%m-%d} {booking.slot}",
            "name": booking.name,
            "purpose": str(booking.get_purpose_display()),
            "code": booking.code,
            "action": _("取消了预约") if cancelled else _("新预约"),
        },
    )


def booking_create(
    *,
    slot: DutySlot,
    name: str,
    phone: str,
    purpose: str,
    licence_no: str = "",
    note: str = "",
    nonce: str | None = None,
    now: dt.datetime | None = None,
) -> OffDayBooking:
    """A customer books a slot on the public page (no login).

    Refused: a day the official calendar (with the unit's local days) does not mark as
    non-working — an adjusted working day (调休) included —, a slot already started or
    full, a phone number that is not one, the same phone twice on one day.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    name, phone = (name or "").strip(), re.sub(r"[\s-]", "", phone or "")
    licence_no = (licence_no or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写姓名")]
    if not re.fullmatch(r"1[3-9]\d{9}", phone):
        errors["phone"] = [_("请填写11位手机号码，用于接收预约确认和提醒")]
    if licence_no and not re.fullmatch(r"\d{12}", licence_no):
        errors["licence_no"] = [_("许可证号应为12位数字（没有可不填）")]
    if purpose not in OffDayBooking.Purpose.values:
        errors["purpose"] = [_("请选择办理事项")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the slot: two people taking the last place are served one after the other.
        slot = (
            DutySlot.objects.select_for_update()
            .select_related("roster__window__unit")
            .get(pk=slot.pk)
        )
        roster = slot.roster
        calendar = _calendar(roster.window, roster.date, roster.date)
        problem = rules.booking_day_problem(
            roster.date,
            today=today,
            horizon_days=BOOKING_HORIZON_DAYS,
            extra_holidays=calendar.extra_holidays,
            extra_workdays=calendar.extra_workdays,
        )
        if not problem and _slot_start(slot) <= now:
            problem = _("该时段已开始，请选择其他时段")
        if problem:
            raise ValidationError({"slot": [problem]})
        taken = slot.bookings.filter(status=OffDayBooking.Status.BOOKED).count()
        if taken >= slot.capacity:
            raise ValidationError({"slot": [_("该时段已约满，请选择其他时段")]})
        same_day = OffDayBooking.objects.filter(
            slot__roster=roster, status=OffDayBooking.Status.BOOKED
        ).only("phone")
        if any(b.phone == phone for b in same_day):
            raise ValidationError({"phone": [_("该手机号当天已有预约，如需改约请先取消原预约")]})
        customer = None
        if licence_no:
            customer = RetailCustomer.objects.filter(licence_no=licence_no).first()
        booking = OffDayBooking(
            slot=slot,
            name=name[:50],
            phone=phone,
            licence_no=licence_no,
            customer=customer,
            purpose=purpose,
            note=(note or "").strip()[:200],
            nonce=nonce,
            created_at=now,
        )
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    booking.save()
                break
            except IntegrityError as exc:
                if nonce and OffDayBooking.objects.filter(nonce=nonce).exists():
                    raise ValidationError(_("该表单已提交过，请勿重复提交")) from exc
                booking.code = type(booking)._meta.get_field("code").default()
        _queue_booking_message(booking, BookingMessage.Kind.CONFIRMATION, now)
        record_event(
            actor=None,
            verb="outreach.booking_create",
            target=booking,
            summary=f"{roster} {slot} {mask_phone(phone)}",
        )
        _notify_duty(booking, cancelled=False)
        transaction.on_commit(lambda: _send_booking_messages_soon(booking.pk))
    return booking


def _send_booking_messages_soon(booking_id: int) -> None:
    from .tasks import send_booking_messages

    try:
        send_booking_messages(booking_id)
    except Exception:  # the periodic task catches up
        sending.logger.exception("could not enqueue booking messages %s", booking_id)


def booking_find(*, window, code: str, phone_tail: str) -> OffDayBooking | None:
    """The booking of ``window`` with this code whose phone ends with ``phone_tail``."""
    code = (code or "").strip().upper()
    tail = (phone_tail or "").strip()
    if len(code) != 8 or not re.fullmatch(r"\d{4}", tail):
        return None
    booking = (
        OffDayBooking.objects.select_related("slot__roster__window")
        .filter(code=code, slot__roster__window=window)
        .first()
    )
    if booking is None or not booking.phone.endswith(tail):
        return None
    return booking


@transaction.atomic
def booking_cancel(*, booking: OffDayBooking, actor=None, now=None) -> OffDayBooking:
    """Cancel a booking (the customer by code on the public page, or the window's staff)."""
    now = now or timezone.now()
    if actor is not None:
        _require(actor, booking, "change", _("您无权取消该预约"))
    if booking.status != OffDayBooking.Status.BOOKED:
        raise ValidationError(_("该预约已取消或已办理"))
    if _slot_start(booking.slot) <= now:
        raise ValidationError(_("预约时段已开始，不能再取消"))
    booking.status = OffDayBooking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    BookingMessage.objects.filter(booking=booking, kind=BookingMessage.Kind.REMINDER).exclude(
        status=SendStatus.SENT
    ).delete()
    _queue_booking_message(booking, BookingMessage.Kind.CANCELLATION, now)
    record_event(actor=actor, verb="outreach.booking_cancel", target=booking, summary=booking.code)
    _notify_duty(booking, cancelled=True)
    pk = booking.pk
    transaction.on_commit(lambda: _send_booking_messages_soon(pk))
    return booking


@transaction.atomic
def booking_mark(*, actor, booking: OffDayBooking, status: str) -> OffDayBooking:
    """The duty staff (or the window's clerks) record whether the customer came."""
    on_duty = booking.slot.roster.staff.filter(user=actor).exists()
    if not on_duty:
        _require(actor, booking, "change", _("您无权登记该预约"))
    if status not in (OffDayBooking.Status.ATTENDED, OffDayBooking.Status.NO_SHOW):
        raise ValidationError({"status": [_("状态不正确")]})
    if booking.status == OffDayBooking.Status.CANCELLED:
        raise ValidationError(_("该预约已取消"))
    booking.status = status
    booking.save(update_fields=["status"])
    record_event(actor=actor, verb="outreach.booking_mark", target=booking, summary=status)
    return booking


def booking_reminders_schedule(*, today: dt.date | None = None, now=None) -> int:
    """Queue the day-before reminder of every booking for tomorrow (once per booking)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    bookings = OffDayBooking.objects.filter(
        status=OffDayBooking.Status.BOOKED, slot__roster__date=today + dt.timedelta(days=1)
    )
    sql, params = _pk_select(bookings)
    return _insert_select(
        BookingMessage,
        [
            "booking_id",
            "kind",
            "channel",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "claim",
            "created_at",
        ],
        f"SELECT src.*, %s, %s, %s, 0, '', %s, '', %s FROM ({sql}) src",  # noqa: S608 — compiled ORM SQL, bound params
        [
            BookingMessage.Kind.REMINDER,
            sending.customer_channel(),
            SendStatus.PENDING,
            _adapt_dt(now),
            _adapt_dt(now),
            *params,
        ],
    )


def _booking_builder(rows: list[BookingMessage]) -> list[sending.Outgoing]:
    bookings = OffDayBooking.objects.select_related("slot__roster__window").in_bulk(
        [r.booking_id for r in rows]
    )
    items = []
    for row in rows:
        booking = bookings[row.booking_id]
        subject, body = _booking_text(booking, row.kind)
        items.append(
            sending.Outgoing(
                pk=row.pk,
                channel=row.channel,
                message=Message(kind=f"booking_{row.kind}", subject=subject, body=body),
                recipient=Recipient(address=booking.phone),
            )
        )
    return items


def booking_messages_send_due(*, booking_id: int | None = None, now=None) -> dict[str, int]:
    """Send due confirmations, reminders and cancellations (urgent: no quiet hours — the
    customer has just acted, or the reminder is set for the daytime)."""
    base = BookingMessage.objects.all()
    if booking_id is not None:
        base = base.filter(booking_id=booking_id)
    return sending.send_all_due(BookingMessage, _booking_builder, base=base, now=now, urgent=True)
