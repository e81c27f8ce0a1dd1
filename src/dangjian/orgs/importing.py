"""Importing a tree (units or party organisations) from Excel/CSV, all or nothing.

The format is the export's: 编码, 名称, 类型, 上级编码 (层级 is ignored, 启用 optional). A row
whose code exists updates that node's name, type and 启用; a new code creates a node under
its parent, which may be an existing node or a row anywhere in the same file. Each row goes
through the tree services (the same checks as the pages: kinds, scope, unique codes) inside
one transaction, which is rolled back when any row fails. Trees are small (thousands of
nodes at most), so the rows are held in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.platform.audit import record_event
from dangjian.platform.tabular import CellError, Column, ErrorCollector, ImportRejected, Table

from . import services

COLUMNS = [
    Column("code", "编码", ("单位编码", "组织编码")),
    Column("name", "名称", ("单位名称", "组织名称")),
    Column("kind", "类型", ("单位类型", "组织类型")),
    Column("parent", "上级编码", ("上级",), required=False),
    Column("depth", "层级", required=False, ignored=True),
    Column("active", "启用", ("是否启用",), required=False),
]
LABELS = {c.key: c.label for c in COLUMNS}
FIELD_COLUMNS = {"code": "编码", "name": "名称", "kind": "类型", "is_active": "启用"}
_YES = {"", "是", "启用", "y", "yes", "true", "1"}
_NO = {"否", "停用", "n", "no", "false", "0"}


class _Rollback(Exception):
    pass


def _messages(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                yield FIELD_COLUMNS.get(field, LABELS["parent"]), " ".join(error.messages)
    else:
        for message in exc.messages:
            yield "", message


def tree_import(
    *, actor, model, path: Path | str, progress: Callable[[float, str], None] | None = None
) -> dict:
    """Create or update the nodes of ``model``'s tree listed in the file; all or none.

    Raises ``TableError`` for an unreadable file, ``ImportRejected`` with every problem.
    """
    report = progress or (lambda pct, msg: None)
    kinds = {}
    for value, label in model.Kind.choices:
        kinds[value] = value
        kinds[str(label)] = value
    rows = list(Table(path, COLUMNS).rows())
    collector = ErrorCollector()
    in_file: dict[str, int] = {}
    todo = []
    for row in rows:
        collector.extend(row.errors)
        v = row.values
        code, name = v["code"], v["name"]
        problems = []
        if not code:
            problems.append(("code", code, _("不能为空")))
        elif code in in_file:
            problems.append(("code", code, _("与第%(row)s行的编码重复") % {"row": in_file[code]}))
        if not name:
            problems.append(("name", name, _("不能为空")))
        kind = kinds.get(v["kind"])
        if kind is None:
            problems.append(
                (
                    "kind",
                    v["kind"],
                    _("类型应为：%(names)s")
                    % {"names": "、".join(str(lbl) for _v, lbl in model.Kind.choices)},
                )
            )
        active = str(v.get("active", "")).strip().lower()
        if active not in _YES and active not in _NO:
            problems.append(("active", active, _("应填“是”或“否”")))
        for key, value, message in problems:
            collector.add(CellError(row.number, LABELS[key], str(value), message))
        if code and code not in in_file:
            in_file[code] = row.number
        if not problems and not row.errors:
            todo.append((row, kind, active not in _NO))
    if not rows:
        collector.add(CellError(0, "", "", _("文件中没有数据行")))

    created = updated = 0
    visible = model.objects.restrict(actor, "view")
    try:
        with transaction.atomic():
            done: set[str] = set()
            pending = todo
            while pending:
                deferred = []
                for row, kind, is_active in pending:
                    parent_code = row.values.get("parent", "")
                    if parent_code and parent_code in in_file and parent_code not in done:
                        deferred.append((row, kind, is_active))
                        continue
                    outcome = _apply(actor, model, visible, row, kind, is_active, collector)
                    created += outcome == "created"
                    updated += outcome == "updated"
                    done.add(row.values["code"])
                if len(deferred) == len(pending):
                    for row, _kind, _active in deferred:
                        collector.add(
                            CellError(
                                row.number,
                                LABELS["parent"],
                                row.values.get("parent", ""),
                                _("上级编码形成循环，或上级所在行有错误"),
                            )
                        )
                    break
                pending = deferred
                report(90 * len(done) / max(len(todo), 1), _("已处理 %(n)s 行") % {"n": len(done)})
            if collector:
                raise _Rollback
            record_event(
                actor=actor,
                verb=f"{model._meta.model_name}.import",
                target=actor,
                summary=_("导入%(what)s：新增 %(c)s，更新 %(u)s")
                % {"what": model._meta.verbose_name, "c": created, "u": updated},
                data={"created": created, "updated": updated, "file": Path(path).name},
            )
    except _Rollback:
        collector.errors.sort(key=lambda e: e.row)
        raise ImportRejected(collector.errors, collector.total, len(rows)) from None
    return {
        "created": created,
        "updated": updated,
        "summary": _("导入完成：新增 %(c)s 个，更新 %(u)s 个") % {"c": created, "u": updated},
    }


def _apply(actor, model, visible, row, kind, is_active, collector) -> str:
    v = row.values
    code, parent_code = v["code"], v.get("parent", "")

    def bad(column: str, value, message: str) -> str:
        collector.add(CellError(row.number, column, str(value), message))
        return ""

    parent = None
    if parent_code:
        parent = visible.filter(code=parent_code).first()
        if parent is None:
            return bad(LABELS["parent"], parent_code, _("找不到上级编码（或不在您的权限范围内）"))
    existing = model.objects.filter(code=code).first()
    try:
        if existing is not None:
            if not visible.filter(pk=existing.pk).exists():
                return bad(LABELS["code"], code, _("该编码已被占用"))
            current_parent = existing.get_parent()
            if (current_parent.code if current_parent else "") != parent_code:
                return bad(
                    LABELS["parent"],
                    parent_code,
                    _("与系统中的上级不一致；移动节点请在组织树页面操作"),
                )
            services.node_update(
                actor=actor, node=existing, name=v["name"], kind=kind, is_active=is_active
            )
            return "updated"
        services.node_create(
            actor=actor,
            model=model,
            parent=parent,
            name=v["name"],
            code=code,
            kind=kind,
            is_active=is_active,
        )
        return "created"
    except ValidationError as exc:
        for column, message in _messages(exc):
            bad(column or LABELS["code"], v.get("code", ""), message)
    except PermissionDenied as exc:
        bad(LABELS["parent"], parent_code, str(exc))
    return ""
