"""precompiled.batch: several statements in one round trip on PostgreSQL (each prepared once per
connection), one after the other elsewhere, with the same rows either way; and a connection whose
prepared statements psycopg dropped (it does so on every rollback) still runs its batches."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workshops import precompiled
from workshops.models import Concertation, Workshop

pytestmark = pytest.mark.django_db

ODD = "l'atelier à 100 %; DROP TABLE x; -- « ok » 👩🏽‍🚒"


def ours_prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 've\\_%%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("one round trip and prepared statements are PostgreSQL's")


def three_statements(concertation: Concertation, *, new: bool = False) -> list[tuple[str, list]]:
    """``new``: statements this connection has never seen (another test may have prepared them)."""
    table = connection.ops.quote_name(Concertation._meta.db_table)
    mark = f" /* {uuid.uuid4().hex} */" if new else ""
    return [
        (f"SELECT id, title FROM {table} WHERE id = %s{mark}", [concertation.pk]),
        (f"UPDATE {table} SET title = %s WHERE id = %s{mark}", [ODD, concertation.pk]),
        (f"SELECT title FROM {table} WHERE id = %s{mark}", [concertation.pk]),
    ]


def test_a_batch_gives_each_statements_rows_in_order_and_later_ones_see_earlier_writes(concertation):
    before = concertation.title
    selected, updated, after = precompiled.batch(*three_statements(concertation))
    assert selected == [(concertation.pk, before)]
    assert updated == []  # a plain write has no rows
    assert after == [(ODD,)]  # bound as a value, never as SQL
    concertation.refresh_from_db()
    assert concertation.title == ODD


def test_on_postgresql_a_batch_is_one_round_trip_and_prepares_each_statement_once(
    concertation, postgres_only
):
    statements = three_statements(concertation, new=True)
    precompiled.batch(("SELECT %s", [1]))  # after the test's set-up rolled back: asks the server once
    with CaptureQueriesContext(connection) as first:
        precompiled.batch(*statements)
    with CaptureQueriesContext(connection) as second:
        rows = precompiled.batch(*statements)
    assert len(first) == 1 and first[0]["sql"].count("PREPARE ") == 3
    assert len(second) == 1 and "PREPARE " not in second[0]["sql"]
    assert second[0]["sql"].count("EXECUTE ") == 3
    assert rows[2] == [(ODD,)]


def test_a_batch_runs_after_a_rollback_made_psycopg_drop_every_prepared_statement(
    concertation, postgres_only
):
    precompiled.batch(*three_statements(concertation))
    assert len(ours_prepared()) >= 3
    for _ in range(8):  # past prepare_threshold: psycopg now has prepared statements of its own
        Concertation.objects.filter(pk=concertation.pk).exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        Concertation.objects.filter(pk=concertation.pk).update(title="rolled back")
        raise RuntimeError
    Concertation.objects.filter(pk=concertation.pk).exists()  # psycopg deallocates lazily
    assert ours_prepared() == set()  # what the batch had prepared is gone with the rollback
    assert precompiled.batch(*three_statements(concertation))[2] == [(ODD,)]


def test_a_batch_that_failed_leaves_the_next_one_working(concertation, postgres_only):
    broken = [*three_statements(concertation), ("SELECT 1 / %s", [0])]
    with pytest.raises(Exception, match="division by zero"), transaction.atomic():
        precompiled.batch(*broken)
    assert precompiled.batch(*three_statements(concertation))[0][0][0] == concertation.pk


def test_without_server_side_binding_a_batch_prepares_nothing(concertation, postgres_only, monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", False)
    with CaptureQueriesContext(connection) as queries:
        rows = precompiled.batch(*three_statements(concertation))
    assert len(queries) == 1 and "PREPARE" not in queries[0]["sql"] and "EXECUTE" not in queries[0]["sql"]
    assert rows[2] == [(ODD,)]


def test_a_precompiled_instance_has_the_values_the_orm_would_give(concertation):
    """On SQLite too: an aware datetime, as a queryset loads it, from the cursor's raw row."""
    workshop = concertation.workshops.get(order=1)
    Workshop.objects.filter(pk=workshop.pk).update(live_started_at=timezone.now())
    names = precompiled.all_fields(Workshop)
    row = Workshop.objects.filter(pk=workshop.pk).values_list(*names).get()
    with connection.cursor() as cursor:
        cursor.execute(*Workshop.objects.filter(pk=workshop.pk).values_list(*names).query.sql_with_params())
        raw = cursor.fetchone()
    built = precompiled.instance(Workshop, names, raw)
    loaded = Workshop.objects.get(pk=workshop.pk)
    assert [getattr(built, name) for name in names] == [getattr(loaded, name) for name in names] == list(row)
    assert timezone.is_aware(built.live_started_at)
