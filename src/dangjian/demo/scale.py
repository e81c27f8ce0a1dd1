"""Benchmark-scale data: a national-ish tree with up to millions of customers.

Rows are written as plain tuples with explicit primary keys and tree paths by
``platform.bulk_write.TableWriter`` (PostgreSQL COPY, executemany elsewhere). Derived
columns are precomputed with caches (pinyin per distinct name, one Fernet token per
distinct phone) because encryption and pinyin, not the database, are the slow part at this
size. No history rows are written.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.bulk_write import TableWriter, reserve_ids
from dangjian.platform.crypto import encrypt, lookup_hash
from dangjian.platform.pinyin_search import pinyin_of

from . import names

AREA_NAMES = ["城东片区", "城西片区", "城南片区", "乡镇片区"]
PREFIX = "S"  # every generated code starts with this, so a second run can be detected
BUREAUS_PER_CITY = 10
CITIES_PER_PROVINCE = 10
AREAS_PER_BUREAU = 4
PROVINCES = [
    ("江西", "36"),
    ("湖南", "43"),
    ("广东", "44"),
    ("福建", "35"),
    ("浙江", "33"),
    ("湖北", "42"),
    ("安徽", "34"),
    ("河南", "41"),
    ("四川", "51"),
    ("云南", "53"),
    ("贵州", "52"),
    ("广西", "45"),
    ("山东", "37"),
    ("江苏", "32"),
    ("河北", "13"),
    ("陕西", "61"),
]


def _reset_sequences(models) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def insert_objects(model, objs: list, *, batch: int = 20000) -> list:
    """Insert unsaved model instances fast and return them with their primary keys.

    PostgreSQL: ids from the table's sequence, rows sent with ``COPY`` (no per-value field
    API, no giant ``INSERT``); elsewhere ``bulk_create``. No signals, no history rows, no
    ``save()``: ``auto_now`` columns get the current time, other unset columns their defaults.
    """
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch)
    writer = TableWriter(model, convert=True)
    attnames, pk = writer.attnames, model._meta.pk.attname
    for start in range(0, len(objs), batch):
        chunk = objs[start : start + batch]
        for obj, new_id in zip(chunk, reserve_ids(model, len(chunk)), strict=True):
            setattr(obj, pk, new_id)
            obj._state.adding, obj._state.db = False, "default"
        writer.write(
            ({a: v for a in attnames if (v := getattr(obj, a)) is not None} for obj in chunk),
            batch=batch,
        )
    return objs


def _path(parent_path: str, index: int) -> str:
    return parent_path + Unit._int2str(index).rjust(Unit.steplen, "0")


def generate(
    *,
    customers: int = 1_000_000,
    people: int = 50_000,
    bureaus: int = 1000,
    seed: int = 7,
    party_years: int = 0,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Write the national tree, people, members and customers (and ``party_years`` years of
    party work, see ``generate_party``); return row counts."""
    if Unit.objects.filter(code=f"{PREFIX}-ROOT").exists():
        raise ValueError("规模数据已存在（编码 S-ROOT）；请使用新的空数据库")
    rng = random.Random(seed)
    started = time.monotonic()

    def step(message):
        log(f"[{time.monotonic() - started:7.1f}s] {message}")

    with transaction.atomic():
        counts = _generate(rng, customers, people, bureaus, step)
        _reset_sequences(
            [Unit, PartyOrg, PartyOrg.units.through, Person, Membership, RetailCustomer]
        )
    if party_years:
        counts.update(_generate_party(party_years, step))
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map so counts can use index-only scans.
        # (VACUUM cannot run inside a transaction, e.g. in tests: ANALYZE only then.)
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        step(command)
        with connection.cursor() as cursor:
            cursor.execute(command)
    step("完成")
    return counts


PARTY_GENERATORS = (
    "scale_orglife",
    "scale_dues",
    "scale_development",
    "scale_disclosure",
    "scale_transfers",
    "scale_study",
    "scale_appraisal",
    "scale_tickets",
    "scale_grading",
    "scale_exemplar",
    "scale_visits",
    "scale_outreach",
    "scale_window",
)


PARTY_APPS = {
    "orglife",
    "dues",
    "development",
    "disclosure",
    "transfers",
    "exemplar_showcase",
    "exemplar_conduct",
    "exemplar_study",
    "exemplar_contests",
    "appraisal",
    "appraisal_grading",
    "appraisal_suggestions",
    "warmth_window",
    "warmth_tickets",
}


def party_modules() -> list:
    """The per-app scale generators (``generate(years=…)`` and ``BENCH_CASES`` each)."""
    import importlib

    return [importlib.import_module(f"dangjian.demo.{name}") for name in PARTY_GENERATORS]


