"""The production settings with one more address, served only by ``make bench``: the trivial
write (tests/perf/bench_urls.py)."""

from vivreensemble.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.bench_urls"
