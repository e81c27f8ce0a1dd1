"""Scale data for 日常服务 on top of ``demo.scale``: ``years`` years of visit and service
records, ``per_customer_year`` a year for every scale customer (1 M customers × 5 years × 20
= the national 100 M service records of SPEC §5), by each customer's account manager; about
5 % with a follow-up (the recent ones still open), 私人定制 visits only to customers of a
segment, with that segment's service types; and every customer's ``LastVisit``.

On PostgreSQL the rows are made by the server (``INSERT … SELECT generate_series``, one
statement per block of customers, the block's ``LastVisit`` rows from the same statement's
``RETURNING``): sending 100 M rows from Python through COPY would spend its time formatting
tuples. The secondary indexes are dropped first and built once at the end (one sorted build
each instead of 100 M random inserts). Elsewhere (SQLite) a small Python path writes the same
shape through ``scale.insert_objects``. No history rows (scale data, not user edits).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.warmth.visits.models import (
    LastVisit,
    TailoredServiceType,
    Visit,
    VisitKind,
)

from .scale import PREFIX, insert_objects

BLOCK = 20_000  # customers per statement (400 k visits at the default rate)
NOTES = [
    "检查经营情况，了解客户需求",
    "检查许可证悬挂情况，证照齐全",
    "协助整理柜台，调整陈列位置",
    "指导出样陈列，新品上柜",
    "宣传营销政策，收集市场信息",
    "讲解订货流程与结算方式",
    "了解客户经营困难，登记诉求",
    "回访上次反映的问题，已解决",
]
FOLLOW_UPS = ["补送宣传资料", "协调货源", "回访陈列效果", "代办证照延续"]
SECONDARY_INDEXES = [
    ("visit_customer_date_idx", "(customer_id, visited_on DESC)", ""),
    ("visit_staff_date_idx", "(staff_id, visited_on DESC)", ""),
    ("visit_unit_date_idx", "(unit_id, visited_on DESC)", ""),
    ("visit_date_idx", "(visited_on DESC, id DESC)", ""),
    (
        "visit_open_follow_up_idx",
        "(staff_id, follow_up_on)",
        "WHERE follow_up_on IS NOT NULL AND follow_up_done_on IS NULL",
    ),
]


def generate(
    *,
    years: int = 5,
    seed: int = 17,
    per_customer_year: int = 20,
    limit_customers: int | None = None,
    log=print,
    resume: bool = False,
    budget_seconds: float | None = None,
) -> dict:
    """Add visit records for the scale customers; returns counts.

    ``resume``: carry on after the last customer a stopped run finished (its blocks are
    committed one by one); ``budget_seconds``: stop adding blocks after this long and build
    the indexes over what is there (the figures then say how many rows were made)."""
    customers = RetailCustomer.objects.filter(unit__code__startswith=f"{PREFIX}-")
    if not resume and Visit.objects.filter(customer__in=customers.values("pk")[:1]).exists():
        raise ValueError("规模数据中已有走访记录；请使用新的规模数据库")
    if connection.vendor == "postgresql":
        return _generate_pg(
            years=years,
            seed=seed,
            per_customer_year=per_customer_year,
            limit_customers=limit_customers,
            log=log,
            resume=resume,
            budget_seconds=budget_seconds,
        )
    return _generate_python(
        years=years, seed=seed, per_customer_year=per_customer_year, limit=limit_customers
    )


def _catalogue():
    kinds = {k.code: k.pk for k in VisitKind.objects.all()}
    types: dict[str, list[int]] = {}
    for t in TailoredServiceType.objects.filter(is_active=True).order_by("pk"):
        types.setdefault(t.segment, []).append(t.pk)
    return kinds, types


def _pg_array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def _sql_text_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _generate_pg(
    *, years, seed, per_customer_year, limit_customers, log, resume=False, budget_seconds=None
) -> dict:
    started = time.monotonic()
    today = timezone.localdate()
    kinds, types = _catalogue()
    table = Visit._meta.db_table
    last_table = LastVisit._meta.db_table
    ids = RetailCustomer.objects.filter(unit__code__startswith=f"{PREFIX}-").order_by("pk")
    bounds = ids.aggregate(lo=Min("pk"), hi=Max("pk"))
    lo, hi = bounds["lo"], bounds["hi"]
    if lo is None:
        return {"visits": 0}
    if limit_customers:
        hi = min(hi, lo + limit_customers - 1)
    span_days = years * 365
    per_customer = years * per_customer_year

    def tailored(segment: str) -> str:
        options = types.get(segment) or [0]
        return f"({_pg_array(options)})[1 + floor(random() * {len(options)})::int]"

    # One visit row per (customer, n): the kind by a random draw; a 私人定制 visit only for a
    # customer with a segment (else a routine one), with a service type of that segment.
    # Only table names, integer ids and the module's own phrases are formatted in.
    insert = f"""
    WITH made AS (
      INSERT INTO {table} (customer_id, unit_id, staff_id, visited_on, kind_id,
                           service_type_id, notes, follow_up_on, follow_up,
                           follow_up_done_on, follow_up_result, created_by_id, created_at)
      SELECT c.id, c.unit_id, c.account_manager_id, v.day,
             CASE WHEN v.r < 0.05 AND c.seg <> '' THEN %(tailored)s
                  WHEN v.r < 0.50 THEN %(routine)s
                  WHEN v.r < 0.65 THEN %(licence)s
                  WHEN v.r < 0.75 THEN %(counter)s
                  WHEN v.r < 0.88 THEN %(display)s
                  WHEN v.r < 0.95 THEN %(training)s
                  ELSE %(routine)s END,
             CASE WHEN v.r < 0.05 THEN
               CASE c.seg
                 WHEN 'vulnerable' THEN {tailored("vulnerable")}
                 WHEN 'modern_terminal' THEN {tailored("modern_terminal")}
                 WHEN 'strong_operator' THEN {tailored("strong_operator")}
                 WHEN 'prime_location' THEN {tailored("prime_location")}
               END END,
             ({_sql_text_array(NOTES)})[1 + floor(random() * {len(NOTES)})::int],
             CASE WHEN v.f < 0.05 THEN v.day + 7 END,
             CASE WHEN v.f < 0.05
                  THEN ({_sql_text_array(FOLLOW_UPS)})[1 + floor(random() * {len(FOLLOW_UPS)})::int]
                  ELSE '' END,
             CASE WHEN v.f < 0.05 AND v.day + 7 < %(recent)s THEN v.day + 7 + (v.f * 100)::int END,
             CASE WHEN v.f < 0.05 AND v.day + 7 < %(recent)s THEN '已办结' ELSE '' END,
             NULL, now()
      FROM (
        SELECT id, unit_id, account_manager_id,
               CASE WHEN vulnerable THEN 'vulnerable'
                    WHEN modern_terminal THEN 'modern_terminal'
                    WHEN strong_operator THEN 'strong_operator'
                    WHEN prime_location THEN 'prime_location'
                    ELSE '' END AS seg
        FROM customers_retailcustomer
        WHERE id BETWEEN %(lo)s AND %(hi)s AND account_manager_id IS NOT NULL
      ) c
      CROSS JOIN LATERAL (
        SELECT (%(today)s::date - floor(random() * %(span)s)::int) AS day,
               random() AS r, random() AS f, g
        FROM generate_series(1, %(n)s) g
        WHERE c.id IS NOT NULL
      ) v
      RETURNING customer_id, visited_on
    )
    INSERT INTO {last_table} (customer_id, visited_on, visit_count)
    SELECT customer_id, max(visited_on), count(*) FROM made GROUP BY customer_id
    """  # noqa: S608
    params = {
        "tailored": kinds["tailored"],
        "routine": kinds["routine"],
        "licence": kinds["licence_check"],
        "counter": kinds["counter"],
        "display": kinds["display"],
        "training": kinds["training"],
        "today": today,
        "recent": today - dt.timedelta(days=21),
        "span": span_days,
        "n": per_customer,
    }
    total = 0
    if resume:
        done = LastVisit.objects.filter(customer_id__gte=lo, customer_id__lte=hi)
        found = done.aggregate(last=Max("customer_id"), n=Sum("visit_count"))
        if found["last"] is not None:
            lo, total = found["last"] + 1, found["n"]
            log(f"接着生成：从客户 {lo} 开始（已有 {total:,} 条）")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        # The ids come from the tables they reference: skip the five foreign-key checks per
        # row (most of the insert time), for this session only.
        cursor.execute("SET session_replication_role = replica")
        for name, _cols, _where in SECONDARY_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        start = lo
        while start <= hi:
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                log(f"时间预算用完：停在客户 {start} 之前")
                break
            end = min(hi, start + BLOCK - 1)
            with transaction.atomic():
                cursor.execute(insert, {**params, "lo": start, "hi": end})
                cursor.execute(
                    f"SELECT coalesce(sum(visit_count), 0) FROM {last_table} "  # noqa: S608
                    "WHERE customer_id BETWEEN %s AND %s",
                    [start, end],
                )
                total += cursor.fetchone()[0]
            log(
                f"[{time.monotonic() - started:7.1f}s] 走访记录：客户 {start}–{end}，"
                f"累计 {total:,} 条"
            )
            start = end + 1
        for name, cols, where in SECONDARY_INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {cols} {where}")
            log(f"[{time.monotonic() - started:7.1f}s] 索引 {name}")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {last_table}")
    log(f"[{time.monotonic() - started:7.1f}s] 完成")
    return {"visits": total, "customers_with_visits": LastVisit.objects.count()}


def _generate_python(*, years, seed, per_customer_year, limit) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    kinds, types = _catalogue()
    plain = [kinds[k] for k in ("routine", "licence_check", "counter", "display", "training")]
    customers = RetailCustomer.objects.filter(
        unit__code__startswith=f"{PREFIX}-", account_manager__isnull=False
    ).order_by("pk")
    if limit:
        customers = customers[:limit]
    rows = []
    for c in customers.iterator():
        segment = next((s for s in types if getattr(c, s)), "")
        for _n in range(years * per_customer_year):
            day = today - dt.timedelta(days=rng.randrange(years * 365))
            is_tailored = segment and rng.random() < 0.05
            follow = rng.random() < 0.05
            rows.append(
                Visit(
                    customer_id=c.pk,
                    unit_id=c.unit_id,
                    staff_id=c.account_manager_id,
                    visited_on=day,
                    kind_id=kinds["tailored"] if is_tailored else rng.choice(plain),
                    service_type_id=rng.choice(types[segment]) if is_tailored else None,
                    notes=rng.choice(NOTES),
                    follow_up_on=day + dt.timedelta(days=7) if follow else None,
                    follow_up=rng.choice(FOLLOW_UPS) if follow else "",
                )
            )
    with transaction.atomic():
        insert_objects(Visit, rows)
        last = (
            Visit.objects.filter(customer__unit__code__startswith=f"{PREFIX}-")
            .values("customer")
            .annotate(day=Max("visited_on"), n=Count("pk"))
        )
        LastVisit.objects.bulk_create(
            [
                LastVisit(customer_id=r["customer"], visited_on=r["day"], visit_count=r["n"])
                for r in last
            ],
            batch_size=5000,
        )
    return {"visits": len(rows)}


def _bench_cases() -> list[tuple[str, str, str]]:
    """The main pages at scale, with ids from the bench database: a customer's visits, a
    staff member's, the due list (the bench manager linked to a real account manager), a
    unit's visits for a month, open follow-ups."""
    from dangjian.accounts.models import User
    from dangjian.orgs.models import Unit
    from dangjian.people.models import Person

    area = Unit.objects.filter(code=f"{PREFIX}-A0-0-0-0").first()
    if area is None:
        return []
    customer = RetailCustomer.objects.filter(unit=area).order_by("pk").first()
    staff_id = customer.account_manager_id if customer else None
    manager = User.objects.filter(username="bench_manager").first()
    if manager is not None and staff_id and not Person.objects.filter(user=manager).exists():
        # The bench account manager is the real manager of the area's first customers, so
        # his due list and his customers' visits are the ones a manager would see.
        Person.objects.filter(pk=staff_id, user__isnull=True).update(user=manager)
    bureau = area.get_parent() if hasattr(area, "get_parent") else None
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    m = f"{month:%Y-%m}"
    base = "/warmth/visits/"
    cases = [
        ("走访 客户的走访记录", "office", f"{base}customer/{customer.pk}/"),
        ("走访 客户的走访记录", "manager", f"{base}customer/{customer.pk}/"),
        ("走访 客户的走访记录", "secretary", f"{base}customer/{customer.pk}/"),
        ("走访 人员的走访记录", "office", f"{base}staff/{staff_id}/"),
        ("走访 人员的走访记录", "manager", f"{base}staff/{staff_id}/"),
        ("走访 客户经理待走访", "manager", f"{base}due/"),
        ("走访 片区待走访", "office", f"{base}due/?unit={area.pk}"),
        ("走访 片区一个月", "office", f"{base}?unit={area.pk}&month={m}"),
        ("走访 片区一个月", "secretary", f"{base}?unit={area.pk}&month={m}"),
        ("走访 全部 最新", "office", base),
        ("走访 全部 最新", "manager", base),
        ("走访 全公司一个月", "office", f"{base}?month={m}"),
        ("走访 客户经理 待跟进", "manager", f"{base}follow-ups/"),
        ("走访 API 客户的走访", "office", f"/api/v1/visits?customer_id={customer.pk}"),
    ]
    if bureau is not None:
        cases.append(("走访 县局一个月", "office", f"{base}?unit={bureau.pk}&month={m}"))
    return cases


def __getattr__(name):
    # BENCH_CASES needs ids of the bench database: computed when the bench asks for it.
    if name == "BENCH_CASES":
        return _bench_cases()
    raise AttributeError(name)
