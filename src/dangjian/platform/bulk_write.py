"""Writing many new rows fast: PostgreSQL ``COPY`` of plain tuples, with history rows.

Django's ``bulk_create`` prepares every value of every row through the field API and builds
one huge ``INSERT``; at 100 000 rows that per-value Python work is most of an import. Here
rows are dicts keyed by attname and go out as tuples through psycopg's ``cursor.copy``
(``executemany`` on other databases). Two users:

- ``TableWriter(model)``: rows already as the database stores them, with explicit ids
  (the scale-data generator, which precomputes ciphertexts once per distinct value).
- ``HistoryInserter(model, user=…, reason=…)``: new rows as the model holds them (a
  plaintext phone; encrypted fields are converted here), batch by batch, ids taken from the
  table's sequence, and one ``+`` history row each (django-simple-history), copied inside
  the database with ``INSERT … SELECT`` while the caller works on the next batch. On SQLite
  it is ``bulk_create_with_history``.

Nothing here calls ``save()``: callers fill derived columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# Internal types whose Python values psycopg sends as they are (no field conversion needed).
NATIVE_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _needs_conversion(field) -> bool:
    """True for fields with their own ``get_prep_value`` (e.g. encrypted) or exotic types."""
    own = type(field).__module__.startswith("django.db.models")
    return not own or field.get_internal_type() not in NATIVE_TYPES


class TableWriter:
    """Inserts dicts of a model's concrete fields (by attname), filling defaults for absent keys.

    With ``convert=True`` values are as the model holds them and fields that need it
    (encrypted text, JSON…) go through ``get_db_prep_save``; otherwise they are written as
    given.
    """

    def __init__(self, model, *, convert: bool = False):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif f.blank and f.get_internal_type() in (
                "CharField",
                "TextField",
                "FileField",
                "ImageField",
            ):
                self.defaults[f.attname] = ""
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.converters = (
            [
                (i, f)
                for i, f in enumerate(self.fields)
                if _needs_conversion(f) and not f.primary_key
            ]
            if convert
            else []
        )

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(self.model._meta.db_table)
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - a model's own table
            return (cursor.fetchone()[0] or 0) + 1

    def tuples(self, rows: Iterable[dict]):
        defaults, attnames, converters = self.defaults, self.attnames, self.converters
        for row in rows:
            values = [row[a] if a in row else defaults[a] for a in attnames]
            for index, field in converters:
                values[index] = field.get_db_prep_save(values[index], connection)
            yield values

    def write(self, rows: Iterable[dict], batch: int = 20000) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        count = 0
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            raw = connection.connection  # the psycopg connection under Django's wrapper
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for values in self.tuples(rows):
                    copy.write_row(values)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - own table
            chunk = []
            with connection.cursor() as cursor:
                for values in self.tuples(rows):
                    chunk.append(values)
                    if len(chunk) >= batch:
                        cursor.executemany(sql, chunk)
                        count += len(chunk)
                        chunk = []
                if chunk:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
        return count


def _array(values) -> str:
    """A PostgreSQL array literal: psycopg's list adaptation costs ~3 µs per element."""
    items = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


def reserve_ids(model, count: int) -> list[int]:
    """``count`` new primary keys, in order: from the table's sequence on PostgreSQL; after the
    largest id on SQLite (one writer at a time there)."""
    meta = model._meta
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(meta.db_table)
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(meta.pk.column)}) FROM {table}")  # noqa: S608
            start = (cursor.fetchone()[0] or 0) + 1
        return list(range(start, start + count))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


class HistoryCopier:
    """Writes the ``+`` history rows of rows just inserted, inside the database.

    ``send()`` queues the ``INSERT … SELECT`` in psycopg's pipeline mode and returns at once,
    so the database writes history while Python checks the next batch; ``wait()`` collects
    the result (and raises its error) and must come before any other use of the connection.
    """

    def __init__(self, model, *, user, reason: str):
        history = model.history.model
        if hasattr(history, "history_relation"):  # pragma: no cover - not used by our models
            raise NotImplementedError("history_relation is not supported")
        tracked = [f.column for f in history.tracked_fields]
        q = connection.ops.quote_name
        columns = [
            *tracked,
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ]
        self.sql = (
            f"INSERT INTO {q(history._meta.db_table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
            f"SELECT {', '.join(q(c) for c in tracked)}, %s, %s, '+', %s "
            f"FROM {q(model._meta.db_table)} WHERE {q(model._meta.pk.column)} = ANY(%s::bigint[])"
        )
        self.user_id, self.reason = getattr(user, "pk", None), reason
        self._pipeline = None

    def send(self, ids: list[int]) -> None:
        self.wait()
        raw = connection.connection
        self._pipeline = raw.pipeline()
        self._pipeline.__enter__()
        with raw.cursor() as cursor:
            cursor.execute(self.sql, [timezone.now(), self.reason, self.user_id, _array(ids)])

    def wait(self, exc: BaseException | None = None) -> None:
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.__exit__(type(exc) if exc else None, exc, None)


class HistoryInserter:
    """New rows of one model with their history rows, batch after batch (one import).

    Use as a context manager; between ``insert()`` calls the database may still be writing
    the previous batch's history, so other queries go through ``existing()`` (or come after
    the ``with`` block).
    """

    def __init__(self, model, *, user, reason: str):
        self.model, self.user, self.reason = model, user, reason
        self.fast = connection.vendor == "postgresql"
        if self.fast:
            self.writer = TableWriter(model, convert=True)
            history = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
            self.history = HistoryCopier(model, user=user, reason=reason) if history else None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.fast and self.history:
            self.history.wait(exc)

    def existing(self, field: str, values) -> set:
        """Which of ``values`` the table already holds in ``field`` (a unique column)."""
        values = list(values)
        if not values:
            return set()
        if not self.fast:
            return set(
                self.model._default_manager.filter(**{f"{field}__in": values}).values_list(
                    field, flat=True
                )
            )
        if self.history:
            self.history.wait()
        q = connection.ops.quote_name
        column = self.model._meta.get_field(field).column
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {q(column)} FROM {q(self.model._meta.db_table)} "  # noqa: S608
                f"WHERE {q(column)} = ANY(%s::text[])",
                [_array(values)],
            )
            return {row[0] for row in cursor.fetchall()}

    def insert(self, rows: list[dict]) -> int:
        """Insert ``rows`` (dicts by attname, as the model holds them, derived fields filled).

        All or none of them, in a savepoint: a unique constraint violated by any row raises
        ``IntegrityError`` and leaves the transaction usable (callers then look for the
        clash with ``existing()``, which costs nothing while there is none).
        """
        if not rows:
            return 0
        if not self.fast:
            objs = [self.model(**row) for row in rows]
            with transaction.atomic():
                bulk_create_with_history(
                    objs,
                    self.model,
                    batch_size=len(objs),
                    default_user=self.user,
                    default_change_reason=self.reason,
                )
            return len(objs)
        if self.history:
            self.history.wait()
        with transaction.atomic(), connection.wrap_database_errors:
            ids = reserve_ids(self.model, len(rows))
            pk = self.model._meta.pk.attname
            for row, new_id in zip(rows, ids, strict=True):
                row[pk] = new_id
            self.writer.write(rows)
        if self.history:
            self.history.send(ids)
        return len(rows)
