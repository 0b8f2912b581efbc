"""gunicorn in production: ``gunicorn -c vivreensemble/gunicorn.conf.py vivreensemble.wsgi``.

``make bench`` serves the app with this file too, so the benchmark measures what is deployed
(tests/perf/reports/bench.md). The address comes from the command line (``--bind``) or ``$PORT``.
"""

import gc
import multiprocessing
import os

# Threads, not one process per request: a request mostly waits on PostgreSQL, and thousands of
# tablets keep their connection open between polls, which a thread worker holds for free.
worker_class = "gthread"
# One process per core plus one, so a core stays busy while a process waits on the database;
# WEB_CONCURRENCY (gunicorn's own variable) overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Tablets poll every 2 s: gthread's default keep-alive (2 s) closes the connection just as the
# next poll leaves, which costs a new connection per poll or a failed one. Above the poll period.
keepalive = 10
# Each process holds the idle keep-alive connections of the tablets it served (default 1,000).
worker_connections = 2000
backlog = 2048
timeout = 60
# The workers' heartbeat file is touched on every loop; in memory, not on a (possibly slow) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The proxy in front logs requests; one log line per tablet poll would cost more than the poll.
accesslog = None


# What a worker keeps for its whole life (Django, the app, the templates and URL patterns once
# used: about 150,000 objects) made each full garbage collection walk all of it: 50 to 200 ms
# with every thread of the worker stopped, every few seconds under load. Frozen objects are left
# out of collections; what requests create is still collected as before.
FREEZE_AFTER_REQUESTS = 100


def post_worker_init(worker) -> None:
    """Freeze what loading the app made, once its garbage is collected."""
    gc.collect()
    gc.freeze()
    worker.requests_before_freeze = FREEZE_AFTER_REQUESTS


def post_request(worker, req, environ, resp) -> None:
    """Freeze again after the first requests: templates and URL patterns load on first use. (A
    race between threads on the countdown can only freeze twice, which is harmless.)"""
    left = getattr(worker, "requests_before_freeze", 0)
    if left:
        worker.requests_before_freeze = left - 1
        if left == 1:
            gc.collect()
            gc.freeze()
