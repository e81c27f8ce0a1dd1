"""Demo 首问负责制: a year of inquiries and complaints for every county bureau (so the
statistics say something: summer complaints about supply, a bureau that is slower than the
others), and, in the demo bureau, live tickets for each demo account — a public complaint
waiting to be accepted, tickets the manager owns (one transferred, one waiting for the
customer, one overdue and escalated), a merged duplicate and a closed ticket with its
one-use rating link.

History is written in bulk with computed due times (the services would cost seconds); the
live tickets go through the services. The statistics rollup is rebuilt at the end.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.crypto import lookup_hash
from dangjian.warmth.tickets import services, stats
from dangjian.warmth.tickets.models import (
    Ticket,
    TicketCategory,
    TicketEvent,
    new_tracking_code,
)
from dangjian.workcalendar.selectors import unit_calendar

from . import names
from .loader import COMPANY_CODE, DEFAULT_PASSWORD, _demo_nodes

# (category, kind, subject, text) — what customers actually ring about.
SUBJECTS = [
    (
        "货源供应",
        "complaint",
        "紧俏品规连续几周订不到",
        "我店订的{brand}连续三周都没有货，隔壁店却有，请解释分配规则。",
    ),
    (
        "货源供应",
        "inquiry",
        "新品什么时候上市",
        "想问一下{brand}新包装什么时候可以订购，订购量有没有限制。",
    ),
    (
        "送货服务",
        "complaint",
        "送货时间不固定",
        "送货员每周到店时间不固定，有时店里没人，货放在门口。",
    ),
    (
        "送货服务",
        "complaint",
        "送货少了一条",
        "本周到货清点少了一条{brand}，送货员说回去查，一直没有答复。",
    ),
    (
        "许可证办理",
        "inquiry",
        "许可证延续需要什么材料",
        "我的许可证下个月到期，想问延续要带哪些材料，能不能上门办。",
    ),
    (
        "许可证办理",
        "inquiry",
        "店铺搬迁怎么变更许可证",
        "店铺要搬到同一条街的另一头，许可证地址变更怎么办理。",
    ),
    (
        "价格与结算",
        "inquiry",
        "扣款失败怎么处理",
        "这周订货银行卡扣款失败，订单会不会作废，怎么补扣。",
    ),
    (
        "价格与结算",
        "complaint",
        "零售指导价标签不对",
        "价签上{brand}的零售指导价和系统里不一样，顾客有意见。",
    ),
    (
        "客户经理服务",
        "suggestion",
        "希望客户经理多讲讲陈列",
        "客户经理每次来都很匆忙，希望能帮我们看看柜台怎么摆更好。",
    ),
    (
        "客户经理服务",
        "complaint",
        "客户经理联系不上",
        "打客户经理电话好几天没人接，订货问题没人处理。",
    ),
    (
        "专卖执法",
        "report",
        "附近有无证销售卷烟",
        "{street}一家小卖部没有许可证也在卖烟，价格还很低，请来查一查。",
    ),
    ("专卖执法", "report", "疑似假烟", "有人上门推销低价{brand}，包装手感不对，怀疑是假烟。"),
    (
        "信息系统与订货",
        "inquiry",
        "网上订货系统登录不了",
        "手机上订货系统一直提示密码错误，重置也收不到验证码。",
    ),
    (
        "信息系统与订货",
        "suggestion",
        "订货截止时间能否延后",
        "周二订货截止太早，希望能延到晚上八点。",
    ),
    (
        "其他",
        "suggestion",
        "希望组织零售户培训",
        "希望局里组织一次经营培训，讲讲怎么用手机收款和对账。",
    ),
]
BRANDS = [
    "金圣（硬滕王阁）",
    "芙蓉王（硬）",
    "利群（新版）",
    "黄鹤楼（软蓝）",
    "中华（硬）",
    "云烟（紫）",
]
CHANNEL_WEIGHTS = [("phone", 40), ("window", 20), ("wechat", 15), ("visit", 10), ("public", 15)]
RESOLUTIONS = [
    "已联系客户说明情况，客户表示理解。",
    "已协调营销部补足货源，下周送到。",
    "已核实并整改，送货时间固定为每周二上午。",
    "已上门指导，问题解决。",
    "已转专卖稽查中队核查，依法处理。",
]


def _clerk(bureau: Unit, n: int) -> User:
    """The bureau's window clerk account (首问 at the window), tied to a staff member."""
    user, created = User.objects.get_or_create(
        username=f"clerk{n:02d}", defaults={"display_name": f"{bureau.name[:2]}窗口"}
    )
    if created:
        user.set_password(DEFAULT_PASSWORD)
        person = (
            Person.objects.filter(unit=bureau, post="窗口人员", user__isnull=True)
            .order_by("pk")
            .first()
        )
        if person is not None:
            user.display_name = person.name
            person.user = user
            person.save()
        user.save()
    RoleGrant.objects.get_or_create(user=user, role=Role.WINDOW_CLERK, unit=bureau)
    return user


