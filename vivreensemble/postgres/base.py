"""Django's PostgreSQL backend, with a connection health check that costs no round trip when it
need not. Django checks a persistent connection once per request with ``SELECT 1``: on a tablet
poll, whose answer is one indexed read, that doubled the database round trips. A connection
that is idle, outside any transaction, with nothing waiting on its socket is sound; a server
that restarted or ended the session has written its goodbye and closed the socket, which makes
it readable, and then Django's own check runs and replaces the connection before the request
uses it."""

import functools
import hashlib
import logging
import re
import select
from collections.abc import Sequence

from django.db import Error
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import adapters, pq

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
IDLE = pq.TransactionStatus.IDLE
PLACEHOLDER = re.compile("%%|%s")
logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    # The batch statements this connection has prepared; None: unknown, ask the server.
    _batch_prepared: set[str] | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._batch_prepared = set()
        return connection

    def batch(
        self, statements: Sequence[tuple[str, Sequence]], *, begin: bool = False, commit: bool = False
    ) -> list[list[tuple]]:
        """Run statements in one round trip, in order, each with its own snapshot (read
        committed), and return each one's rows (none for a plain write). ``begin`` and ``commit``
        open and end a transaction in the same round trip (workshops/precompiled.py,
        ``transaction``): only on a connection in autocommit, where psycopg sends no BEGIN itself.

        One query of several statements needs client-side binding (psycopg's ClientCursor, as
        Django's default cursor). Each statement is prepared once per connection (PREPARE, then
        EXECUTE), as server-side binding does, so PostgreSQL does not plan it again; with
        ``server_side_binding`` off (a pooler that cannot keep prepared statements), the
        statements go as they are. Logged as one query."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        prepare = self.settings_dict["OPTIONS"].get("server_side_binding") is True
        with self.wrap_database_errors:
            raw = base.Cursor(self.connection)
            self._register_timezone(raw)
        with self._prepare_cursor(raw) as cursor:
            parts = (
                self._prepared_parts(cursor, statements)
                if prepare and statements
                else [(sql, values, True) for sql, values in statements]
            )
            if begin:
                parts.insert(0, ("BEGIN", [], False))
            if commit:
                parts.append(("COMMIT", [], False))
            sql = "; ".join(part for part, _values, _rows in parts)
            params = [value for _part, values, _rows in parts for value in values]
            try:
                cursor.execute(sql, params)
            except Exception:
                self._batch_prepared = None  # some PREPAREs may have run: ask the server next time
                raise
            with self.wrap_database_errors:
                results = [_rows(raw)]
                while raw.nextset():
                    results.append(_rows(raw))
        executed = zip(results, parts, strict=True)
        return [rows for rows, (_part, _values, wanted) in executed if wanted]

    def _prepared_parts(self, cursor, statements) -> list[tuple[str, Sequence, bool]]:
        """EXECUTE each statement, after its PREPARE the first time this connection sees it
        (each part says whether its rows are the caller's)."""
        if self._batch_prepared is None:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            self._batch_prepared = {name for (name,) in cursor.fetchall()}
        parts = []
        for sql, values in statements:
            name, execute = _prepared_name(sql, len(values))
            if name not in self._batch_prepared:
                parts.append((f"PREPARE {name} AS {_numbered(sql)}", [], False))
                self._batch_prepared.add(name)
            parts.append((execute, values, True))
        return parts

    def _rollback(self) -> None:
        self._batch_prepared = None  # psycopg deallocates every prepared statement on a rollback
        super()._rollback()

    def _savepoint_rollback(self, sid) -> None:
        self._batch_prepared = None  # likewise (its command tag is ROLLBACK)
        super()._savepoint_rollback(sid)

    def close_if_unusable_or_obsolete(self) -> None:
        """Called as each request starts and ends. A transaction that a batch opened (``begin``)
        and nobody ended would hold its locks, and the next request on this connection would run
        inside it: never carry one over."""
        if (
            self.connection is not None
            and self.autocommit
            and self.connection.pgconn.transaction_status != IDLE
        ):
            logger.error("a transaction opened by a batch was left open; rolled back")
            try:
                self.rollback()
            except Error:
                self.close()
        super().close_if_unusable_or_obsolete()

    def _register_timezone(self, cursor) -> None:
        """As Django's create_cursor does: only when the connection's timezone disagrees."""
        loader = self.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
        if self.timezone != loader.timezone:
            register_tzloader(self.timezone, cursor)

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet_and_idle()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet_and_idle(self) -> bool:
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.pgconn.transaction_status != IDLE:
            return False
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return not waiting.poll(0)


def _rows(cursor) -> list[tuple]:
    return cursor.fetchall() if cursor.pgresult.status == pq.ExecStatus.TUPLES_OK else []


@functools.lru_cache(maxsize=512)
def _prepared_name(sql: str, arity: int) -> tuple[str, str]:
    """The name a statement is prepared under on every connection, and its EXECUTE."""
    name = "ve_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
    return name, f"EXECUTE {name}({', '.join(['%s'] * arity)})" if arity else f"EXECUTE {name}"


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PREPARE's ``$1, $2…``, its ``%%`` kept for the
    client-side binding that sends the batch."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return PLACEHOLDER.sub(lambda match: "%%" if match[0] == "%%" else f"${next(numbers)}", sql)
