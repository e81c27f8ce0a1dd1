"""Server-time benchmark of list and search pages against a gen_scale database.

Requests go through the whole Django stack in-process (middleware, scoping, templates) with
the test client, so the figures are server time without network. Each case is warmed up,
then timed ``repeat`` times; p50/p95 are reported. ``explain=True`` prints the plan of the
slowest SQL statement of each case (EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import csv
import importlib
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts.models import ApiToken, RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Person

from .scale import PREFIX, party_modules


@dataclass
class Case:
    label: str
    user: str
    url: str
    api: bool = False
    group: str = ""  # "党建" for the party-work pages (issue 4); ``--only 党建`` runs them


@dataclass
class Result:
    label: str
    user: str
    p50: float
    p95: float
    queries: int
    sql_ms: float
    status: int
    slowest_sql: str = ""


def _user(username: str, grants) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    for role, node in grants:
        field = "unit" if isinstance(node, Unit) else "party_org"
        RoleGrant.objects.get_or_create(user=user, role=role, **{field: node})
    return user


def bench_users() -> dict[str, User]:
    root = Unit.objects.get(code=f"{PREFIX}-ROOT")
    party_root = PartyOrg.objects.get(code=f"{PREFIX}-PROOT")
    area = Unit.objects.get(code=f"{PREFIX}-A0-0-0-0")
    branch = PartyOrg.objects.get(code=f"{PREFIX}-O0-0-0-0")
    users = {
        "office": _user("bench_office", [(Role.OFFICE, root), (Role.OFFICE, party_root)]),
        "manager": _user("bench_manager", [(Role.ACCOUNT_MANAGER, area)]),
        "secretary": _user("bench_secretary", [(Role.SECRETARY, branch)]),
        "member": _user("bench_member", [(Role.MEMBER, branch)]),
    }
    for key in ("secretary", "member"):  # both are members of the branch they work in
        if not Person.objects.filter(user=users[key]).exists():
            person = (
                Person.objects.filter(membership__branch=branch, user__isnull=True)
                .order_by("pk")
                .first()
            )
            if person is not None:
                Person.objects.filter(pk=person.pk).update(user=users[key])
    return users


def cases() -> list[Case]:
    customers, people = reverse("customers:list"), reverse("people:list")
    sample = (
        RetailCustomer.objects.filter(unit__code=f"{PREFIX}-A0-0-5-1").first()
        or RetailCustomer.objects.order_by("pk").first()
    )
    members = Person.objects.filter(membership__isnull=False).order_by("pk")
    person = members[min(100, members.count() - 1)]
    licence = sample.licence_no if sample else "360101000001"
    result = [
        Case("客户列表", "office", customers),
        Case("客户列表", "manager", customers),
        Case("客户列表 第200页", "office", customers + "?page=200"),
        Case("许可证号前缀 8位", "office", customers + f"?q={licence[:8]}"),
        Case("许可证号 完整", "office", customers + f"?q={licence}"),
        Case("许可证号前缀 8位", "manager", customers + f"?q={licence[:8]}"),
        Case("店名", "office", customers + "?q=惠民"),
        Case("经营者姓名", "office", customers + f"?q={sample.owner_name if sample else '王'}"),
        Case(
            "经营者首字母", "office", customers + f"?q={sample.owner_initials if sample else 'wj'}"
        ),
        Case("经营者首字母", "manager", customers + "?q=w"),
        Case("人员列表", "office", people),
        Case("人员列表", "secretary", people),
        Case("人员 姓名", "office", people + f"?q={person.name}"),
        Case("人员 首字母", "office", people + f"?q={person.name_initials}"),
        Case("人员 首字母", "secretary", people + "?q=w"),
    ]
    api = "/api/v1/"
    result += [
        Case("API 客户列表", "office", api + "customers", api=True),
        Case("API 客户 首字母", "office", api + f"customers?q={person.name_initials}", api=True),
        Case("API 客户列表", "manager", api + "customers", api=True),
        Case("API 人员列表", "office", api + "people", api=True),
        Case("API 人员 首字母", "office", api + f"people?q={person.name_initials}", api=True),
    ]
    result += party_cases()
    return result


def party_cases() -> list[Case]:
    """The party-work pages: each app's ``BENCH_CASES`` (demo/scale_<app>.py) and the pages
    of the bench secretary's own branch (its id resolved here)."""
    branch = PartyOrg.objects.get(code=f"{PREFIX}-O0-0-0-0").pk
    result = [
        Case(label, user, url, api=url.startswith("/api/"), group="党建")
        for module in party_modules()
        for label, user, url in module.BENCH_CASES
    ]
    result += [
        Case("组织生活 支部书记 支部日历", "secretary", f"/orglife/branches/{branch}/"),
        Case("组织生活 支部书记 学时", "secretary", f"/orglife/branches/{branch}/study-hours/"),
        Case("组织生活 支部书记 会议列表", "secretary", "/orglife/meetings/"),
        Case("党费 支部书记 支部台账", "secretary", f"/dues/branch/{branch}/"),
        Case("党费 支部台账", "office", f"/dues/branch/{branch}/"),
        Case("发展党员 支部书记 进度", "secretary", "/development/pipeline/?by=branch"),
        Case("发展党员 支部书记 均衡", "secretary", "/development/balance/?years=3"),
        Case("组织关系转接 支部书记 流动党员", "secretary", "/transfers/mobile/"),
    ]
    for case in result:
        case.group = "党建"
    return result


