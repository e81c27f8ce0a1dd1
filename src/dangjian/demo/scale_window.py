"""Scale data for 窗口服务 on top of ``demo.scale``: one licence window per county bureau and
``years`` years of licence applications (``per_bureau`` a year each — 1 000 bureaus × 500 ×
5 years = 2.5 M). Older applications are delivered; the last weeks are spread over the open
states with their deadlines (a few percent overdue, some accepted by operation of law).

Rows go out through ``TableWriter`` (COPY on PostgreSQL) with ids from the sequence;
ciphertexts are computed once per distinct value (a pool), as ``demo.scale`` does for
customers. Checklists, notices and inspections are not generated: the list and the worklist
(the pages measured) do not read them.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from dangjian.orgs.models import Unit
from dangjian.platform import idcard, workdays
from dangjian.platform.bulk_write import TableWriter, reserve_ids
from dangjian.platform.crypto import encrypt, lookup_hash
from dangjian.platform.pinyin_search import pinyin_of
from dangjian.warmth.window.models import LicenceApplication, LicenceWindow

from . import names
from .scale import PREFIX

Status = LicenceApplication.Status
KINDS = ["new"] * 3 + ["renewal"] * 5 + ["change"] * 2 + ["suspension", "cancellation"]
POOL = 4000


@cache
def _wd(start: dt.date, n: int) -> dt.date:
    """Working-day arithmetic, cached: a few thousand distinct (date, n) pairs for millions."""
    return workdays.add_working_days(start, n).value


def _pool(rng: random.Random):
    """(name, initials, id ciphertext, id hash, phone ciphertext) tuples, computed once."""
    pool = []
    for i in range(POOL):
        gender = "M" if i % 2 else "F"
        name = names.person_name(rng, gender)
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        number = idcard.make("360702", birth, i % 1000)
        phone = names.phone(rng)
        pool.append(
            (name, pinyin_of(name)[1], encrypt(number), lookup_hash(number), encrypt(phone))
        )
    return pool


def _windows(bureaus) -> dict[int, int]:
    existing = dict(
        LicenceWindow.objects.filter(unit__in=[b[0] for b in bureaus]).values_list("unit_id", "pk")
    )
    new = [
        LicenceWindow(unit_id=pk, name=f"{name[:8]}办证窗口", opening_hours="工作日 8:30-17:30")
        for pk, name in bureaus
        if pk not in existing
    ]
    for w in LicenceWindow.objects.bulk_create(new, batch_size=2000):
        existing[w.unit_id] = w.pk
    return existing


def _row(rng, pk, number, window_id, unit_id, received, person, today) -> dict:
    name, initials, id_cipher, id_hash, phone_cipher = person
    notice_due = _wd(received, 5)
    row = {
        "id": pk,
        "number": number,
        "window_id": window_id,
        "unit_id": unit_id,
        "kind": rng.choice(KINDS),
        "applicant_name": name,
        "applicant_initials": initials,
        "applicant_id_number": id_cipher,
        "applicant_id_hash": id_hash,
        "applicant_phone": phone_cipher,
        "shop_name": f"{name}便利店",
        "shop_address": "某县某路1号",
        "received_on": received,
        "notice_due_on": notice_due,
        "created_at": timezone.now(),
    }
    age = (today - received).days
    if age <= 3 and rng.random() < 0.7:
        row.update(status=Status.RECEIVED, next_due_on=notice_due)
        return row
    deemed = rng.random() < 0.01
    accepted = received if deemed else _wd(received, rng.choice((0, 0, 1, 3)))
    decision_due = _wd(accepted, 20)
    row.update(accepted_on=accepted, deemed_accepted=deemed, decision_due_on=decision_due)
    if age <= 35:
        # Open: most on time, a few late.
        state = rng.choice((Status.ACCEPTED, Status.INSPECTED, Status.REVIEWED))
        due = decision_due if rng.random() > 0.03 else today - dt.timedelta(days=rng.randint(1, 9))
        row.update(status=state, next_due_on=due, decision_due_on=due)
        return row
    decided = _wd(accepted, rng.randint(6, 19))
    delivery_due = _wd(decided, 10)
    row.update(
        reviewed_on=decided,
        review_opinion="同意",
        decision="grant" if rng.random() > 0.05 else "refuse",
        decided_on=decided,
        delivery_due_on=delivery_due,
        delivered_on=_wd(decided, rng.randint(1, 6)),
        delivery_method="窗口领取",
        status=Status.DELIVERED,
        next_due_on=None,
    )
    return row


def generate(*, years: int = 5, seed: int = 29, per_bureau: int = 500) -> dict:
    """Windows and licence applications for the scale bureaus; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    bureaus = list(
        Unit.objects.filter(code__startswith=f"{PREFIX}-", kind=Unit.Kind.BUREAU)
        .order_by("pk")
        .values_list("pk", "name")
    )
    if not bureaus:
        return {"windows": 0, "applications": 0}
    windows = _windows(bureaus)
    pool = _pool(rng)
    writer = TableWriter(LicenceApplication)
    total = 0
    for year in range(today.year - years + 1, today.year + 1):
        last = min(dt.date(year, 12, 31), today)
        span = (last - dt.date(year, 1, 1)).days
        count = len(bureaus) * per_bureau * (span + 1) // 366
        ids = reserve_ids(LicenceApplication, count)
        prefix = f"XK{year}"
        # Later years first in the sequence would break nothing; keep numbers in date order.
        received = sorted(
            dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, span)) for _ in range(count)
        )
        rows = (
            _row(
                rng,
                ids[i],
                f"{prefix}{i + 1:07d}",
                windows[bureaus[i % len(bureaus)][0]],
                bureaus[i % len(bureaus)][0],
                received[i],
                pool[i % POOL],
                today,
            )
            for i in range(count)
        )
        with transaction.atomic():
            total += writer.write(rows)
    if connection.vendor == "postgresql":
        table = LicenceApplication._meta.db_table
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {table}, warmth_window_licencewindow")
    return {"windows": len(windows), "applications": total}


BENCH_CASES: list[tuple[str, str, str]] = [
    ("许可证申请 列表", "office", "/warmth/window/"),
    ("许可证申请 第200页", "office", "/warmth/window/?page=200"),
    ("许可证申请 已逾期", "office", "/warmth/window/?overdue=on"),
    ("许可证申请 新办 已受理", "office", "/warmth/window/?kind=new&status=accepted"),
    ("许可证申请 视为受理", "office", "/warmth/window/?deemed=on"),
    ("许可证申请 搜索 首字母", "office", "/warmth/window/?q=zh"),
    ("许可证申请 搜索 姓名", "office", "/warmth/window/?q=王"),
    ("许可证申请 搜索 编号", "office", "/warmth/window/?q=XK2025000123"),
    ("许可证申请 窗口今日工作", "office", "/warmth/window/worklist/"),
    ("许可证申请 到期名单", "office", "/warmth/window/expiring/"),
    ("许可证申请 到期名单 客户经理", "manager", "/warmth/window/expiring/"),
    ("API 许可证申请列表", "office", "/api/v1/licence-applications"),
]
