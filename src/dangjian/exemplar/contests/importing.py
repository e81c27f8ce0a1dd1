"""Importing scores of one event from Excel or CSV: every row checked, all or nothing.

A row names the participant by ID number (preferred; a person not yet entered is entered) or
by name alone when exactly one participant of the event has it. Scores go through the same
checks as the score form (``rules.parse_score``); any bad row rolls everything back and the
job attaches a per-row error report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.people.models import Person
from dangjian.platform import idcard
from dangjian.platform.audit import record_event
from dangjian.platform.crypto import lookup_hash
from dangjian.platform.tabular import CellError, Column, ErrorCollector, ImportRejected, Table

from . import rules, services
from .models import Contest

COLUMNS = [
    Column("name", "姓名", ("参赛人员", "选手姓名")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码"), required=False),
    Column("score", "成绩", ("得分", "分数", "总分")),
    Column("note", "备注", (), required=False),
]
LABELS = {c.key: c.label for c in COLUMNS}
TEMPLATE_EXAMPLE = ["王小明", "360102198001010011", "92.5", ""]


def _text(value) -> str:
    return str(value if value is not None else "").strip()


def contest_scores_import(
    *,
    actor,
    contest: Contest,
    path: Path | str,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """Import the scores in ``path`` into ``contest`` for ``actor``: all rows or none.

    Raises ``TableError`` for an unreadable file, ``ImportRejected`` with every problem,
    ``PermissionDenied``/``ValidationError`` from the services. Returns counts.
    """
    report = progress or (lambda pct, msg: None)
    table = Table(path, COLUMNS)
    collector = ErrorCollector()
    participants = {p.person_id: p for p in contest.participants.select_related("person")}
    by_name: dict[str, list] = {}
    for p in participants.values():
        by_name.setdefault(p.person.name, []).append(p)
    rows: list[tuple[int, Person, object, str]] = []
    seen: dict[int, int] = {}
    checked = 0
    for row in table.rows():
        checked += 1
        collector.extend(row.errors)
        name = _text(row.values.get("name"))
        raw_id = _text(row.values.get("id_number"))
        person = None
        if raw_id:
            try:
                digest = lookup_hash(idcard.normalise(raw_id))
            except Exception:  # noqa: BLE001 - reported just below
                digest = None
            person = (
                Person.objects.restrict(actor, "view").filter(id_number_hash=digest).first()
                if digest
                else None
            )
            if person is None:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["id_number"],
                        raw_id,
                        _("找不到该身份证号的人员（或不在您的权限范围内）"),
                    )
                )
                continue
            if name and name != person.name:
                collector.add(
                    CellError(
                        row.number,
                        LABELS["name"],
                        name,
                        _("与身份证号对应的人员“%(n)s”不一致") % {"n": person.name},
                    )
                )
                continue
        else:
            found = by_name.get(name, [])
            if len(found) != 1:
                message = (
                    _("参赛名单中没有此人；新增参赛人员请填写身份证号")
                    if not found
                    else _("参赛名单中有%(n)s人同名，请填写身份证号") % {"n": len(found)}
                )
                collector.add(CellError(row.number, LABELS["name"], name, message))
                continue
            person = found[0].person
        first = seen.setdefault(person.pk, row.number)
        if first != row.number:
            collector.add(
                CellError(
                    row.number,
                    LABELS["name"],
                    person.name,
                    _("与第%(r)s行重复（同一人员）") % {"r": first},
                )
            )
            continue
        raw_score = _text(row.values.get("score"))
        try:
            rules.parse_score(raw_score, max_score=contest.max_score)
        except ValueError as exc:
            collector.add(CellError(row.number, LABELS["score"], raw_score, str(exc)))
            continue
        rows.append((row.number, person, raw_score, _text(row.values.get("note"))[:200]))
        if checked % 200 == 0:
            report(min(80, checked * 80 / max(1, table.estimate_rows())), _("检查中"))
    if collector or not rows:
        if not rows and not collector:
            collector.add(CellError(0, "", "", _("文件中没有数据行")))
        raise ImportRejected(collector.errors, collector.total, checked)
    report(85, _("写入中"))
    with transaction.atomic():
        newcomers = [person for _n, person, _s, _note in rows if person.pk not in participants]
        added = (
            services.participants_add(actor=actor, contest=contest, people=newcomers)
            if (newcomers)
            else 0
        )
        entries = {p.person_id: p for p in contest.participants.all()}
        scores = {entries[person.pk].pk: score for _n, person, score, _note in rows}
        for _n, person, _score, note in rows:
            if note:
                entries[person.pk].note = note
                entries[person.pk].save(update_fields=["note"])
        services.scores_record(actor=actor, contest=contest, scores=scores)
        record_event(
            actor=actor,
            verb="contest.import",
            target=contest,
            summary=_("导入%(n)s条成绩") % {"n": len(rows)},
        )
    return {"rows": len(rows), "added": added}