def generate_party(*, years: int = 5, log: Callable[[str], None] = print) -> dict[str, int]:
    """Add ``years`` years of party work (meetings, dues ledgers, development cases, notices,
    transfers) to an existing scale database (``generate`` already run)."""
    if not PartyOrg.objects.filter(code=f"{PREFIX}-PROOT").exists():
        raise ValueError("没有规模数据（编码 S-PROOT）；请先运行 gen_scale")
    started = time.monotonic()

    def step(message):
        log(f"[{time.monotonic() - started:7.1f}s] {message}")

    counts = _generate_party(years, step)
    if connection.vendor == "postgresql":
        # Only the new tables: the customers and people are as gen_scale left them.
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table)
            for m in apps.get_models()
            if m._meta.app_label in PARTY_APPS and not m._meta.proxy
        )
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        step(command)
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}")
    step("完成")
    return counts


def _generate_party(years: int, step) -> dict[str, int]:
    from dangjian.orglife.models import Meeting

    if Meeting.objects.filter(branch__code__startswith=f"{PREFIX}-").exists():
        raise ValueError("规模数据中已有党建工作数据（会议）；请使用新的规模数据库")
    counts: dict[str, int] = {}
    with transaction.atomic():  # all or nothing: a failed run leaves no half-written years
        counts.update(_run_party_generators(years, step))
    return counts


def _run_party_generators(years: int, step) -> dict[str, int]:
    counts: dict[str, int] = {}
    for module in party_modules():
        made = module.generate(years=years)
        counts.update(made)
        step(
            f"{module.__name__.rsplit('.', 1)[-1]}: "
            + ", ".join(f"{k} {v}" for k, v in made.items())
        )
    # What the nightly tasks would have done: flag long arrears, overdue letters, long-away
    # 流动党员 (so the flag pages have their rows).
    from dangjian.dues.services import dues_arrears_scan
    from dangjian.transfers.services import transfers_flag_overdue

    counts["arrears_flags"] = dues_arrears_scan()["flagged"]
    flagged = transfers_flag_overdue()
    counts["overdue_letters"], counts["mobile_flagged"] = flagged["letters"], flagged["mobile"]
    step(
        f"定期检查：{counts['arrears_flags']} 名党员连续未交党费，{flagged['letters']} 封介绍信逾期"
    )
    return counts


