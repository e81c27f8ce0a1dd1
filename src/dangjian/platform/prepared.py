"""Hot fixed statements as server-side prepared statements on PostgreSQL.

Django's PostgreSQL cursors bind parameters on the client, so the server parses and plans
every statement anew — for a token lookup joining four tables the plan costs four times
the execution. The few statements a public endpoint runs hundreds of times a second
(三评 submissions) go through ``fetch`` instead: on PostgreSQL a psycopg server-binding
cursor on Django's own connection (same transaction, same savepoints) with
``prepare=True``, so each connection plans the statement once. Elsewhere it is an
ordinary cursor.

Statements must be fixed text (parameters by name, ``%(name)s``), typed where PostgreSQL
cannot infer a type (``%(ids)s::bigint[]``). Behind a transaction-mode connection pooler
without prepared-statement support set ``DANGJIAN_DB_PREPARED=0``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def _enabled() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DB_PREPARED", True)


def fetch(sql: str, params: dict) -> list[tuple]:
    """The rows of ``sql`` run with ``params``."""
    if not _enabled():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    import psycopg

    connection.ensure_connection()
    # Errors come out as Django's (IntegrityError …) and mark an atomic block as broken,
    # as they would through connection.cursor().
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall() if cursor.description else []
