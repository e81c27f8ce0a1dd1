"""Scale data for 增值服务 (warmth.outreach) on top of ``demo.scale``.

- an area group per market area of the first ``GROUP_BUREAUS`` bureaus, with all their
  customers, and one province-wide group of ~50 000 customers (the big-broadcast case);
- ``BROADCASTS_PER_YEAR`` broadcasts a year per area group with every delivery recorded
  (one ``INSERT … SELECT`` per broadcast), the last one with a failed group robot;
- greetings: the daily task's work for the last 30 days (birthdays) and this year's 中秋
  (every customer with a phone: the set-based scheduling over 1 M customers, timed);
- 上门服务 for customers with special needs; holiday duty rosters for the licence windows
  of ``WINDOW_BUREAUS`` bureaus (a window is created when the bureau has none), a year back
  and 45 days ahead, with bookings.

Big batches through ``scale.insert_objects`` (COPY on PostgreSQL); no history rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.notifications.models import Message
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform import lunar
from dangjian.warmth.outreach import rules, services
from dangjian.warmth.outreach.models import (
    AreaGroup,
    AreaGroupMember,
    Broadcast,
    BroadcastDelivery,
    BroadcastKind,
    DutyRoster,
    DutySlot,
    HomeService,
    OffDayBooking,
    SendStatus,
)
from dangjian.warmth.window.models import LicenceWindow

from .scale import PREFIX, insert_objects

GROUP_BUREAUS = 50
WINDOW_BUREAUS = 20
BROADCASTS_PER_YEAR = 6
BIG_GROUP_BUREAUS = 50


def _insert_select(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _q(name):
    return connection.ops.quote_name(name)


def generate(*, years: int = 5, seed: int = 17, log=print) -> dict:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    counts: dict[str, int] = {}
    bureaus = list(
        Unit.objects.filter(code__startswith=f"{PREFIX}-B", kind=Unit.Kind.BUREAU).order_by("path")
    )
    if not bureaus:
        return counts
    if AreaGroup.objects.filter(name__startswith="S-").exists():
        raise ValueError("规模数据中已有片区群；请使用新的规模数据库")
    kinds = list(BroadcastKind.objects.all())
    member_table = _q(AreaGroupMember._meta.db_table)
    customer_table = _q(RetailCustomer._meta.db_table)
    delivery_table = _q(BroadcastDelivery._meta.db_table)
    unit_table = _q(Unit._meta.db_table)

    # -- groups ------------------------------------------------------------------------------
    with transaction.atomic():
        areas = list(
            Unit.objects.filter(
                kind=Unit.Kind.MARKET_AREA,
                path__regex=r"^(" + "|".join(b.path for b in bureaus[:GROUP_BUREAUS]) + ")",
            ).order_by("path")
        )
        groups = insert_objects(
            AreaGroup,
            [
                AreaGroup(name=f"S-{a.name}客户群", unit=a, created_at=now, robot_webhook="")
                for a in areas
            ],
        )
        province = Unit.objects.get(path=bureaus[0].path[: Unit.steplen * 2])
        big = AreaGroup.objects.create(name=f"S-{province.name}全省客户群（规模）", unit=province)
        _insert_select(
            f"INSERT INTO {member_table} (group_id, customer_id, added_at) "  # noqa: S608
            f"SELECT g.id, c.id, %s FROM {_q(AreaGroup._meta.db_table)} g "
            f"JOIN {customer_table} c ON c.unit_id = g.unit_id WHERE g.name LIKE 'S-%%'",
            [now],
        )
        big_paths = [b.path for b in bureaus[:BIG_GROUP_BUREAUS]]
        _insert_select(
            f"INSERT INTO {member_table} (group_id, customer_id, added_at) "  # noqa: S608
            f"SELECT %s, c.id, %s FROM {customer_table} c JOIN {unit_table} u ON u.id = c.unit_id "
            f"WHERE u.path >= %s AND u.path < %s",
            [big.pk, now, big_paths[0], big_paths[-1] + "~"],
        )
    counts["groups"] = len(groups) + 1
    counts["group_members"] = AreaGroupMember.objects.count()
    log(f"片区群 {counts['groups']}，成员 {counts['group_members']}")

    # -- broadcast history --------------------------------------------------------------------
    started = time.monotonic()
    total = 0
    n_years = min(years, 2)
    for group in groups:
        for k in range(BROADCASTS_PER_YEAR * n_years):
            at = now - dt.timedelta(
                days=int(365 * n_years * (k + 1) / (BROADCASTS_PER_YEAR * n_years + 1))
            )
            kind = kinds[k % len(kinds)]
            with transaction.atomic():
                message = Message.objects.create(
                    kind=f"broadcast_{kind.key}", subject=f"【{kind.name}】通知{k}", body="规模测试"
                )
                broadcast = Broadcast.objects.create(
                    group=group,
                    kind=kind,
                    title=f"{kind.name}通知{k}",
                    content="规模测试",
                    message=message,
                    status=Broadcast.Status.DONE,
                    created_at=at,
                    finished_at=at,
                )
                added = _insert_select(
                    f"INSERT INTO {delivery_table} (broadcast_id, customer_id, channel, status, "  # noqa: S608
                    "attempts, last_error, sent_at, claim) "
                    f"SELECT %s, m.customer_id, 'sms', 'sent', 1, '', %s, '' FROM {member_table} m "
                    "WHERE m.group_id = %s",
                    [broadcast.pk, at, group.pk],
                )
                BroadcastDelivery.objects.create(
                    broadcast=broadcast,
                    channel="wecom",
                    status=SendStatus.FAILED,
                    attempts=5,
                    last_error="群机器人返回错误 93000：invalid webhook url",
                )
                Broadcast.objects.filter(pk=broadcast.pk).update(recipients=added + 1)
                total += added + 1
    counts["broadcast_deliveries"] = total
    log(f"群发记录 {total} 条，{time.monotonic() - started:.1f}s")

    # -- greetings: set-based scheduling over every customer ----------------------------------
    started = time.monotonic()
    festival = lunar.festival_date(today.year, "zhongqiu")
    if festival > today:
        festival = lunar.festival_date(today.year - 1, "zhongqiu")
    made = services.greetings_schedule(on=festival, now=now)
    counts["greeting_festival_seconds"] = round(time.monotonic() - started, 1)
    counts["greetings_festival"] = sum(made.values())
    log(f"中秋祝福排程 {counts['greetings_festival']} 条，{counts['greeting_festival_seconds']}s")
    started = time.monotonic()
    birthday_rows = 0
    for offset in range(30, -1, -1):
        made = services.greetings_schedule(on=today - dt.timedelta(days=offset), now=now)
        birthday_rows += sum(made.values())
    counts["greetings_birthdays_31_days"] = birthday_rows
    counts["greeting_day_seconds_avg"] = round((time.monotonic() - started) / 31, 2)
    from dangjian.warmth.outreach.models import Greeting

    Greeting.objects.filter(on_date__lt=today).update(
        status="sent", sent_at=now, next_attempt_at=None
    )
    log(f"生日祝福 31 天 {birthday_rows} 条，平均每天 {counts['greeting_day_seconds_avg']}s")

    # -- 上门服务 -------------------------------------------------------------------------------
    needy = list(
        RetailCustomer.objects.filter(unit__code__startswith=f"{PREFIX}-", elderly=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "address")[:20_000]
    )
    staff = list(
        Person.objects.filter(unit__code__startswith=f"{PREFIX}-").values_list("pk", flat=True)[
            :2000
        ]
    )
    rows = []
    for pk, unit_id, address in needy:
        when = now + dt.timedelta(days=rng.randint(-365 * years, 30))
        done = when < now
        rows.append(
            HomeService(
                customer_id=pk,
                unit_id=unit_id,
                kind=rng.choice(["licence", "training"]),
                request_note="规模测试",
                needs="高龄",
                address=address,
                scheduled_at=when,
                status="done" if done else "scheduled",
                outcome="completed" if done else "",
                created_at=when,
            )
        )
    with transaction.atomic():
        created = insert_objects(HomeService, rows)
        through = HomeService.staff.through
        pairs = [
            through(homeservice_id=s.pk, person_id=p) for s in created for p in rng.sample(staff, 2)
        ]
        insert_objects(through, pairs)
    counts["home_services"] = len(created)

    # -- holiday duty rosters and bookings -----------------------------------------------------
    windows = []
    for bureau in bureaus[:WINDOW_BUREAUS]:
        window = LicenceWindow.objects.filter(unit=bureau).first() or LicenceWindow.objects.create(
            unit=bureau, name=f"{bureau.name}办证窗口"
        )
        windows.append(window)
    rosters = slots = bookings = 0
    day = today - dt.timedelta(days=365)
    days = []
    while day <= today + dt.timedelta(days=45):
        if not rules.roster_day_problem(day):
            days.append(day)
        day += dt.timedelta(days=1)
    for window in windows:
        with transaction.atomic():
            roster_rows = insert_objects(
                DutyRoster, [DutyRoster(window=window, date=d) for d in days]
            )
            slot_rows = insert_objects(
                DutySlot,
                [
                    DutySlot(roster=r, starts_at=s, ends_at=e, capacity=8)
                    for r in roster_rows
                    for s, e in ((dt.time(9), dt.time(11, 30)), (dt.time(14), dt.time(16, 30)))
                ],
            )
            booking_rows = []
            for slot in slot_rows:
                past = slot.roster.date < today
                for _ in range(rng.randint(0, 6 if past else 3)):
                    booking_rows.append(
                        OffDayBooking(
                            slot=slot,
                            name="规模测试",
                            phone="13800138000",
                            purpose="renewal",
                            status="attended" if past else "booked",
                            code=f"S{bookings + len(booking_rows):07d}",
                        )
                    )
            insert_objects(OffDayBooking, booking_rows)
        rosters += len(roster_rows)
        slots += len(slot_rows)
        bookings += len(booking_rows)
    counts.update({"rosters": rosters, "slots": slots, "bookings": bookings})
    log(f"值班 {rosters}，时段 {slots}，预约 {bookings}")
    return counts


def _bench_window_token() -> str:
    window = (
        LicenceWindow.objects.filter(unit__code__startswith=f"{PREFIX}-").order_by("pk").first()
    )
    return window.public_token if window else "none"


def _big_broadcast() -> int:
    b = Broadcast.objects.filter(group__name__startswith="S-").order_by("-recipients").first()
    return b.pk if b else 0


BENCH_CASES: list[tuple[str, str, str]] = [
    ("增值服务 片区群列表", "office", "/warmth/outreach/groups/"),
    ("增值服务 客户经理 片区群列表", "manager", "/warmth/outreach/groups/"),
    ("增值服务 群发记录", "office", "/warmth/outreach/broadcasts/"),
    ("增值服务 祝福发送记录", "office", "/warmth/outreach/greetings/log/"),
    ("增值服务 客户经理 祝福日历", "manager", "/warmth/outreach/greetings/"),
    ("增值服务 祝福日历（全国）", "office", "/warmth/outreach/greetings/"),
    ("增值服务 上门服务", "office", "/warmth/outreach/home/"),
    ("增值服务 节假日值班", "office", "/warmth/outreach/rosters/"),
    ("增值服务 API 群发", "office", "/api/v1/outreach/broadcasts"),
]
