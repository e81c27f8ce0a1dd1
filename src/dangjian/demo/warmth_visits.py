"""Demo 日常服务: a year of visits (the demo manager's area visited closely, the rest of the
city now and then), display photos before / after, follow-ups (some open, one overdue),
私人定制 services to segment customers, and the branches' "假如我是服务对象" discussions."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from django.db.models import Count, Max
from django.utils import timezone
from PIL import Image, ImageDraw

from dangjian.accounts.models import User
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.warmth.visits.models import (
    Discussion,
    LastVisit,
    TailoredServiceType,
    Visit,
    VisitKind,
    VisitPhoto,
)

from .loader import COMMITTEE_CODE, COMPANY_CODE, _demo_nodes

NOTES = {
    "routine": [
        "了解本周销售情况，客户反映中支烟需求上升",
        "走访了解经营情况，店面整洁，经营正常",
        "宣传最新营销政策和订货时间调整",
        "了解到客户家中老人住院，转达关心",
    ],
    "licence_check": [
        "许可证悬挂规范，在有效期内",
        "许可证未悬挂在醒目位置，已当场提醒整改",
        "核对许可证信息与经营地址一致",
    ],
    "counter": [
        "协助整理柜台，按品类重新归位",
        "清理过期宣传物料，更换价签",
    ],
    "display": [
        "指导出样陈列：高端规格上移到视线高度",
        "新品出样，调整柜台前排陈列",
        "按“一品一签”规范整改陈列",
    ],
    "tailored": [
        "按客户群体提供私人定制服务",
        "上门提供定制服务，客户满意",
    ],
    "training": [
        "讲解自助订货终端操作",
        "培训识别真假烟的方法",
    ],
}
FOLLOW_UPS = ["补送宣传资料", "协调紧俏规格货源", "回访陈列整改效果", "协助办理许可证延续"]
DISCUSSION_TOPICS = [
    (
        "假如我是零售客户：订货高峰时电话打不进怎么办？",
        "订货热线高峰占线；部分客户不会使用网上订货",
        "高峰时段增设坐席；客户经理逐户上门教会网上订货",
    ),
    (
        "假如我是老年客户：办证要跑几趟？",
        "材料清单不清楚，老年客户往返多次",
        "推行一次性告知，行动不便的客户上门办证",
    ),
    (
        "假如我是农村客户：送货时间能否固定？",
        "送货时间不固定，客户需要整天守店",
        "公布送货时间表，提前一小时短信通知",
    ),
    (
        "假如我是新开业客户：经营上最需要什么帮助？",
        "新客户不熟悉品类结构和陈列规范",
        "新客户开业首月由党员客户经理结对指导",
    ),
]


def _display_photo(rng: random.Random, tidy: bool) -> ContentFile:
    """A drawn shop counter: cluttered before, tidy after (real JPEG bytes)."""
    image = Image.new("RGB", (640, 480), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 300, 600, 460), fill=(120, 84, 52))  # the counter
    for shelf in range(3):
        y = 60 + shelf * 80
        draw.rectangle((40, y + 60, 600, y + 66), fill=(90, 60, 40))
        for slot in range(12):
            x = 50 + slot * 45
            colour = (
                (180, 30, 30)
                if tidy and shelf == 0
                else rng.choice([(200, 40, 40), (40, 90, 160), (230, 190, 60), (60, 140, 80)])
            )
            jitter = 0 if tidy else rng.randint(-10, 10)
            if tidy or rng.random() > 0.25:
                draw.rectangle((x, y + jitter, x + 35, y + 55 + jitter), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name="display.jpg")


def seed(rng: random.Random) -> None:
    company, _committee, branch, area = _demo_nodes()
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    kinds = {k.code: k for k in VisitKind.objects.all()}
    types: dict[str, list[TailoredServiceType]] = {}
    for t in TailoredServiceType.objects.filter(is_active=True):
        types.setdefault(t.segment, []).append(t)
    manager_user = User.objects.get(username="manager")
    office = User.objects.get(username="office")
    customers = list(
        RetailCustomer.objects.filter(
            unit__code__startswith=COMPANY_CODE, is_active=True, account_manager__isnull=False
        ).order_by("pk")
    )
    plain = ["routine"] * 6 + ["licence_check"] * 2 + ["counter", "display", "display", "training"]
    rows: list[Visit] = []
    for customer in customers:
        close = customer.unit_id == area.pk
        segment = next((s for s in types if getattr(customer, s)), "")
        # The demo area: every 2–5 weeks; elsewhere a few visits a year.
        if close:
            step = rng.randint(12, 35)
            days = [d for d in range(rng.randint(0, 20), 365, step) if rng.random() > 0.1]
            if rng.random() < 0.2:
                days = [d for d in days if d < 300]  # some customers not seen for two months
        else:
            days = sorted(rng.randrange(365) for _ in range(rng.randint(0, 4)))
        for offset in days:
            day = start + dt.timedelta(days=offset)
            code = "tailored" if segment and rng.random() < 0.15 else rng.choice(plain)
            follow = rng.random() < (0.12 if close else 0.04)
            done = follow and day < today - dt.timedelta(days=20)
            rows.append(
                Visit(
                    customer=customer,
                    unit_id=customer.unit_id,
                    staff_id=customer.account_manager_id,
                    visited_on=day,
                    kind=kinds[code],
                    service_type=rng.choice(types[segment]) if code == "tailored" else None,
                    notes=rng.choice(NOTES[code]),
                    follow_up_on=day + dt.timedelta(days=rng.choice([3, 7, 14]))
                    if follow
                    else None,
                    follow_up=rng.choice(FOLLOW_UPS) if follow else "",
                    follow_up_done_on=day + dt.timedelta(days=5) if done else None,
                    follow_up_result="已办结，客户满意" if done else "",
                    created_by=manager_user if close else office,
                )
            )
    Visit.objects.bulk_create(rows, batch_size=2000)
    last = (
        Visit.objects.filter(unit__code__startswith=COMPANY_CODE)
        .values("customer")
        .annotate(day=Max("visited_on"), n=Count("pk"))
    )
    LastVisit.objects.bulk_create(
        [
            LastVisit(customer_id=r["customer"], visited_on=r["day"], visit_count=r["n"])
            for r in last
        ],
        batch_size=2000,
    )
    _photos(rng, area)
    _discussions(rng, branch)


def _photos(rng: random.Random, area) -> None:
    """Display visits in the demo area get a before and an after photo (the latest six)."""
    display = Visit.objects.filter(unit=area, kind__code="display").order_by("-visited_on")[:6]
    for visit in display:
        for stage, tidy in (("before", False), ("after", True)):
            photo = VisitPhoto(visit=visit, stage=stage)
            photo.image.save("display.jpg", _display_photo(rng, tidy), save=False)
            photo.save()


def _discussions(rng: random.Random, branch: PartyOrg) -> None:
    """A discussion a quarter in the demo branch; one in a few other branches."""
    secretary = User.objects.get(username="secretary")
    today = timezone.localdate()
    branches = [branch] + list(
        PartyOrg.objects.filter(code__startswith=COMMITTEE_CODE, kind=PartyOrg.Kind.BRANCH)
        .exclude(pk=branch.pk)
        .order_by("pk")[:5]
    )
    for index, org in enumerate(branches):
        members = list(Person.objects.filter(membership__branch=org).order_by("pk")[:12])
        quarters = 4 if org == branch else 1
        for q in range(quarters):
            topics, findings, measures = DISCUSSION_TOPICS[(index + q) % len(DISCUSSION_TOPICS)]
            held = today - dt.timedelta(days=30 + 90 * q + rng.randint(0, 20))
            discussion = Discussion.objects.create(
                branch=org,
                held_on=held,
                place="党员活动室",
                topics=topics,
                findings=findings,
                measures=measures,
                created_by=secretary if org == branch else None,
            )
            discussion.participants.set(rng.sample(members, min(len(members), 8)))