def _generate(rng, n_customers, n_people, n_bureaus, step):
    unit_w, org_w = TableWriter(Unit), TableWriter(PartyOrg)
    m2m_w = TableWriter(PartyOrg.units.through)
    person_w, member_w, cust_w = (
        TableWriter(Person),
        TableWriter(Membership),
        TableWriter(RetailCustomer),
    )

    # ---- administrative tree: 国家局 → 省局 → 市局 → 县局 → 片区
    root = Unit.objects.add_root(
        instance=Unit(name="国家烟草专卖局（规模测试）", code=f"{PREFIX}-ROOT", kind="company")
    )
    party_root = PartyOrg.objects.add_root(
        instance=PartyOrg(name="行业党组（规模测试）", code=f"{PREFIX}-PROOT", kind="committee")
    )
    uid, oid = unit_w.next_id(), org_w.next_id()
    units, orgs, links = [], [], []
    bureaus = []  # (bureau id, region code, [area ids], [branch ids])
    n_cities = -(-n_bureaus // BUREAUS_PER_CITY)
    n_provinces = -(-n_cities // CITIES_PER_PROVINCE)
    made_bureaus = 0
    root_children = 0
    party_children = 0

    def unit(path, depth, name, code, kind, numchild):
        nonlocal uid
        units.append(
            {
                "id": uid,
                "path": path,
                "depth": depth,
                "numchild": numchild,
                "name": name,
                "code": code,
                "kind": kind,
            }
        )
        uid += 1
        return uid - 1

    def org(path, depth, name, code, kind, numchild, covers=()):
        nonlocal oid
        orgs.append(
            {
                "id": oid,
                "path": path,
                "depth": depth,
                "numchild": numchild,
                "name": name,
                "code": code,
                "kind": kind,
                "secretary_name": "",
            }
        )
        for unit_id in covers:
            links.append({"partyorg_id": oid, "unit_id": unit_id})
        oid += 1
        return oid - 1

    for p in range(n_provinces):
        pname, pcode = PROVINCES[p % len(PROVINCES)]
        pname = pname if p < len(PROVINCES) else f"{pname}{p // len(PROVINCES) + 1}"
        cities_here = min(CITIES_PER_PROVINCE, n_cities - p * CITIES_PER_PROVINCE)
        ppath, opath = _path(root.path, p + 1), _path(party_root.path, p + 1)
        root_children += 1
        party_children += 1
        unit(ppath, 2, f"{pname}省烟草专卖局", f"{PREFIX}-P{p}", "company", cities_here)
        org(opath, 2, f"{pname}省局党组", f"{PREFIX}-OP{p}", "committee", cities_here)
        for c in range(cities_here):
            bureaus_here = min(BUREAUS_PER_CITY, n_bureaus - made_bureaus)
            cpath, copath = _path(ppath, c + 1), _path(opath, c + 1)
            unit(
                cpath,
                3,
                f"{pname}第{c + 1}市烟草公司",
                f"{PREFIX}-C{p}-{c}",
                "company",
                bureaus_here,
            )
            org(
                copath,
                3,
                f"{pname}第{c + 1}市公司党委",
                f"{PREFIX}-OC{p}-{c}",
                "committee",
                2 * bureaus_here,
            )
            for b in range(bureaus_here):
                made_bureaus += 1
                region = f"{pcode}{c + 1:02d}{b + 1:02d}"
                bpath = _path(cpath, b + 1)
                bname = f"{pname}{c + 1}市第{b + 1}县局"
                bid = unit(
                    bpath,
                    4,
                    f"{bname}（营销部）",
                    f"{PREFIX}-B{p}-{c}-{b}",
                    "bureau",
                    AREAS_PER_BUREAU,
                )
                areas = [
                    unit(
                        _path(bpath, a + 1),
                        5,
                        f"{bname}{AREA_NAMES[a % 4]}",
                        f"{PREFIX}-A{p}-{c}-{b}-{a}",
                        "market_area",
                        0,
                    )
                    for a in range(AREAS_PER_BUREAU)
                ]
                branches = []
                for k, covered in enumerate(([bid, *areas[:2]], areas[2:])):
                    brpath = _path(copath, 2 * b + k + 1)
                    br = org(
                        brpath,
                        4,
                        f"{bname}第{'一二'[k]}党支部",
                        f"{PREFIX}-O{p}-{c}-{b}-{k}",
                        "branch",
                        1,
                        covered,
                    )
                    org(
                        _path(brpath, 1),
                        5,
                        f"{bname}第{'一二'[k]}党小组",
                        f"{PREFIX}-G{p}-{c}-{b}-{k}",
                        "group",
                        0,
                    )
                    branches.append((br, oid - 1))
                bureaus.append((bid, region, areas, branches))
    Unit.objects.filter(pk=root.pk).update(numchild=root_children)
    PartyOrg.objects.filter(pk=party_root.pk).update(numchild=party_children)
    unit_w.write(units)
    org_w.write(orgs)
    first_link = m2m_w.next_id()
    for i, link in enumerate(links):
        link["id"] = first_link + i
    m2m_w.write(links)
    step(f"组织树：单位 {len(units) + 1}，党组织 {len(orgs) + 1}")

    # ---- people and memberships
    phone_pool = []
    for _ in range(3000):
        number = names.phone(rng)
        phone_pool.append((encrypt(number), lookup_hash(number)))
    pinyin_cache = {}

    def pinyin(name):
        value = pinyin_cache.get(name)
        if value is None:
            value = pinyin_cache[name] = pinyin_of(name)
        return value

    pid, mid = person_w.next_id(), member_w.next_id()
    persons, members = [], []
    managers_by_area = {}
    serving_by_bureau = {}  # (bureau, post) -> couriers / inspectors serving its customers
    per_bureau = max(1, n_people // max(1, len(bureaus)))
    used = set()
    for bid, region, areas, branches in bureaus:
        for j in range(per_bureau):
            gender = "M" if rng.random() < 0.62 else "F"
            if j < 2 * len(areas):
                unit_id, post = areas[j // 2], "客户经理"
                managers_by_area.setdefault(unit_id, []).append(pid)
            else:
                unit_id = rng.choice([bid, *areas])
                post = rng.choice(names.POSTS_AREA if unit_id != bid else names.POSTS_BUREAU)
            while True:
                birth = names.birth_date(rng)
                number = idcard.make(region, birth, rng.randrange(500) * 2 + (gender == "M"))
                if number not in used:
                    used.add(number)
                    break
            name = names.person_name(rng, gender)
            full, initials = pinyin(name)
            enc_phone, phone_hash = rng.choice(phone_pool)
            if post in ("送货员", "专卖稽查员"):
                serving_by_bureau.setdefault((bid, post), []).append(pid)
            persons.append(
                {
                    "id": pid,
                    "name": name,
                    "name_pinyin": full,
                    "name_initials": initials,
                    "gender": gender,
                    "birth_date": birth,
                    "education": "bachelor",
                    "unit_id": unit_id,
                    "post": post,
                    "phone": enc_phone,
                    "phone_hash": phone_hash,
                    "id_number": encrypt(number),
                    "id_number_hash": lookup_hash(number),
                }
            )
            if rng.random() < 0.6:
                branch, group = branches[0] if unit_id in (bid, *areas[:2]) else branches[1]
                joined = birth + dt.timedelta(days=365 * rng.randint(20, 30))
                joined = min(joined, dt.date(2025, 6, 1))
                probationary = rng.random() < 0.05
                members.append(
                    {
                        "id": mid,
                        "person_id": pid,
                        "branch_id": branch,
                        "group_id": group,
                        "status": "probationary" if probationary else "full",
                        "standing": "normal",
                        "joined_on": joined,
                        "full_member_on": None if probationary else joined + dt.timedelta(days=365),
                        "is_mobile": rng.random() < 0.03,
                        "is_lost": False,
                    }
                )
                mid += 1
            pid += 1
    person_w.write(persons)
    member_w.write(members)
    step(f"人员 {len(persons)}，党员 {len(members)}")

    # ---- customers (streamed: never a million dicts in memory at once)
    owner_pool = []
    for _ in range(30000):
        gender = "M" if rng.random() < 0.55 else "F"
        owner = names.person_name(rng, gender)
        owner_pool.append((owner, *pinyin(owner)))
    shop_cache = {}
    areas_flat = [(a, region, bid) for bid, region, areas, _br in bureaus for a in areas]
    per_area = -(-n_customers // len(areas_flat))
    fmt_values, fmt_weights = zip(*names.FORMAT_WEIGHTS, strict=True)
    today = dt.date(2026, 1, 1)
    cid0 = cust_w.next_id()

    def customer_rows():
        cid = cid0
        made = 0
        for index, (area, region, bid) in enumerate(areas_flat):
            managers = managers_by_area.get(area) or [None]
            couriers = serving_by_bureau.get((bid, "送货员")) or [None]
            inspectors = serving_by_bureau.get((bid, "专卖稽查员")) or [None]
            rural = index % AREAS_PER_BUREAU == AREAS_PER_BUREAU - 1
            # areas of one bureau share the region code: number customers per area block
            base = (index % AREAS_PER_BUREAU) * per_area
            for k in range(per_area):
                if made >= n_customers:
                    return
                owner, owner_py, owner_init = rng.choice(owner_pool)
                fmt = rng.choices(fmt_values, fmt_weights)[0]
                street = rng.choice(names.TOWNS if rural else names.STREETS_URBAN)
                shop = names.shop_name(rng, fmt, owner, street)
                shop_init = shop_cache.get(shop)
                if shop_init is None:
                    shop_init = shop_cache[shop] = pinyin_of(shop)[1]
                enc_phone, phone_hash = rng.choice(phone_pool)
                tier = rng.randint(1, 30)
                yield {
                    "id": cid,
                    "licence_no": f"{region}{base + k + 1:06d}",
                    "shop_name": shop,
                    "shop_initials": shop_init,
                    "owner_name": owner,
                    "owner_pinyin": owner_py,
                    "owner_initials": owner_init,
                    "phone": enc_phone,
                    "phone_hash": phone_hash,
                    "address": f"{street}{rng.randint(1, 999)}号",
                    "unit_id": area,
                    "account_manager_id": managers[k % len(managers)],
                    "courier_id": couriers[k % len(couriers)],
                    "inspector_id": inspectors[k % len(inspectors)],
                    "business_format": fmt,
                    "market": "X" if rural else "C",
                    "size": "1" if fmt in "MS" else "2" if tier > 20 else "3",
                    "tier": tier,
                    "credit_grade": "ABBC"[k % 4],
                    "modern_terminal": fmt in "BS" and k % 2 == 0,
                    "vulnerable": k % 20 == 0,
                    "strong_operator": tier >= 25,
                    "prime_location": k % 10 == 0,
                    "birthday": today - dt.timedelta(days=rng.randint(25 * 365, 70 * 365))
                    if k % 3
                    else None,
                    "birthday_is_lunar": k % 7 == 0,
                    "elderly": k % 40 == 0,
                    "disabled": k % 70 == 0,
                    "ill": k % 50 == 0,
                    "licence_expires_on": today + dt.timedelta(days=k % 1800),
                    "is_active": True,
                }
                cid += 1
                made += 1

    n = cust_w.write(customer_rows())
    step(f"零售客户 {n}")
    return {
        "units": len(units) + 1,
        "party_orgs": len(orgs) + 1,
        "people": len(persons),
        "members": len(members),
        "customers": n,
    }
