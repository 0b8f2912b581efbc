"""The PostgreSQL health check: no round trip for a sound idle connection, and a connection the
server has ended is replaced before a request uses it."""

import time

import psycopg
import pytest
from django.db import connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

connection = connections["default"]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the health check of PostgreSQL connections")


def new_request() -> None:
    """What Django does at the start of each request for a persistent connection."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()


def test_a_sound_idle_connection_is_reused_without_a_select_1(monkeypatch):
    connection.ensure_connection()
    assert connection.health_check_enabled
    raw = connection.connection
    checks = []
    original = type(connection).is_usable
    monkeypatch.setattr(type(connection), "is_usable", lambda self: checks.append(1) or original(self))
    for _ in range(3):
        new_request()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert checks == [] and connection.connection is raw


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # the session ends a moment later
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            time.sleep(0.05)
    new_request()
    assert connection.connection is not raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
