"""The production gunicorn configuration (vivreensemble/gunicorn.conf.py): its hooks keep what a
worker holds for life out of garbage collections, which otherwise stopped a loaded worker for
50 to 200 ms every few seconds (tests/perf/reports/bench.md)."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[1] / "vivreensemble" / "gunicorn.conf.py"


@pytest.fixture
def conf():
    gc.unfreeze()
    yield runpy.run_path(str(CONF))
    gc.unfreeze()


def test_production_serving_settings(conf):
    assert conf["worker_class"] == "gthread"
    assert conf["keepalive"] > 2, "tablets poll every 2 s: the connection must outlive the period"
    assert conf["accesslog"] is None


def test_a_worker_freezes_what_loading_the_app_made(conf):
    worker = SimpleNamespace()
    conf["post_worker_init"](worker)
    assert gc.get_freeze_count() > 1000
    assert worker.requests_before_freeze == conf["FREEZE_AFTER_REQUESTS"]


def test_a_worker_freezes_again_after_its_first_requests_and_then_never(conf, monkeypatch):
    worker = SimpleNamespace()
    conf["post_worker_init"](worker)
    frozen_at_start = gc.get_freeze_count()
    kept_for_life = [[n] for n in range(5000)]  # what the first requests load and keep (caches)
    freezes = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1) or real_freeze())

    for _ in range(conf["FREEZE_AFTER_REQUESTS"] - 1):
        conf["post_request"](worker, None, {}, None)
    assert freezes == []

    conf["post_request"](worker, None, {}, None)
    assert freezes == [1]
    assert gc.get_freeze_count() >= frozen_at_start + len(kept_for_life)

    for _ in range(500):
        conf["post_request"](worker, None, {}, None)
    assert freezes == [1]
