"""Django's PostgreSQL backend, with a connection health check that costs no round trip when it
need not. Django checks a persistent connection once per request with ``SELECT 1``: on a tablet
poll, whose answer is one indexed read, that doubled the database round trips. A connection
that is idle, outside any transaction, with nothing waiting on its socket is sound; a server
that restarted or ended the session has written its goodbye and closed the socket, which makes
it readable, and then Django's own check runs and replaces the connection before the request
uses it."""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return not waiting.poll(0)
