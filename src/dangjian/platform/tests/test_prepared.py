"""platform.prepared: hot statements planned once per connection, inside Django's transaction."""

import pytest
from django.db import IntegrityError, connection, transaction

from dangjian.orgs.models import Unit
from dangjian.platform import prepared

pytestmark = pytest.mark.django_db


def _table() -> str:
    return connection.ops.quote_name(Unit._meta.db_table)


def test_rows_come_back_with_named_parameters(cast):
    sql = f"SELECT name FROM {_table()} WHERE code = %(code)s"  # noqa: S608 - model table
    for _ in range(3):  # prepared after the first run on PostgreSQL: same answer every time
        assert prepared.fetch(sql, {"code": cast.city.east.code}) == [(cast.city.east.name,)]
    assert prepared.fetch(sql, {"code": "no-such-code"}) == []


def test_it_runs_in_the_callers_transaction(cast):
    sql = f"UPDATE {_table()} SET name = %(name)s WHERE id = %(id)s"  # noqa: S608 - model table
    with transaction.atomic():
        prepared.fetch(sql, {"name": "改名县局", "id": cast.city.east.pk})
        assert Unit.objects.get(pk=cast.city.east.pk).name == "改名县局"  # seen by the ORM
        transaction.set_rollback(True)
    assert Unit.objects.get(pk=cast.city.east.pk).name == cast.city.east.name


def test_a_refused_statement_is_djangos_error_and_the_transaction_goes_on(cast):
    sql = f"UPDATE {_table()} SET code = %(code)s WHERE id = %(id)s"  # noqa: S608 - model table
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.fetch(sql, {"code": cast.city.west.code, "id": cast.city.east.pk})
    assert Unit.objects.filter(code=cast.city.east.code).exists()
