"""Importing payroll bases (党费基数) from Excel or CSV: every row checked, all or nothing.

Each row names a member by ID number (the payroll's key; the name is checked against it),
the month the base applies from, the category and the base. Rows go through
``services.dues_base_add`` (the same checks and audit as the form) inside one transaction;
any bad row rolls everything back and the job attaches a per-row error report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.platform import idcard
from dangjian.platform.audit import record_event
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.tabular import CellError, Column, ErrorCollector, ImportRejected, Table

from . import rules, services
from .forms import parse_month
from .models import Category
from .selectors import visible_members

COLUMNS = [
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码")),
    Column("name", "姓名", ("党员姓名", "职工姓名")),
    Column("effective_month", "起始月份", ("执行月份", "月份", "工资月份")),
    Column("category", "党员类别", ("类别",), required=False),
    Column("amount", "交纳基数", ("基数", "月工资收入", "税后工资", "应发工资(税后)", "养老金")),
]
LABELS = {c.key: c.label for c in COLUMNS}
TEMPLATE_EXAMPLE = ["360102198001010011", "王小明", "2025-01", "在职", "4500.00"]

CATEGORY_LOOKUP = (
    {str(label): value for value, label in Category.choices}
    | {value: value for value in Category.values}
    | {"退休": "retired", "离休": "retired", "下岗": "relief", "低保": "relief", "困难": "hardship"}
)

FIELD_COLUMNS = {"effective_month": "effective_month", "amount": "amount", "category": "category"}


def _text(value) -> str:
    return str(value if value is not None else "").strip()


def dues_base_import(
    *, actor, path: Path | str, progress: Callable[[float, str], None] | None = None
) -> dict:
    """Import bases from the file at ``path`` for ``actor``: all rows or none.

    Raises ``TableError`` when the file cannot be read, ``ImportRejected`` with every
    problem (row, column, value, message) when any row is bad. Returns counts on success.
    """
    report = progress or (lambda pct, msg: None)
    table = Table(path, COLUMNS)
    members = {
        p.id_number_hash: p for p in visible_members(actor).select_related("membership__branch")
    }
    collector = ErrorCollector()
    seen: dict[tuple[int, object], int] = {}
    created = checked = 0
    estimate = max(1, table.estimate_rows())
    with transaction.atomic():
        for row in table.rows():
            checked += 1
            collector.extend(row.errors)
            values = row.values
            raw_id = _text(values.get("id_number"))
            person = None
            try:
                person = members.get(lookup_hash(idcard.normalise(raw_id)))
            except Exception:  # noqa: BLE001 - any malformed ID is reported below
                person = None
            if person is None:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["id_number"],
                        raw_id,
                        _("找不到该身份证号的党员（或不在您的权限范围内）"),
                    )
                )
                continue
            name = _text(values.get("name"))
            if name and name != person.name:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["name"],
                        name,
                        _("与身份证号对应的党员“%(n)s”不一致") % {"n": person.name},
                    )
                )
                continue
            raw_month = values.get("effective_month")
            try:
                month = parse_month(
                    raw_month if not hasattr(raw_month, "date") else raw_month.date()
                )
            except ValueError:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["effective_month"],
                        _text(raw_month),
                        _("月份格式应为 2025-03"),
                    )
                )
                continue
            raw_category = _text(values.get("category")) or str(Category.EMPLOYED.label)
            category = CATEGORY_LOOKUP.get(raw_category)
            if category is None:
                names = "、".join(str(label) for label in Category.labels)
                collector.add(
                    CellError(
                        row.number,
                        LABELS["category"],
                        raw_category,
                        _("无法识别，可填：%(n)s") % {"n": names},
                    )
                )
                continue
            first = seen.setdefault((person.pk, month), row.number)
            if first != row.number:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["effective_month"],
                        f"{month:%Y-%m}",
                        _("与第%(r)s行重复（同一党员同一月份）") % {"r": first},
                    )
                )
                continue
            try:
                rules.parse_base(_text(values.get("amount")))
            except rules.DuesInputError as exc:
                collector.add(
                    CellError(row.number, LABELS["amount"], _text(values.get("amount")), str(exc))
                )
                continue
            if collector:
                continue  # nothing more will be written; keep checking the cheap things
            try:
                with transaction.atomic():
                    services.dues_base_add(
                        actor=actor,
                        person=person,
                        effective_month=month,
                        category=category,
                        amount=_text(values.get("amount")),
                    )
                created += 1
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = LABELS.get(FIELD_COLUMNS.get(field, ""), "")
                    for message in messages:
                        collector.add(
                            CellError(row.number, column, _text(values.get(field, "")), message)
                        )
            except PermissionDenied as exc:
                collector.add(CellError(row.number, LABELS["id_number"], raw_id, str(exc)))
            if checked % 200 == 0:
                report(min(99, checked * 100 / estimate), _("已检查 %(n)s 行") % {"n": checked})
        if collector:
            collector.errors.sort(key=lambda e: e.row)
            raise ImportRejected(collector.errors, collector.total, checked)
        if not checked:
            raise ImportRejected([CellError(0, "", "", _("文件中没有数据行"))], 1, 0)
        record_event(
            actor=actor,
            verb="dues.base_import",
            target=actor,
            summary=_("导入党费基数 %(n)s 条") % {"n": created},
            data={"created": created, "file": Path(path).name},
        )
    report(100, _("已导入 %(n)s 条党费基数") % {"n": created})
    return {"created": created, "summary": _("已导入 %(n)s 条党费基数") % {"n": created}}
