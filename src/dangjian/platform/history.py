"""Readable change history for a record's page (who changed what, when)."""

from __future__ import annotations

from django.utils.translation import gettext as _

KINDS = {"+": "创建", "~": "修改", "-": "删除"}


def _display(record, field) -> str:
    value = getattr(record, field.attname, None)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value or ""))
    if field.is_relation and value is not None:
        related = getattr(record, field.name, None)
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


def history_rows(instance, *, limit: int = 50, secret_fields: tuple[str, ...] = ()) -> list[dict]:
    """Newest first; each row lists changed fields. Secret fields show only that they changed."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    rows = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = instance._meta.get_field(change.field)
                if change.field in secret_fields:
                    changes.append(
                        {
                            "field": field.verbose_name,
                            "old": "******",
                            "new": _("（已修改，内容保密）"),
                        }
                    )
                else:
                    changes.append(
                        {
                            "field": field.verbose_name,
                            "old": _display(previous, field),
                            "new": _display(record, field),
                        }
                    )
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "kind": _(KINDS.get(record.history_type, record.history_type)),
                "changes": changes,
            }
        )
    return rows
