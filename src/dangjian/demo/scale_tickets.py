"""Scale data for 首问负责制 on top of ``demo.scale``: ``tickets`` tickets (10 M by default)
spread over every market area and ``years`` years, written with ``COPY`` as plain tuples,
then the statistics rollup rebuilt in SQL.

Due times are exact business hours for the hour the ticket came in (cached per working day,
slot, kind and priority); answer times are placed proportionally inside them. No timeline
rows and no history rows (scale data, not user edits): the pages measured are the lists and
the statistics. One window-clerk account per county bureau owns its tickets; the bench
manager owns those of his market area, so "我的工单" has rows.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.platform import workdays
from dangjian.platform.bulk_write import TableWriter, reserve_ids
from dangjian.platform.crypto import encrypt, lookup_hash
from dangjian.warmth.tickets import stats
from dangjian.warmth.tickets.models import SlaPolicy, Ticket, TicketCategory

from . import names
from .scale import PREFIX
from .warmth_tickets import BRANDS, RESOLUTIONS, SUBJECTS

BATCH = 200_000
CHANNELS = ["phone"] * 8 + ["window"] * 4 + ["wechat"] * 3 + ["visit"] * 2 + ["public"] * 3
SLOTS = [(8, 30), (9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30)] + [
    (14, 0),
    (14, 30),
    (15, 0),
    (15, 30),
    (16, 0),
    (16, 30),
    (17, 0),
]


def _clerks(bureaus) -> dict[int, int]:
    """One window-clerk user per county bureau (unusable password); bureau id → user id."""
    existing = dict(
        RoleGrant.objects.filter(
            role=Role.WINDOW_CLERK, user__username__startswith="sq_clerk_"
        ).values_list("unit_id", "user_id")
    )
    missing = [b for b in bureaus if b[0] not in existing]
    password = make_password(None)
    users = [
        User(username=f"sq_clerk_{code}", display_name=f"{name[:6]}窗口", password=password)
        for _pk, code, name in missing
    ]
    User.objects.bulk_create(users, batch_size=5000)
    made = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user_id=made[f"sq_clerk_{code}"], role=Role.WINDOW_CLERK, unit_id=pk)
            for pk, code, _name in missing
        ],
        batch_size=5000,
    )
    existing.update({pk: made[f"sq_clerk_{code}"] for pk, code, _name in missing})
    return existing


def generate(*, years: int = 5, seed: int = 17, tickets: int = 10_000_000, log=print) -> dict:
    """Write ``tickets`` tickets over ``years`` years (at most 10 per scale customer, so a
    small scale city stays small); returns counts."""
    tickets = min(
        tickets, 10 * RetailCustomer.objects.filter(unit__code__startswith=f"{PREFIX}-").count()
    )
    rng = random.Random(seed)
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    areas = list(
        Unit.objects.filter(code__startswith=f"{PREFIX}-", kind=Unit.Kind.MARKET_AREA)
        .order_by("path")
        .values_list("pk", "path")
    )
    bureaus = list(
        Unit.objects.filter(code__startswith=f"{PREFIX}-", kind=Unit.Kind.BUREAU)
        .order_by("path")
        .values_list("pk", "code", "name")
    )
    if not areas:
        raise ValueError("没有规模数据（片区）；请先运行 gen_scale")
    bureau_by_path = {
        p: pk for pk, p in Unit.objects.filter(kind=Unit.Kind.BUREAU).values_list("pk", "path")
    }
    clerk_of_bureau = _clerks(bureaus)
    step = Unit.steplen
    owner_of_area = {}
    for pk, path in areas:
        bureau = next(
            (
                bureau_by_path[path[:i]]
                for i in range(len(path) - step, 0, -step)
                if path[:i] in bureau_by_path
            ),
            None,
        )
        owner_of_area[pk] = clerk_of_bureau.get(bureau)
    bench_manager = User.objects.filter(username="bench_manager").first()
    bench_area = Unit.objects.filter(code=f"{PREFIX}-A0-0-0-0").values_list("pk", flat=True).first()
    if bench_manager is not None and bench_area in owner_of_area:
        owner_of_area[bench_area] = bench_manager.pk
    customers: dict[int, list[int]] = {}
    for pk, unit_id in RetailCustomer.objects.values_list("pk", "unit_id").iterator(
        chunk_size=50000
    ):
        bucket = customers.setdefault(unit_id, [])
        if len(bucket) < 200:
            bucket.append(pk)
    categories = {c.name: c.pk for c in TicketCategory.objects.all()}
    policies = {
        (p.kind, p.priority): (
            float(p.first_response_hours),
            float(p.resolution_hours),
            float(p.remind_before_hours),
        )
        for p in SlaPolicy.objects.all()
    }
    first_day = today.replace(year=today.year - years + 1, month=1, day=1)
    working = [
        first_day + dt.timedelta(days=i)
        for i in range((today - first_day).days)
        if workdays.is_working_day(first_day + dt.timedelta(days=i)).value
    ]
    due_cache: dict[tuple, tuple] = {}

    def dues(day_index: int, slot: int, kind: str, priority: str):
        key = (day_index, slot, kind, priority)
        value = due_cache.get(key)
        if value is None:
            hour, minute = SLOTS[slot]
            start = dt.datetime.combine(working[day_index], dt.time(hour, minute), workdays.TZ)
            first, resolution, remind = policies[(kind, priority)]
            fr = workdays.add_business_hours(start, first)
            res = workdays.add_business_hours(start, resolution)
            value = (
                start,
                fr.value,
                workdays.add_business_hours(start, max(first - remind, first / 2)).value,
                res.value,
                workdays.add_business_hours(start, max(resolution - remind, resolution / 2)).value,
                fr.provisional or res.provisional,
            )
            due_cache[key] = value
        return value

    phones = [names.phone(rng) for _ in range(500)]
    phone_pool = [(encrypt(p), lookup_hash(p)) for p in phones]
    contact_names = [names.person_name(rng, rng.choice("MF")) for _ in range(2000)]
    texts = [
        (categories[c], k, s, t.format(brand=b, street=st))
        for c, k, s, t in SUBJECTS
        for b in BRANDS[:3]
        for st in names.STREETS_URBAN[:2]
    ]
    writer = TableWriter(Ticket)
    recent_cut = now - dt.timedelta(days=21)
    counts = {"tickets": 0}
    written = 0
    with transaction.atomic():
        while written < tickets:
            n = min(BATCH, tickets - written)
            ids = reserve_ids(Ticket, n)
            rows = []
            for new_id in ids:
                area, area_path = areas[rng.randrange(len(areas))]
                category_id, kind, subject, text = texts[rng.randrange(len(texts))]
                priority = "urgent" if rng.random() < 0.1 else "normal"
                day_index = rng.randrange(len(working))
                start, fr_due, fr_remind, res_due, res_remind, provisional = dues(
                    day_index, rng.randrange(len(SLOTS)), kind, priority
                )
                offset = dt.timedelta(minutes=rng.randrange(30))
                created = start + offset
                if created > now - dt.timedelta(hours=2):
                    created = now - dt.timedelta(hours=rng.randint(2, 200))
                first, resolution, _remind = policies[(kind, priority)]
                channel = CHANNELS[rng.randrange(len(CHANNELS))]
                pool = customers.get(area)
                customer = pool[rng.randrange(len(pool))] if pool and channel != "public" else None
                cipher, digest = phone_pool[rng.randrange(len(phone_pool))]
                respond = 0.0 if channel != "public" else rng.uniform(0.1, first * 1.3)
                spent = resolution * rng.uniform(0.1, 1.25)
                span = res_due - start
                resolved_at = created + span * (spent / resolution)
                row = {
                    "id": new_id,
                    "kind": kind,
                    "priority": priority,
                    "category_id": category_id,
                    "channel": channel,
                    "unit_id": area,
                    "customer_id": customer,
                    "contact_name": contact_names[rng.randrange(len(contact_names))],
                    "contact_phone": cipher,
                    "contact_phone_hash": digest,
                    "subject": subject,
                    "text": text,
                    "owner_id": owner_of_area.get(area),
                    "created_by_id": None if channel == "public" else owner_of_area.get(area),
                    "created_at": created,
                    "first_response_due": fr_due + offset,
                    "first_response_remind_at": fr_remind + offset,
                    "resolution_due": res_due + offset,
                    "resolution_remind_at": res_remind + offset,
                    "sla_provisional": provisional,
                    "first_response_at": created + (fr_due - start) * (respond / first),
                    "first_response_seconds": int(respond * 3600),
                    "response_met": respond <= first,
                    "tracking_code": secrets.token_urlsafe(16),
                    "transfer_count": 0,
                }
                if resolved_at < now and created < recent_cut or rng.random() < 0.3:
                    resolved_at = min(resolved_at, now - dt.timedelta(minutes=5))
                    rating = None
                    if rng.random() < 0.7:
                        rating = max(
                            1, min(5, round(rng.gauss(4.4 if spent <= resolution else 3.2, 0.7)))
                        )
                    row.update(
                        status="closed",
                        resolved_at=resolved_at,
                        closed_at=resolved_at,
                        resolution=RESOLUTIONS[rng.randrange(len(RESOLUTIONS))],
                        resolution_seconds=int(spent * 3600),
                        close_seconds=int(spent * 3600),
                        resolution_met=spent <= resolution,
                        rating=rating,
                        rated_at=resolved_at + dt.timedelta(hours=3) if rating else None,
                        response_reminded=True,
                        resolution_reminded=True,
                        response_escalated=True,
                        resolution_escalated=True,
                    )
                else:
                    row.update(
                        status="open" if channel != "public" or rng.random() < 0.8 else "new"
                    )
                    if row["status"] == "new":
                        row.update(
                            owner_id=None,
                            first_response_at=None,
                            first_response_seconds=None,
                            response_met=None,
                        )
                rows.append(row)
            writer.write(rows)
            written += n
            log(f"[{time.monotonic() - started:7.1f}s] 工单 {written:,}")
    counts["tickets"] = written
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")
    counts["ticket_stat_rows"] = stats.rebuild()
    log(f"[{time.monotonic() - started:7.1f}s] 统计汇总 {counts['ticket_stat_rows']:,} 行")
    return counts


BENCH_CASES: list[tuple[str, str, str]] = [
    ("首问负责 工单列表", "office", "/warmth/tickets/?view=all"),
    ("首问负责 工单列表 第50页", "office", "/warmth/tickets/?view=all&page=50"),
    ("首问负责 工单列表 投诉", "office", "/warmth/tickets/?view=all&kind=complaint"),
    ("首问负责 工单列表 未结案", "office", "/warmth/tickets/?view=all&status=open"),
    ("首问负责 工单列表 超时", "office", "/warmth/tickets/?view=all&overdue=on"),
    ("首问负责 工单列表 按月", "office", "/warmth/tickets/?view=all&month=2025-03"),
    ("首问负责 工单列表 手机号", "office", "/warmth/tickets/?view=all&q=13800000000"),
    ("首问负责 我的工单", "manager", "/warmth/tickets/?view=mine"),
    ("首问负责 片区工单", "manager", "/warmth/tickets/?view=all"),
    ("首问负责 支部书记 工单", "secretary", "/warmth/tickets/?view=all"),
    ("首问负责 统计", "office", "/warmth/tickets/stats/"),
    ("首问负责 统计 去年 投诉", "office", "/warmth/tickets/stats/?year=2025&kind=complaint"),
    ("首问负责 统计 片区", "manager", "/warmth/tickets/stats/"),
    ("首问负责 统计 支部书记", "secretary", "/warmth/tickets/stats/"),
    ("API 首问负责 工单列表", "office", "/api/v1/tickets"),
]