def _selected(case: Case, only: str) -> bool:
    """``only``: words separated by ``|``; a case runs when its label or group has one."""
    words = [w for w in only.split("|") if w]
    return not words or any(w in case.label or w == case.group for w in words)


def _percentile(values, q):
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def run_case(case: Case, clients: dict, tokens: dict, *, repeat: int, explain: bool) -> Result:
    client = clients[case.user]
    extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[case.user]}"} if case.api else {}
    for _ in range(3):
        response = client.get(case.url, **extra)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(case.url, **extra)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(case.url, **extra)
    selects = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    slowest = max(selects, key=lambda q: float(q["time"]), default={"sql": ""})
    result = Result(
        case.label,
        case.user,
        statistics.median(timings),
        _percentile(timings, 0.95),
        len(ctx.captured_queries),
        sum(float(q["time"]) for q in ctx.captured_queries) * 1000,
        response.status_code,
        slowest["sql"],
    )
    if explain and slowest["sql"] and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            result.slowest_sql += "\n" + "\n".join(row[0] for row in cursor.fetchall())
    return result


def import_throughput(rows: int = 100_000) -> str:
    """Rows/s of the customer importer on a generated CSV (rolled back afterwards)."""
    try:
        importing = importlib.import_module("dangjian.customers.importing")
    except ImportError:
        return "customers/importing.py 不存在，未测"
    area = Unit.objects.get(code=f"{PREFIX}-A0-0-0-0")
    actor = bench_users()["office"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "许可证号",
                    "店名",
                    "经营者",
                    "联系电话",
                    "经营地址",
                    "县局/片区",
                    "业态",
                    "城乡",
                    "规模",
                    "档位",
                    "信用等级",
                ]
            )
            for i in range(rows):
                writer.writerow(
                    [
                        f"99{i:010d}",
                        f"惠民便利店{i}",
                        "王小明",
                        f"139{i:08d}",
                        f"测试路{i}号",
                        area.code,
                        "便利店",
                        "城镇",
                        "小型",
                        10,
                        "B",
                    ]
                )
        start, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            counts = importing.customer_import(actor=actor, path=path)
            if connection.vendor == "postgresql":
                # Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): run
                # those checks now, so the rolled-back import costs what a committed one does.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            transaction.set_rollback(True)  # leave the benchmark data as it was
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rolled-back rows are dead tuples and index entries under the same licence
        # numbers; vacuum them so the next run starts from the same state (not timed).
        history = RetailCustomer.history.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {RetailCustomer._meta.db_table}, {history}")
    # CPU time of this process alone shows the Python cost apart from machine load.
    return (
        f"{rows} 行，{elapsed:.1f} 秒，{rows / elapsed:,.0f} 行/秒"
        f"（本进程 CPU {cpu:.1f} 秒，即 {rows / cpu:,.0f} 行/CPU秒；{counts['created']} 行已回滚）"
    )


def run(*, repeat: int = 30, explain: bool = False, only: str = "", out=print) -> list[Result]:
    users = bench_users()
    clients, tokens = {}, {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)
        tokens[key] = ApiToken.issue(user, days=1)
    results = []
    out("| 场景 | 用户 | p50 ms | p95 ms | SQL 条数 | 其中 SQL ms | 状态 |")
    out("|---|---|---:|---:|---:|---:|---:|")
    for case in cases():
        if not _selected(case, only):
            continue
        r = run_case(case, clients, tokens, repeat=repeat, explain=explain)
        results.append(r)
        out(
            f"| {r.label} | {r.user} | {r.p50:.0f} | {r.p95:.0f} | {r.queries} "
            f"| {r.sql_ms:.0f} | {r.status} |"
        )
        if explain:
            out(r.slowest_sql + "\n")
    return results