def _inspector(company: Unit) -> User:
    department = Unit.objects.get(code=f"{COMPANY_CODE}-D04")  # 专卖监督管理科
    user, created = User.objects.get_or_create(
        username="zhuanmai", defaults={"display_name": "专卖科"}
    )
    if created:
        user.set_password(DEFAULT_PASSWORD)
        person = Person.objects.filter(unit=department, user__isnull=True).order_by("pk").first()
        if person is not None:
            user.display_name = person.name
            person.user = user
            person.save()
        user.save()
    RoleGrant.objects.get_or_create(user=user, role=Role.INSPECTOR, unit=company)
    return user


def _history(rng, bureaus, owners, zhuanmai, now) -> None:
    categories = {c.name: c for c in TicketCategory.objects.all()}
    policies = {(p.kind, p.priority): p for p in services.SlaPolicy.objects.all()}
    start = now - dt.timedelta(days=365)
    tickets: list[Ticket] = []
    plans: list[tuple] = []
    for b_index, (bureau, areas) in enumerate(bureaus):
        calendar = unit_calendar(bureau, start=start.date(), end=now.date() + dt.timedelta(days=60))
        customers = list(
            RetailCustomer.objects.filter(unit__in=areas)
            .order_by("pk")
            .values_list("pk", "unit_id", "owner_name")[:400]
        )
        # One bureau is slower: it shows in the "by unit" chart.
        slowness = 1.6 if b_index == 3 else 1.0
        per_year = 220 + 40 * b_index
        for _ in range(per_year):
            day = rng.random() * 365
            created = start + dt.timedelta(days=day)
            month = timezone.localtime(created).month
            # Summer: more supply complaints.
            pool = SUBJECTS if month not in (6, 7, 8) else SUBJECTS + SUBJECTS[:4] * 2
            category, kind, subject, text = rng.choice(pool)
            created = calendar.add_business_hours(created, rng.random() * 6).value
            if created > now - dt.timedelta(hours=6):
                continue
            channel = names.weighted(rng, CHANNEL_WEIGHTS)
            priority = "urgent" if rng.random() < 0.12 else "normal"
            policy = policies[(kind, priority)]
            customer = rng.choice(customers) if customers and channel != "public" else None
            phone = names.phone(rng)
            ticket = Ticket(
                kind=kind,
                priority=priority,
                category=categories[category],
                channel=channel,
                unit_id=customer[1] if customer else bureau.pk,
                customer_id=customer[0] if customer else None,
                contact_name=customer[2] if customer else names.person_name(rng, "M"),
                contact_phone=phone,
                contact_phone_hash=lookup_hash(phone),
                subject=subject,
                text=text.format(brand=rng.choice(BRANDS), street=rng.choice(names.STREETS_URBAN)),
                created_at=created,
                tracking_code=new_tracking_code(),
            )
            services.set_due_times(ticket, calendar)
            owner = rng.choice(owners[bureau.pk])
            ticket.owner = owner
            ticket.created_by = None if channel == "public" else owner
            respond = (
                0
                if channel != "public"
                else rng.uniform(0.2, float(policy.first_response_hours) * 1.3 * slowness)
            )
            ticket.first_response_at = calendar.add_business_hours(created, respond).value
            ticket.first_response_seconds = int(respond * 3600)
            ticket.response_met = ticket.first_response_at <= ticket.first_response_due
            # Most are answered within the SLA; some late; a slow bureau later.
            spent = float(policy.resolution_hours) * rng.uniform(0.15, 1.25) * slowness
            resolved = calendar.add_business_hours(created, spent).value
            transferred = kind in ("report", "complaint") and rng.random() < 0.3
            ticket.transfer_count = int(transferred)
            if resolved < now:
                closed = calendar.add_business_hours(resolved, rng.uniform(0.2, 6)).value
                ticket.resolved_at = resolved
                ticket.resolution_seconds = int(spent * 3600)
                ticket.resolution_met = resolved <= ticket.resolution_due
                ticket.resolution = rng.choice(RESOLUTIONS)
                if closed < now:
                    ticket.status = Ticket.Status.CLOSED
                    ticket.closed_at = closed
                    ticket.close_seconds = ticket.resolution_seconds + 1800
                    if rng.random() < 0.7:
                        late = not ticket.resolution_met
                        ticket.rating = max(1, min(5, round(rng.gauss(3.3 if late else 4.5, 0.7))))
                        ticket.rated_at = closed + dt.timedelta(hours=rng.randint(1, 48))
                        if ticket.rating <= 2:
                            ticket.rating_comment = "答复太慢，问题拖了很久。"
                    else:
                        ticket.rating_code = new_tracking_code()
                else:
                    ticket.status = Ticket.Status.RESOLVED
            else:
                ticket.status = Ticket.Status.OPEN
            ticket.response_reminded = ticket.resolution_reminded = ticket.resolved_at is None
            if transferred:
                ticket.handler = zhuanmai
                ticket.handler_unit_id = Unit.objects.get(code=f"{COMPANY_CODE}-D04").pk
            tickets.append(ticket)
            plans.append((transferred,))
    Ticket.objects.bulk_create(tickets, batch_size=500)
    events = []
    for ticket, (transferred,) in zip(tickets, plans, strict=True):
        events.append(
            TicketEvent(
                ticket=ticket,
                kind="created",
                at=ticket.created_at,
                actor=ticket.created_by,
                public=True,
                text=f"通过“{ticket.get_channel_display()}”登记",
            )
        )
        events.append(
            TicketEvent(
                ticket=ticket,
                kind="accepted",
                at=ticket.first_response_at,
                actor=ticket.owner,
                public=True,
                text=f"首问负责人：{ticket.owner}",
            )
        )
        if transferred:
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind="transferred",
                    at=ticket.first_response_at + dt.timedelta(minutes=30),
                    actor=ticket.owner,
                    to_user=zhuanmai,
                    to_unit_id=ticket.handler_unit_id,
                    public=True,
                    text="涉及专卖执法，转专卖监督管理科核查",
                )
            )
        if ticket.resolved_at:
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind="resolved",
                    at=ticket.resolved_at,
                    actor=ticket.handler or ticket.owner,
                    public=True,
                    text=ticket.resolution,
                )
            )
        if ticket.closed_at:
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind="closed",
                    at=ticket.closed_at,
                    actor=ticket.owner,
                    public=True,
                    text=ticket.resolution,
                )
            )
        if ticket.rating:
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind="rated",
                    at=ticket.rated_at,
                    public=True,
                    text=f"{'★' * ticket.rating}{'☆' * (5 - ticket.rating)} {ticket.rating_comment}",
                )
            )
    TicketEvent.objects.bulk_create(events, batch_size=1000)


