"""Demo 增值服务: a year of area groups and broadcasts (one group's robot is unreachable, so
its delivery log shows a failed channel), greetings of the last three months and today's
(a lunar birthday among them), 上门服务, and holiday duty rosters with bookings.

Uses the county bureaus' licence windows (the window seeder's); creates one for the demo
bureau when none exists yet.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import User
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
    Greeting,
    GreetingOptOut,
    HomeService,
    OffDayBooking,
)
from dangjian.warmth.window.models import LicenceWindow

from .loader import _demo_nodes

BROADCASTS = [
    ("marketing", "春节前货源投放安排", "春节前货源按档位投放，请按需订货，合理备货。"),
    ("weather", "暴雨蓝色预警", "未来两天有强降雨，请做好店面防水和商品防潮。"),
    ("health", "夏季防暑提示", "高温天气请注意防暑降温，店内保持通风。"),
    ("marketing", "新品上市通知", "本月新品已上市，可向客户经理了解陈列建议。"),
    ("notice", "许可证延续提醒", "许可证到期前30天请申请延续，可预约上门办证。"),
    ("weather", "寒潮降温提示", "寒潮来袭，请注意防寒保暖，检查店内用电安全。"),
    ("marketing", "端午节前订货提示", "端午节前订货周期调整，请提前一周下单。"),
    ("health", "流感高发季提示", "流感高发季节，请注意个人防护，保持店内清洁。"),
]
ROBOT_DOWN = "http://127.0.0.1:9/cgi-bin/webhook/send?key=demo"  # nothing listens on port 9


def _window(bureau: Unit, staff: list[Person]) -> LicenceWindow:
    window = LicenceWindow.objects.filter(unit=bureau).order_by("pk").first()
    if window is None:
        window = LicenceWindow.objects.create(
            unit=bureau,
            name=f"{bureau.name.split('（')[0]}办证窗口",
            address=f"{bureau.name.split('（')[0]}政务服务中心一楼烟草窗口",
            phone="0797-8123456",
            opening_hours="工作日 8:30-12:00，14:00-17:30",
        )
    window.staff.add(*staff)
    return window


def seed(rng: random.Random) -> None:
    _company, _committee, branch, area = _demo_nodes()
    bureau = Unit.objects.get(path=area.path[: -Unit.steplen])
    office = User.objects.get(username="office")
    manager = User.objects.get(username="manager")
    member_person = Person.objects.filter(user__username="member").first()
    manager_person = Person.objects.filter(user=manager).first()
    now = timezone.now()
    today = timezone.localdate()
    areas = list(Unit.objects.filter(path__startswith=bureau.path, kind=Unit.Kind.MARKET_AREA))
    bureau_staff = list(Person.objects.filter(unit__path__startswith=bureau.path).order_by("pk"))
    couriers = [p for p in bureau_staff if p.post == "送货员"] or bureau_staff[:3]

    # -- 片区群 and a year of broadcasts --------------------------------------------------------
    groups = []
    for i, unit in enumerate(areas):
        group = AreaGroup.objects.create(
            name=f"{unit.name}客户群",
            unit=unit,
            description="片区零售客户服务群：政策通知、天气和健康提示",
            robot_webhook=ROBOT_DOWN if i == 0 else "",
            created_by=office,
            created_at=now - dt.timedelta(days=360),
        )
        services.area_group_members_add(actor=office, group=group, unit=unit)
        groups.append(group)
    kinds = {k.key: k for k in BroadcastKind.objects.all()}
    for g_index, group in enumerate(groups):
        members = list(
            AreaGroupMember.objects.filter(group=group).values_list("customer_id", flat=True)
        )
        no_phone = set(
            RetailCustomer.objects.filter(pk__in=members, phone_hash__isnull=True).values_list(
                "pk", flat=True
            )
        )
        owners = list(
            group.owners.filter(person__user__isnull=False).values_list("person_id", flat=True)
        )
        for n in range(4 if g_index else 8):
            key, title, content = BROADCASTS[(n + g_index) % len(BROADCASTS)]
            sent_at = now - dt.timedelta(days=330 - n * 40 - g_index, hours=rng.randint(0, 6))
            kind = kinds[key]
            message = Message.objects.create(
                kind=f"broadcast_{key}",
                subject=f"【{kind.name}】{title}",
                body=f"各位零售客户：{content}——{bureau.name}",
                actor=manager,
            )
            Message.objects.filter(pk=message.pk).update(created_at=sent_at)
            broadcast = Broadcast.objects.create(
                group=group,
                kind=kind,
                title=title,
                content=content,
                message=message,
                status=Broadcast.Status.DONE,
                created_by=manager,
                created_at=sent_at,
                finished_at=sent_at + dt.timedelta(minutes=3),
            )
            rows = [
                BroadcastDelivery(
                    broadcast=broadcast,
                    customer_id=pk,
                    channel="sms",
                    attempts=1,
                    status="failed" if pk in no_phone else "sent",
                    last_error="客户没有手机号码" if pk in no_phone else "",
                    sent_at=None if pk in no_phone else sent_at + dt.timedelta(minutes=1),
                )
                for pk in members
            ]
            rows += [
                BroadcastDelivery(
                    broadcast=broadcast,
                    person_id=pk,
                    channel="inbox",
                    attempts=1,
                    status="sent",
                    sent_at=sent_at,
                )
                for pk in owners
            ]
            if group.robot_webhook:
                rows.append(
                    BroadcastDelivery(
                        broadcast=broadcast,
                        channel="wecom",
                        attempts=5,
                        status="failed",
                        last_error="网络错误：<urlopen error [Errno 111] Connection refused>",
                    )
                )
            BroadcastDelivery.objects.bulk_create(rows, batch_size=2000)
            broadcast.recipients = len(rows)
            broadcast.save(update_fields=["recipients"])

    # -- greetings: the last 90 days sent, today's waiting for the 8 o'clock run ---------------
    demo_customers = RetailCustomer.objects.filter(unit__path__startswith=bureau.path)
    lunar_today = lunar.solar_to_lunar(today)
    if not lunar_today.is_leap_month:
        # A customer of the demo manager celebrates his lunar birthday today.
        birthday_customer = (
            demo_customers.filter(unit=area, phone_hash__isnull=False).order_by("pk").first()
        )
        if birthday_customer is not None:
            RetailCustomer.objects.filter(pk=birthday_customer.pk).update(
                birthday=dt.date(1968, lunar_today.month, min(lunar_today.day, 28)),
                birthday_is_lunar=True,
            )
    for customer in demo_customers.filter(phone_hash__isnull=False).order_by("pk")[3:8]:
        GreetingOptOut.objects.create(
            customer=customer, reason="本人表示不需要", created_by=manager
        )
    for offset in range(90, 0, -1):
        day = today - dt.timedelta(days=offset)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
        services.greetings_schedule(on=day, now=at)
        Greeting.objects.filter(on_date=day).update(
            status="sent", attempts=1, sent_at=at, next_attempt_at=None
        )
    Greeting.objects.filter(customer__phone_hash__isnull=True).update(
        status="failed", last_error="客户没有手机号码"
    )
    services.greetings_schedule(on=today)

    # -- 上门服务 --------------------------------------------------------------------------------
    needy = list(
        demo_customers.filter(Q(elderly=True) | Q(disabled=True) | Q(ill=True)).order_by("pk")[:40]
    )
    for i, customer in enumerate(needy[:30]):
        when = now + dt.timedelta(days=rng.randint(-300, 20), hours=rng.randint(-3, 3))
        past = when < now
        status = HomeService.Status.SCHEDULED
        outcome = ""
        if past:
            status = HomeService.Status.DONE if i % 9 else HomeService.Status.CANCELLED
            outcome = rng.choice(["completed"] * 6 + ["partly", "absent"]) if i % 9 else ""
        service = HomeService.objects.create(
            customer=customer,
            unit=customer.unit,
            kind="licence" if i % 3 else "training",
            request_note="许可证延续，上门收取材料并核查"
            if i % 3
            else "卷烟真伪鉴别和智能终端使用培训",
            needs="、".join(customer.needs),
            address=customer.address,
            scheduled_at=when,
            status=status,
            outcome=outcome,
            outcome_note="客户外出就医，改约下周" if outcome == "absent" else "",
            done_at=when + dt.timedelta(hours=1) if status == "done" else None,
            cancel_reason="客户家属已代为到窗口办理" if status == "cancelled" else "",
            created_by=manager,
            created_at=when - dt.timedelta(days=3),
        )
        partner = couriers[i % len(couriers)]
        first = (
            manager_person
            if customer.unit_id == area.pk and manager_person
            else (customer.account_manager or bureau_staff[0])
        )
        service.staff.set({first, partner} if first != partner else {first, bureau_staff[1]})

    # -- holiday duty rosters and bookings --------------------------------------------------------
    staff = [p for p in (member_person, manager_person) if p] + bureau_staff[:2]
    window = _window(bureau, staff)
    names = ["刘", "陈", "黄", "钟", "谢", "曾", "赖", "邱", "温", "朱"]
    purposes = ["renewal", "renewal", "new", "change", "inquiry"]
    booked_customers = list(demo_customers.order_by("pk")[:200])
    day, made = today - dt.timedelta(days=60), 0
    while day <= today + dt.timedelta(days=45):
        day += dt.timedelta(days=1)
        if rules.roster_day_problem(day) or (
            day.weekday() == 6 and day > today + dt.timedelta(days=7)
        ):
            continue
        roster = DutyRoster.objects.create(window=window, date=day, created_by=office)
        roster.staff.set(staff[:2] if made % 2 == 0 else staff[1:3] or staff[:2])
        made += 1
        for start, end in ((dt.time(9), dt.time(11, 30)), (dt.time(14), dt.time(16, 30))):
            slot = DutySlot.objects.create(roster=roster, starts_at=start, ends_at=end, capacity=6)
            for _ in range(rng.randint(0, 5 if day < today else 3)):
                customer = rng.choice(booked_customers)
                past = day < today
                OffDayBooking.objects.create(
                    slot=slot,
                    name=f"{rng.choice(names)}{rng.choice(['先生', '女士', '老板'])}",
                    phone=f"13{rng.randint(500000000, 999999999)}",
                    licence_no=customer.licence_no,
                    customer=customer,
                    purpose=rng.choice(purposes),
                    status=(rng.choice(["attended"] * 5 + ["no_show"]) if past else "booked"),
                    created_at=now - dt.timedelta(days=max(1, (today - day).days + 3)),
                )
