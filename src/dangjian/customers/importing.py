"""Importing retail customers from Excel or CSV: every row checked, all or nothing.

Two passes over the file, so memory stays flat at any size: the first validates every row
(collecting every problem, with its row and column), the second — only when there was no
problem at all — builds the customers again and bulk-inserts them in batches inside one
transaction. ``bulk_create`` skips ``save()``, so ``derive_fields()`` is called here, and
history rows are written with simple_history's ``bulk_create_with_history``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.audit import record_event
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

BATCH_SIZE = 2000
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


def _row_customer(row: Row, ctx: ImportContext, errors: list[CellError]) -> dict | None:
    """The customer's field values from one row, or None (problems appended to ``errors``)."""
    v = row.values
    out: dict = {}

    def bad(key: str, message: str, value=None) -> None:
        shown = v.get(key, "") if value is None else value
        errors.append(CellError(row.number, LABELS[key], str(shown), message))

    def text(key: str, *, required: bool, max_length: int) -> str:
        value = str(v.get(key, "") or "").strip()
        if required and not value:
            bad(key, _("不能为空"))
        elif len(value) > max_length:
            bad(key, _("太长（最多 %(n)s 个字）") % {"n": max_length})
        return value

    licence = text("licence_no", required=True, max_length=12)
    if licence and not LICENCE_RE.match(licence):
        bad("licence_no", _("许可证号应为12位数字"))
    out["licence_no"] = licence
    out["shop_name"] = text("shop_name", required=True, max_length=100)
    out["owner_name"] = text("owner_name", required=True, max_length=50)
    out["address"] = text("address", required=True, max_length=200)
    phone = re.sub(r"[\s]", "", str(v.get("phone", "") or ""))
    if phone and not PHONE_RE.match(phone):
        bad("phone", _("手机号码格式不正确（应为11位手机号或带区号的固定电话）"))
    out["phone"] = phone

    unit_text = str(v.get("unit", "") or "").strip()
    if not unit_text:
        bad("unit", _("不能为空"))
    else:
        unit_id, problem = ctx.unit(unit_text)
        if problem:
            bad("unit", problem)
        out["unit_id"] = unit_id

    manager = str(v.get("manager", "") or "").strip()
    out["account_manager_id"] = None
    if manager:
        found = ctx.managers.get(manager, [])
        if not found:
            bad(
                "manager",
                _("找不到客户经理“%(name)s”（须是您权限范围内岗位为客户经理的人员）")
                % {"name": manager},
            )
        elif len(found) > 1:
            bad(
                "manager", _("有多名客户经理叫“%(name)s”，请先在人员档案中区分") % {"name": manager}
            )
        else:
            out["account_manager_id"] = found[0]

    # 业态 / 城乡 / 规模, or the combined code (CZ1 = 城镇·食杂店·大型).
    code = str(v.get("code", "") or "").strip().upper()
    parts = {}
    for key, table in (("business_format", FORMATS), ("market", MARKETS), ("size", SIZES)):
        raw = str(v.get(key, "") or "").strip()
        if raw:
            value = table.get(raw.upper()) or table.get(raw)
            if value is None:
                names = "、".join(sorted({str(lbl) for val, lbl in _choices(key)}))
                bad(key, _("无法识别“%(value)s”，可填：%(names)s") % {"value": raw, "names": names})
            parts[key] = value
    if code:
        if (
            len(code) != 3
            or code[0] not in MARKETS
            or code[1] not in FORMATS
            or code[2] not in SIZES
        ):
            bad("code", _("分类编码应为“城乡+业态+规模”三位，如 CZ1（城镇食杂店大型）"))
        else:
            coded = {"market": code[0], "business_format": code[1], "size": code[2]}
            for key, value in coded.items():
                if parts.get(key) and parts[key] != value:
                    bad("code", _("分类编码与“%(col)s”不一致") % {"col": LABELS[key]})
                parts.setdefault(key, value)
    for key in ("business_format", "market", "size"):
        if key not in parts and not any(e.column == LABELS[key] for e in errors):
            bad(key, _("不能为空（或填写分类编码，如 CZ1）"), value="")
        out[key] = parts.get(key)

    tier_text = str(v.get("tier", "") or "").strip()
    out["tier"] = 15
    if tier_text:
        try:
            tier = int(float(tier_text))
            if float(tier_text) != tier:
                raise ValueError
        except ValueError:
            tier = None
        if tier is None or not 1 <= tier <= 30:
            bad("tier", _("档位应为 1 到 30 之间的整数"))
        else:
            out["tier"] = tier

    grade = str(v.get("credit_grade", "") or "").strip()
    out["credit_grade"] = "B"
    if grade:
        value = GRADES.get(grade.upper()) or GRADES.get(grade)
        if value is None:
            bad("credit_grade", _("信用等级应为 A、B、C 或 D"))
        else:
            out["credit_grade"] = value

    for column, table in (("segments", SEGMENT_KEYS), ("needs", NEED_KEYS)):
        for key in table.values():
            out[key] = False
        for word in _SPLIT.split(str(v.get(column, "") or "").strip()):
            if not word:
                continue
            if word in table:
                out[table[word]] = True
            else:
                names = "、".join(
                    str(x) for x in (SEGMENTS if column == "segments" else NEEDS).values()
                )
                bad(
                    column,
                    _("无法识别“%(word)s”，可填：%(names)s") % {"word": word, "names": names},
                )

    for key in ("birthday", "licence_expires_on"):
        raw = v.get(key, "")
        out[key] = None
        if raw not in ("", None):
            try:
                out[key] = parse_date(raw)
            except ValueError:
                bad(key, _("日期格式不正确，应为 2024-05-01 这样的格式"))
    if out["birthday"] and not dt.date(1900, 1, 1) <= out["birthday"] <= dt.date.today():
        bad("birthday", _("生日不在合理范围内"))

    lunar = str(v.get("birthday_is_lunar", "") or "").strip().lower()
    if lunar in _YES:
        out["birthday_is_lunar"] = True
    elif lunar in _NO:
        out["birthday_is_lunar"] = False
    else:
        bad("birthday_is_lunar", _("应填“是”或“否”"))
    return out


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

    Raises ``TableError`` when the file cannot be read and ``ImportRejected`` (with every
    problem found) when any row is bad; nothing is saved then. Returns counts on success.
    """
    report = progress or (lambda pct, msg: None)
    table = Table(path, COLUMNS)
    ctx = ImportContext(actor)
    estimate = table.estimate_rows()
    collector = ErrorCollector()
    seen: dict[str, int] = {}
    checked = 0

    # Pass 1: check every row; nothing is kept but the licence numbers seen.
    for batch in _batches(table):
        licences = {}
        for row in batch:
            errors = list(row.errors)
            values = _row_customer(row, ctx, errors)
            licence = values["licence_no"]
            if licence and LICENCE_RE.match(licence):
                if licence in seen:
                    errors.append(
                        CellError(
                            row.number,
                            LABELS["licence_no"],
                            licence,
                            _("与第%(row)s行的许可证号重复") % {"row": seen[licence]},
                        )
                    )
                else:
                    seen[licence] = row.number
                    licences[licence] = row.number
            collector.extend(errors)
        for licence in RetailCustomer.objects.filter(licence_no__in=list(licences)).values_list(
            "licence_no", flat=True
        ):
            collector.add(
                CellError(
                    licences[licence], LABELS["licence_no"], licence, _("该许可证号已存在于系统中")
                )
            )
        checked += len(batch)
        report(min(49, checked * 50 / estimate), _("已检查 %(n)s 行") % {"n": checked})
    if collector:
        collector.errors.sort(key=lambda e: e.row)
        raise ImportRejected(collector.errors, collector.total, checked)
    if not checked:
        raise ImportRejected([CellError(0, "", "", _("文件中没有数据行"))], 1, 0)

    # Pass 2: the file is clean; build and insert in batches, all in one transaction.
    created = 0
    with transaction.atomic():
        for batch in _batches(table):
            customers = []
            for row in batch:
                errors: list[CellError] = []
                values = _row_customer(row, ctx, errors)
                if errors or row.errors:  # the file changed between the passes
                    raise ImportRejected(errors or row.errors, len(errors or row.errors), checked)
                customer = RetailCustomer(**values)
                customer.derive_fields()
                customers.append(customer)
            bulk_create_with_history(
                customers,
                RetailCustomer,
                batch_size=BATCH_SIZE,
                default_user=actor,
                default_change_reason=_("批量导入"),
            )
            created += len(customers)
            report(
                50 + created * 50 / checked,
                _("已导入 %(n)s / %(total)s 行") % {"n": created, "total": checked},
            )
        record_event(
            actor=actor,
            verb="customer.import",
            target=actor,
            summary=_("导入零售客户 %(n)s 户") % {"n": created},
            data={"created": created, "file": Path(path).name},
        )
    return {"created": created, "summary": _("已导入 %(n)s 户零售客户") % {"n": created}}