def _live(rng, area, clerk, zhuanmai, now) -> None:
    """Tickets in the demo area for the demo accounts, through the services."""
    manager = User.objects.get(username="manager")
    secretary = User.objects.get(username="secretary")
    bureau = Unit.objects.get(pk=area.get_parent().pk)
    customers = list(RetailCustomer.objects.filter(unit=area).order_by("pk")[:8])
    supply = TicketCategory.objects.get(name="货源供应")
    delivery = TicketCategory.objects.get(name="送货服务")
    licence = TicketCategory.objects.get(name="许可证办理")
    law = TicketCategory.objects.get(name="专卖执法")

    def staff_ticket(actor, customer, category, kind, subject, text, *, hours_ago, **extra):
        return services.ticket_create(
            actor=actor,
            channel=extra.pop("channel", "phone"),
            kind=kind,
            category=category,
            customer=customer,
            contact_name=customer.owner_name,
            contact_phone=customer.phone or names.phone(rng),
            subject=subject,
            text=text,
            now=now - dt.timedelta(hours=hours_ago),
            **extra,
        )

    # A public complaint waiting to be accepted (the clerk and the office see it).
    services.ticket_create(
        kind="complaint",
        category=delivery,
        unit=bureau,
        contact_name="刘女士",
        contact_phone=names.phone(rng),
        subject="送货员把货放在门口就走",
        text="今天上午送货员没等我回店就把两件货放在门口，差点被人拿走。",
        now=now - dt.timedelta(hours=1),
    )
    # The manager's own: one open, one transferred to 专卖科, one waiting for the customer.
    staff_ticket(
        manager,
        customers[0],
        supply,
        "complaint",
        "紧俏品规连续几周订不到",
        "我店订的金圣（硬滕王阁）连续三周都没有货。",
        hours_ago=20,
    )
    t = staff_ticket(
        manager,
        customers[1],
        law,
        "report",
        "附近有无证销售卷烟",
        "红旗大道一家小卖部没有许可证也在卖烟。",
        hours_ago=30,
        channel="visit",
    )
    services.ticket_transfer(
        actor=manager, ticket=t, to_user=zhuanmai, note="涉及无证经营，请专卖科核查"
    )
    t = staff_ticket(
        manager,
        customers[2],
        licence,
        "inquiry",
        "许可证延续需要什么材料",
        "许可证下个月到期，能不能上门办理延续。",
        hours_ago=26,
        channel="window",
    )
    services.ticket_wait(
        actor=manager,
        ticket=t,
        note="请拍照发来营业执照和身份证，以便预审材料",
        now=now - dt.timedelta(hours=3),
    )
    # Overdue and escalated to the bureau's leader/office.
    t = staff_ticket(
        manager,
        customers[3],
        delivery,
        "complaint",
        "送货少了一条",
        "本周到货清点少了一条芙蓉王（硬）。",
        hours_ago=24 * 12,
    )
    services.tickets_sla_check(now=now)
    # A duplicate the secretary merged (the same customer rang twice).
    first = staff_ticket(
        secretary,
        customers[4],
        supply,
        "inquiry",
        "新品什么时候上市",
        "想问新包装什么时候可以订购。",
        hours_ago=6,
    )
    second = staff_ticket(
        secretary,
        customers[4],
        supply,
        "inquiry",
        "再问新品上市时间",
        "昨天问过，再确认一下新品上市时间。",
        hours_ago=2,
    )
    services.ticket_merge(actor=secretary, ticket=second, into=first, note="同一客户重复来电")
    # Closed by the manager, rating link not used yet.
    t = staff_ticket(
        manager,
        customers[5],
        supply,
        "inquiry",
        "扣款失败怎么处理",
        "这周订货银行卡扣款失败。",
        hours_ago=50,
    )
    services.ticket_close(
        actor=manager,
        ticket=t,
        resolution="已协助重新绑定银行卡并补扣成功。",
        now=now - dt.timedelta(hours=2),
    )


def seed(rng: random.Random) -> None:
    company, _committee, _branch, area = _demo_nodes()
    now = timezone.now()
    bureaus = []
    owners = {}
    zhuanmai = _inspector(company)
    for n, bureau in enumerate(
        Unit.objects.filter(kind=Unit.Kind.BUREAU, path__startswith=company.path).order_by("path"),
        1,
    ):
        areas = list(Unit.objects.filter(path__startswith=bureau.path).order_by("path"))
        bureaus.append((bureau, areas))
        owners[bureau.pk] = [_clerk(bureau, n)]
    demo_bureau = area.get_parent()
    owners[demo_bureau.pk] += list(User.objects.filter(username__in=["manager", "secretary"]))
    _history(rng, bureaus, owners, zhuanmai, now)
    _live(rng, area, owners[demo_bureau.pk][0], zhuanmai, now)
    stats.rebuild()
