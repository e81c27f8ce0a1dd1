"""Importing retail customers from Excel or CSV: every row checked, all or nothing.

The file is streamed once, in batches, inside one transaction, so memory stays flat at any
size. Every row is checked (``RowChecker``: per-distinct-value work is cached), and while
the file has shown no problem each batch is written with ``platform.bulk_write`` (COPY on
PostgreSQL, with a history row per customer). The first problem stops the writing but not
the checking; at the end the transaction is rolled back and every problem is reported with
its row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.audit import record_event
from dangjian.platform.bulk_write import HistoryInserter
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.pinyin_search import pinyin_of
from dangjian.platform.tabular import (
    CellError,
    Column,
    ErrorCollector,
    ImportRejected,
    Row,
    Table,
)

from .models import (
    LICENCE_RE,
    NEEDS,
    PHONE_RE,
    SEGMENTS,
    BusinessFormat,
    CreditGrade,
    Market,
    RetailCustomer,
    Size,
)
from .selectors import units_for

BATCH_SIZE = 5000
MANAGER_POST = "客户经理"

COLUMNS = [
    Column("licence_no", "许可证号", ("许可证编号", "专卖许可证号", "烟草专卖许可证号")),
    Column("shop_name", "店名", ("店铺名称", "商店名称", "客户名称")),
    Column("owner_name", "经营者", ("负责人", "经营者姓名", "法人")),
    Column("phone", "联系电话", ("电话", "手机", "手机号", "手机号码"), required=False),
    Column("address", "经营地址", ("地址", "店铺地址")),
    Column("unit", "县局/片区", ("县局", "片区", "所属片区/县局", "所属单位", "市场部/片区")),
    Column("manager", "客户经理", required=False),
    Column("business_format", "业态", required=False),
    Column("market", "城乡", ("市场类型",), required=False),
    Column("size", "规模", ("经营规模",), required=False),
    Column("code", "分类编码", ("分类", "客户分类"), required=False),
    Column("tier", "档位", ("客户档位",), required=False),
    Column("credit_grade", "信用等级", ("信用",), required=False),
    Column("segments", "客户群体", ("群体", "客户标签"), required=False),
    Column("birthday", "生日", ("出生日期",), required=False),
    Column("birthday_is_lunar", "农历生日", ("是否农历",), required=False),
    Column("needs", "特殊需求", required=False),
    Column("licence_expires_on", "许可证有效期至", ("有效期至", "许可证有效期"), required=False),
]
LABELS = {c.key: c.label for c in COLUMNS}

TEMPLATE_EXAMPLE = [
    "360702100123",
    "红旗便民超市",
    "王建国",
    "13907971234",
    "章贡区红旗大道88号",
    "章贡城区片区",
    "",
    "超市",
    "城镇",
    "中型",
    "",
    12,
    "A",
    "现代终端、经营能力强",
    "1968-05-12",
    "否",
    "",
    "2028-12-31",
]

_SPLIT = re.compile(r"[、,，;；/\s]+")
_YES = {"是", "y", "yes", "true", "1", "√", "农历"}
_NO = {"", "否", "n", "no", "false", "0", "公历", "阳历"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[value.upper()] = value
        table[str(label)] = value
    table.update(extra or {})
    return table


FORMATS = _choice_lookup(BusinessFormat.choices, {"便利": "B", "食杂": "Z", "烟酒店": "Y"})
MARKETS = _choice_lookup(Market.choices, {"城市": "C", "城区": "C", "农村": "X", "乡镇": "X"})
SIZES = _choice_lookup(Size.choices, {"大": "1", "中": "2", "小": "3"})
GRADES = _choice_lookup(CreditGrade.choices)
SEGMENT_KEYS = {str(label): key for key, label in SEGMENTS.items()}
NEED_KEYS = {str(label): key for key, label in NEEDS.items()} | {
    "老年": "elderly",
    "高龄老人": "elderly",
    "残障": "disabled",
    "残疾人": "disabled",
    "疾病": "ill",
    "病患": "ill",
    "重病": "ill",
}


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class ImportContext:
    """What every row is checked against, loaded once: units, account managers, scope."""

    def __init__(self, actor):
        self.actor = actor
        units = list(
            Unit.objects.filter(kind__in=[Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA]).values_list(
                "pk", "code", "name", "path"
            )
        )
        self.allowed = set(units_for(actor, "import").values_list("pk", flat=True))
        self.by_code = {code.upper(): pk for pk, code, _name, _path in units}
        self.by_name: dict[str, list[int]] = {}
        names_by_path = dict(
            Unit.objects.filter(depth__lte=3).values_list("path", "name")
        )  # parents of bureaus and areas, for "县局/片区" written as a path
        for pk, _code, name, path in units:
            self.by_name.setdefault(name, []).append(pk)
            parent = names_by_path.get(path[: -Unit.steplen])
            if parent:
                self.by_name.setdefault(f"{parent}/{name}", []).append(pk)
        self.managers: dict[str, list[int]] = {}
        for pk, name in (
            Person.objects.restrict(actor, "view")
            .filter(post=MANAGER_POST)
            .values_list("pk", "name")
        ):
            self.managers.setdefault(name, []).append(pk)

    def unit(self, text: str) -> tuple[int | None, str]:
        key = text.strip()
        pk = self.by_code.get(key.upper())
        if pk is None:
            candidates = self.by_name.get(key.replace("／", "/"), [])
            if len(candidates) > 1:
                return None, _("有多个单位叫“%(name)s”，请填写单位编码") % {"name": key}
            pk = candidates[0] if candidates else None
        if pk is None:
            return None, _("找不到县局或片区“%(name)s”（可填写名称或编码）") % {"name": key}
        if pk not in self.allowed:
            return None, _("“%(name)s”不在您的权限范围内") % {"name": key}
        return pk, ""


# -- checking rows ---------------------------------------------------------------------------
# A problem found in a cell: (column key, message, the value shown in the error report).
Problem = tuple[str, str, object]


def _text(value) -> str:
    return value.strip() if value.__class__ is str else str(value or "").strip()


# Runs of ASCII (digits, latin letters, punctuation) have no pinyin, so two shop names that
# differ only there ("惠民便利店12" / "惠民便利店7") have the same initials (see _shop_initials).
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_SPACES = re.compile(r"\s")
# Columns checked together, once per distinct combination of their values.
PROFILE_KEYS = (
    "unit",
    "manager",
    "business_format",
    "market",
    "size",
    "code",
    "tier",
    "credit_grade",
    "segments",
    "needs",
    "birthday_is_lunar",
)
_BLANKS = ("",) * len(PROFILE_KEYS)


class RowChecker:
    """Checks rows and turns them into customer field values, for one import.

    Most columns hold few distinct values (units, managers, 业态, dates…), so the work that
    depends on one cell — a lookup, a parse, its error message — is done once per distinct
    value and cached; only free text (licence, names, address, phone) is checked row by row.
    """

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.today = dt.date.today()
        self._profiles: dict[tuple, tuple[dict, tuple[Problem, ...]]] = {}
        self._dates: dict[str, dict] = {"birthday": {}, "licence_expires_on": {}}
        self._initials: dict[str, str] = {}

    def _profile(self, raws: tuple) -> tuple[dict, tuple[Problem, ...]]:
        raw = dict(zip(PROFILE_KEYS, raws, strict=True))
        out: dict = {}
        problems: list[Problem] = []
        for values, found in (
            self._unit(raw["unit"]),
            self._manager(raw["manager"]),
            self._classification((raw["business_format"], raw["market"], raw["size"], raw["code"])),
            self._tier(raw["tier"]),
            self._grade(raw["credit_grade"]),
            self._flags("segments", raw["segments"], SEGMENT_KEYS, SEGMENTS),
            self._flags("needs", raw["needs"], NEED_KEYS, NEEDS),
            self._lunar(raw["birthday_is_lunar"]),
        ):
            out.update(values)
            problems.extend(found)
        result = self._profiles[raws] = (out, tuple(problems))
        return result

    def check(self, row: Row) -> tuple[dict, list[CellError]]:
        """The customer's field values (derived fields filled) and the row's problems."""
        v = row.values
        get = v.get
        problems: list[Problem] = []
        out: dict = {}

        licence = _text(get("licence_no", ""))
        if not licence:
            problems.append(("licence_no", _("不能为空"), licence))
        elif not LICENCE_RE.match(licence):
            message = _("许可证号应为12位数字")
            if len(licence) > 12:
                problems.append(("licence_no", _("太长（最多 %(n)s 个字）") % {"n": 12}, licence))
            problems.append(("licence_no", message, licence))
        out["licence_no"] = licence
        for key, max_length in (("shop_name", 100), ("owner_name", 50), ("address", 200)):
            raw = get(key, "")
            value = _text(raw)
            if not value:
                problems.append((key, _("不能为空"), raw))
            elif len(value) > max_length:
                problems.append((key, _("太长（最多 %(n)s 个字）") % {"n": max_length}, raw))
            out[key] = value
        raw_phone = get("phone", "")
        phone = _SPACES.sub("", str(raw_phone or ""))
        if phone and not PHONE_RE.match(phone):
            problems.append(
                ("phone", _("手机号码格式不正确（应为11位手机号或带区号的固定电话）"), raw_phone)
            )
        out["phone"] = phone

        # The columns below repeat a lot from row to row: one cached answer per distinct
        # combination (dates, which vary more, per distinct value).
        key = tuple(map(get, PROFILE_KEYS, _BLANKS))
        values, found = self._profiles.get(key) or self._profile(key)
        out.update(values)
        problems.extend(found)
        for name, check in (("birthday", self._birthday), ("licence_expires_on", self._expiry)):
            raw = get(name, "")
            memo = self._dates[name]
            values, found = memo.get(raw) or memo.setdefault(raw, check(raw))
            out.update(values)
            problems.extend(found)

        # Derived columns, as RetailCustomer.derive_fields() sets them (bulk writes skip save()).
        out["owner_pinyin"], out["owner_initials"] = pinyin_of(out["owner_name"])
        out["shop_initials"] = self._shop_initials(out["shop_name"])
        out["phone_hash"] = lookup_hash(phone)

        errors = list(row.errors)
        number = row.number
        for key, message, shown in problems:
            errors.append(CellError(number, LABELS[key], str(shown), message))
        return out, errors

    def _shop_initials(self, name: str) -> str:
        # pinyin_of costs ~60 µs per new string and shop names are mostly distinct, but the
        # ASCII in them (house numbers) has no pinyin: cache on the name with ASCII runs
        # collapsed, which gives the same initials.
        key = _ASCII_RUN.sub("0", name.strip())
        initials = self._initials.get(key)
        if initials is None:
            initials = self._initials[key] = pinyin_of(name)[1]
        return initials

    # Each check below takes the raw cell(s) and returns (field values, problems).
    def _unit(self, raw) -> tuple[dict, tuple[Problem, ...]]:
        text = _text(raw)
        if not text:
            return {}, (("unit", _("不能为空"), raw),)
        unit_id, problem = self.ctx.unit(text)
        return {"unit_id": unit_id}, ((("unit", problem, raw),) if problem else ())

    def _manager(self, raw) -> tuple[dict, tuple[Problem, ...]]:
        name = _text(raw)
        if not name:
            return {"account_manager_id": None}, ()
        found = self.ctx.managers.get(name, [])
        if len(found) == 1:
            return {"account_manager_id": found[0]}, ()
        if not found:
            message = _("找不到客户经理“%(name)s”（须是您权限范围内岗位为客户经理的人员）") % {
                "name": name
            }
        else:
            message = _("有多名客户经理叫“%(name)s”，请先在人员档案中区分") % {"name": name}
        return {"account_manager_id": None}, (("manager", message, raw),)

    def _classification(self, raws) -> tuple[dict, tuple[Problem, ...]]:
        """业态 / 城乡 / 规模, or the combined code (CZ1 = 城镇·食杂店·大型)."""
        raw_format, raw_market, raw_size, raw_code = raws
        shown = {"business_format": raw_format, "market": raw_market, "size": raw_size}
        problems: list[Problem] = []
        parts = {}
        for key, table in (("business_format", FORMATS), ("market", MARKETS), ("size", SIZES)):
            text = _text(shown[key])
            if text:
                value = table.get(text.upper()) or table.get(text)
                if value is None:
                    names = "、".join(sorted({str(lbl) for val, lbl in _choices(key)}))
                    problems.append(
                        (
                            key,
                            _("无法识别“%(value)s”，可填：%(names)s")
                            % {"value": text, "names": names},
                            shown[key],
                        )
                    )
                parts[key] = value
        code = _text(raw_code).upper()
        if code:
            if (
                len(code) != 3
                or code[0] not in MARKETS
                or code[1] not in FORMATS
                or code[2] not in SIZES
            ):
                problems.append(
                    (
                        "code",
                        _("分类编码应为“城乡+业态+规模”三位，如 CZ1（城镇食杂店大型）"),
                        raw_code,
                    )
                )
            else:
                coded = {"market": code[0], "business_format": code[1], "size": code[2]}
                for key, value in coded.items():
                    if parts.get(key) and parts[key] != value:
                        problems.append(
                            (
                                "code",
                                _("分类编码与“%(col)s”不一致") % {"col": LABELS[key]},
                                raw_code,
                            )
                        )
                    parts.setdefault(key, value)
        out = {}
        for key in ("business_format", "market", "size"):
            if key not in parts and not any(p[0] == key for p in problems):
                problems.append((key, _("不能为空（或填写分类编码，如 CZ1）"), ""))
            out[key] = parts.get(key)
        return out, tuple(problems)

    def _tier(self, raw) -> tuple[dict, tuple[Problem, ...]]:
        text = _text(raw)
        if not text:
            return {"tier": 15}, ()
        try:
            tier = int(float(text))
            if float(text) != tier:
                raise ValueError
        except ValueError:
            tier = None
        if tier is None or not 1 <= tier <= 30:
            return {"tier": 15}, (("tier", _("档位应为 1 到 30 之间的整数"), raw),)
        return {"tier": tier}, ()

    def _grade(self, raw) -> tuple[dict, tuple[Problem, ...]]:
        text = _text(raw)
        if not text:
            return {"credit_grade": "B"}, ()
        value = GRADES.get(text.upper()) or GRADES.get(text)
        if value is None:
            return {"credit_grade": "B"}, (("credit_grade", _("信用等级应为 A、B、C 或 D"), raw),)
        return {"credit_grade": value}, ()

    def _flags(self, column: str, raw, table: dict, labels: dict) -> tuple[dict, tuple]:
        out = dict.fromkeys(table.values(), False)
        problems = []
        for word in _SPLIT.split(_text(raw)):
            if not word:
                continue
            if word in table:
                out[table[word]] = True
            else:
                names = "、".join(str(x) for x in labels.values())
                problems.append(
                    (
                        column,
                        _("无法识别“%(word)s”，可填：%(names)s") % {"word": word, "names": names},
                        raw,
                    )
                )
        return out, tuple(problems)

    def _date(self, key: str, raw) -> tuple[dict, tuple[Problem, ...]]:
        if raw in ("", None):
            return {key: None}, ()
        try:
            return {key: parse_date(raw)}, ()
        except ValueError:
            return {key: None}, ((key, _("日期格式不正确，应为 2024-05-01 这样的格式"), raw),)

    def _birthday(self, raw):
        values, problems = self._date("birthday", raw)
        day = values["birthday"]
        if day and not dt.date(1900, 1, 1) <= day <= self.today:
            problems = (("birthday", _("生日不在合理范围内"), raw),)
        return values, problems

    def _expiry(self, raw):
        return self._date("licence_expires_on", raw)

    def _lunar(self, raw) -> tuple[dict, tuple[Problem, ...]]:
        text = _text(raw).lower()
        if text in _YES:
            return {"birthday_is_lunar": True}, ()
        if text in _NO:
            return {"birthday_is_lunar": False}, ()
        return {"birthday_is_lunar": False}, (("birthday_is_lunar", _("应填“是”或“否”"), raw),)


def _choices(key: str):
    return {"business_format": BusinessFormat, "market": Market, "size": Size}[key].choices


def _batches(table: Table) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in table.rows():
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def customer_import(
    *, actor, path: Path | str, progress: Callable[[float, str], None] | None = None
) -> dict:
    """Import customers from the file at ``path`` for ``actor``; all rows or none.

    One pass, batch by batch, inside one transaction: every row is checked (a licence number
    also against the file's earlier rows), and while no problem has been found each clean
    batch is written (``platform.bulk_write``: COPY on PostgreSQL); a licence number already
    in the database makes the unique index refuse the batch, and is then looked up to be
    reported. After the first problem nothing more is written but every row is still
    checked, licences against the database too; at the end the transaction is rolled back
    and ``ImportRejected`` carries every problem found.

    Raises ``TableError`` when the file cannot be read. Returns counts on success.
    """
    report = progress or (lambda pct, msg: None)
    table = Table(path, COLUMNS)
    checker = RowChecker(ImportContext(actor))
    estimate = table.estimate_rows()
    collector = ErrorCollector()
    seen: dict[str, int] = {}
    checked = created = 0

    with transaction.atomic():
        with HistoryInserter(RetailCustomer, user=actor, reason=_("批量导入")) as writer:
            for batch in _batches(table):
                customers = []
                licences: dict[str, int] = {}
                for row in batch:
                    values, errors = checker.check(row)
                    licence = values["licence_no"]
                    if LICENCE_RE.match(licence):
                        first = seen.setdefault(licence, row.number)
                        if first != row.number:
                            errors.append(
                                CellError(
                                    row.number,
                                    LABELS["licence_no"],
                                    licence,
                                    _("与第%(row)s行的许可证号重复") % {"row": first},
                                )
                            )
                        else:
                            licences[licence] = row.number
                    if errors:
                        collector.extend(errors)
                    elif not collector:
                        customers.append(values)
                checked += len(batch)
                clashes = ()
                if collector:  # nothing more is written: only look for licences in use
                    clashes = writer.existing("licence_no", licences)
                else:
                    try:
                        created += writer.insert(customers)
                    except IntegrityError:  # the unique licence index refused the batch
                        clashes = writer.existing("licence_no", licences)
                        if not clashes:
                            raise
                for licence in sorted(clashes):
                    collector.add(
                        CellError(
                            licences[licence],
                            LABELS["licence_no"],
                            licence,
                            _("该许可证号已存在于系统中"),
                        )
                    )
                report(min(99, checked * 100 / estimate), _("已检查 %(n)s 行") % {"n": checked})
        if collector:
            collector.errors.sort(key=lambda e: e.row)
            raise ImportRejected(collector.errors, collector.total, checked)
        if not checked:
            raise ImportRejected([CellError(0, "", "", _("文件中没有数据行"))], 1, 0)
        record_event(
            actor=actor,
            verb="customer.import",
            target=actor,
            summary=_("导入零售客户 %(n)s 户") % {"n": created},
            data={"created": created, "file": Path(path).name},
        )
    report(100, _("已导入 %(n)s / %(total)s 行") % {"n": created, "total": checked})
    return {"created": created, "summary": _("已导入 %(n)s 户零售客户") % {"n": created}}
