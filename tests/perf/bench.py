"""``make bench``: serve the app as in production and load it with simulated tablets.

1. A database of its own (BENCH_DATABASE_URL, default ``ve_bench`` on the local PostgreSQL),
   dropped and recreated; ``migrate``, ``createcachetable``, ``collectstatic``; then
   tests/perf/seed.py (many concertations, 40 workshops live at once, 25 tablets each).
2. In-process probes (tests/perf/probe.py): SQL queries per request at two data sizes, and the
   warm poster PDF render with its peak memory.
3. gunicorn with the production configuration (vivreensemble/gunicorn.conf.py) on 127.0.0.1
   only, DEBUG off, persistent connections with health checks.
4. Saturation with wrk (C, a Lua script: tests/perf/wrk/saturation.lua), no think time, one
   connection per simulated device, in rounds: the trivial view (``/sante/``, no database), the
   tablet poll, the vote, and a trivial write
   (one INSERT committed on its own: tests/perf/bench_urls.py, the only address the benchmark adds to
   the production settings, through tests/perf/bench_settings.py). wrk costs a few
   hundredths of a millisecond of CPU per request, so the ratios to the trivial view measure the
   server, not the load generator. In each round, every call runs right between two runs of the
   trivial view: its ratio divides by the trivial view measured just before and just after it,
   and the verdict takes the median of the rounds.
5. Sessions with locust (tests/perf/locustfile.py), each stage bounded in time: 100, 500 and
   1,000 tablets with their consoles and projectors, then 1,000 tablets alone. Statistics are
   reset once every device has started, so ramps are not counted.
6. The report: tests/perf/reports/bench.json (everything) and bench.md (what to read).

The load generators run on the same machine as the server and PostgreSQL: every figure is a
floor for the server alone. The report records the CPU each of them used and the machine's load
before and after each stage.
"""

import csv
import json
import os
import platform
import resource
import runpy
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parents[2]
PERF = ROOT / "tests" / "perf"
REPORTS = PERF / "reports"
VENV_BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ve_bench")
CORES = os.cpu_count() or 2
GUNICORN_CONF = ROOT / "vivreensemble" / "gunicorn.conf.py"
WRK_SCRIPT = PERF / "wrk" / "saturation.lua"
SATURATION_USERS = int(os.environ.get("BENCH_SATURATION_USERS", "32"))
SATURATION_SECONDS = int(os.environ.get("BENCH_SATURATION_SECONDS", "6"))
SATURATION_ROUNDS = int(os.environ.get("BENCH_SATURATION_ROUNDS", "3"))
TABLET_STAGES = [int(n) for n in os.environ.get("BENCH_TABLETS", "100,500,1000").split(",")]
TABLET_SECONDS = int(os.environ.get("BENCH_TABLET_SECONDS", "40"))
SPAWN_RATE = int(os.environ.get("BENCH_SPAWN_RATE", "50"))
# Seconds between the last tablet's start and the measure: the page loads of a 50-per-second
# ramp (one per tablet) are not a session's steady state (tests/perf/locustfile.py resets then).
SETTLE_SECONDS = int(os.environ.get("BENCH_SETTLE", "10"))
PER_WORKSHOP = 25
# The calls of one saturation round, each measured right between two runs of the trivial view.
# The machine's speed drifts (seen here: 20 % within a run of a few minutes, and by more than 10 %
# from one run of the trivial view to the next, seconds apart), so a call's ratio is its
# throughput over the mean of the trivial view's just before and just after it, and the verdict is
# the median of the rounds, which one slow moment of the host cannot move.
SATURATION_CALLS = ("poll", "vote", "vote-one-room", "write")

TARGETS = {
    "tablets": 1000,
    "poll_p95_ms": 100,
    "vote_p95_ms": 150,
    "poll_ratio": 0.60,
    "vote_ratio": 0.25,
    "poll_queries": 3,
    "vote_queries": 8,
    "poster_s": 1.0,
}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(var_dir: Path) -> dict:
    """Production settings (README, « Configuration »), with plain HTTP on the loopback."""
    return os.environ | {
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "600",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        # The production settings plus one address, the trivial write (tests/perf/bench_urls.py).
        "DJANGO_SETTINGS_MODULE": "tests.perf.bench_settings",
    }


def run(args: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def recreate_database() -> str:
    """Drop and create the benchmark database through the maintenance database."""
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing a database name with odd characters: {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
        return conn.execute("SHOW server_version").fetchone()[0]


def machine() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    memory = meminfo.read_text().splitlines()[0].split()[1] if meminfo.exists() else "0"
    return {
        "cores": CORES,
        "cpu": model,
        "memory_gib": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


class Server:
    """gunicorn as in production (its configuration file), bound to the loopback only."""

    def __init__(self, env: dict, port: int):
        self.port = port
        self.log = open(REPORTS / "gunicorn.log.tmp", "w")  # noqa: SIM115 (kept for the run)
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "vivreensemble.wsgi",
                "--bind", f"127.0.0.1:{port}",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s; see tests/perf/reports/gunicorn.log.tmp")

    def cpu_seconds(self) -> float:
        """User + system CPU of the gunicorn master and its workers so far (from /proc)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return sum(_cpu_of(pid) for pid in pids)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def read_stats(prefix: Path) -> dict:
    """locust's CSV: one row per request name (after the reset at the end of the ramp)."""
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]),
            }
    failures = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as found:
        for row in csv.DictReader(found):
            failures.append({"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])})
    return {"endpoints": rows, "failures": failures}


def _cpu_of(pid: int) -> float:
    """User + system CPU so far of one process (from /proc; a gone one counts for nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> dict[int, float]:
    """CPU so far of the benchmark database's backends and of PostgreSQL's own processes (WAL
    writer, checkpointer…), per process: other databases' clients (tests) are left out."""
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    found = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and (f" {name} " in title or "(" not in title):
            found[int(cmdline.parent.name)] = _cpu_of(int(cmdline.parent.name))
    return found


def _postgres_since(before: dict[int, float]) -> float:
    """PostgreSQL CPU since ``before``; a backend gone meanwhile takes its share with it."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in postgres_cpu().items())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else round(float(value), 1)


def _cpu_since(
    server: Server, server_cpu: float, database_cpu: dict[int, float], generator_cpu: float, wall: float
) -> dict:
    """CPU seconds each party used during a stage (gunicorn, PostgreSQL, the load generator)."""
    return {
        "server": round(server.cpu_seconds() - server_cpu, 1),
        "postgres": round(_postgres_since(database_cpu), 1),
        "generator": round(_children_cpu() - generator_cpu, 1),
        "wall": round(wall, 1),
    }


def locust_stage(
    name: str, classes: list[str], users: int, seconds: int, env: dict, workdir: Path, server: Server
) -> dict:
    ramp = max(1, -(-users // SPAWN_RATE))
    prefix = workdir / name
    load_before = os.getloadavg()
    server_cpu, database_cpu, generator_cpu = server.cpu_seconds(), postgres_cpu(), _children_cpu()
    say(f"stage {name}: {users} users ({', '.join(classes)}), ramp {ramp} s, measured {seconds} s")
    started = time.monotonic()
    subprocess.run(
        [
            str(VENV_BIN / "locust"), "-f", str(PERF / "locustfile.py"), "--headless",
            "--host", f"http://127.0.0.1:{env['BENCH_PORT']}",
            "-u", str(users), "-r", str(SPAWN_RATE), "-t", f"{ramp + SETTLE_SECONDS + seconds}s",
            "--reset-stats", "--only-summary", "--stop-timeout", "5", "--csv", str(prefix),
            "--loglevel", "WARNING", *classes,
        ],
        cwd=PERF, env=env | {"BENCH_SETTLE": str(SETTLE_SECONDS)}, check=False,
        timeout=ramp + SETTLE_SECONDS + seconds + 90,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wall = time.monotonic() - started
    stats = read_stats(prefix)
    stats |= {
        "cpu_s": _cpu_since(server, server_cpu, database_cpu, generator_cpu, wall),
        "generator": "locust",
        "users": users,
        "ramp_s": ramp,
        "measured_s": seconds,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    for endpoint, figures in stats["endpoints"].items():
        if endpoint != "Aggregated":
            say(f"  {endpoint}: {figures}")
    return stats


def lua(value) -> str:
    """A Lua literal of JSON-like data (ASCII strings only: paths, cookies, form bodies)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if isinstance(value, str) and not value.isascii():
        raise ValueError(f"not ASCII: {value!r}")
    return json.dumps(value)


def saturation_devices(seed: dict, port: int) -> dict[str, dict]:
    """Per stage: the status every answer must have, and one list of requests per device.

    Poll: tablets of the saturation room in their steady state (their own ETag, answered 304).
    Vote: voters alternately put one point on an item and take it back, each tap with a fresh
    idempotency key (wrk fills ``{key}``), so every request is a real write; spread over the live
    mixed workshops, or all in the saturation room.
    """
    csrf = seed["csrf"]

    def cookie(place: str) -> str:
        return f"ve_place={place}; csrftoken={csrf}"

    def votes(place: str, sequence: int, item: int) -> list[dict]:
        headers = {
            "Cookie": cookie(place), "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return [
            {
                "method": "POST", "path": f"/atelier/sequences/{sequence}/vote/", "headers": headers,
                "body": f"csrfmiddlewaretoken={csrf}&item={item}&points={points}&key={{key}}",
            }
            for points in (1, 0)
        ]

    room = seed["saturation"]
    poll_path = f"/atelier/etat/?shown={quote(str(room['sequence']) + '-')}"
    pollers = []
    for place in room["cookies"][:SATURATION_USERS]:
        headers = {"Cookie": cookie(place), "HX-Request": "true"}
        with urlopen(Request(f"http://127.0.0.1:{port}{poll_path}", headers=headers), timeout=30) as first:
            etag = first.headers["ETag"]
        pollers.append([{"method": "GET", "path": poll_path, "headers": headers | {"If-None-Match": etag}}])
    rooms = [w for w in seed["live"] if w["kind"] == "vote"]
    spread = []
    for n in range(SATURATION_USERS):
        live = rooms[n % len(rooms)]
        place = live["cookies"][(n // len(rooms)) % len(live["cookies"])]
        spread.append(votes(place, live["sequence"], live["items"][n % len(live["items"])]))
    one_room = [
        votes(place, room["sequence"], room["items"][n % len(room["items"])])
        for n, place in enumerate(room["cookies"][:SATURATION_USERS])
    ]
    write = {
        "method": "POST", "path": "/bench/ecriture/",
        "headers": {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
        "body": f"csrfmiddlewaretoken={csrf}&key={{key}}",
    }
    return {
        "health": {"expect": 200, "devices": [[{"method": "GET", "path": "/sante/", "headers": {}}]]},
        "write": {"expect": 200, "devices": [[write]]},
        "poll": {"expect": 304, "devices": pollers},
        "vote": {"expect": 200, "devices": spread},
        "vote-one-room": {"expect": 200, "devices": one_room},
    }


def wrk_stage(name: str, endpoint: str, stage: dict, seconds: int, port: int, workdir: Path, server) -> dict:
    """One wrk run without think time: one thread and one connection per device."""
    data = workdir / f"{name}.lua"
    script_data = stage | {"prefix": f"{name}-{secrets.token_hex(4)}"}
    data.write_text("return " + lua(script_data) + "\n", encoding="ascii")
    load_before = os.getloadavg()
    server_cpu, database_cpu, generator_cpu = server.cpu_seconds(), postgres_cpu(), _children_cpu()
    say(f"stage {name}: {SATURATION_USERS} devices (wrk), measured {seconds} s")
    started = time.monotonic()
    run_ = subprocess.run(
        [
            "wrk", "-t", str(SATURATION_USERS), "-c", str(SATURATION_USERS), "-d", f"{seconds}s",
            "--timeout", "30s", "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}",
        ],
        env=os.environ | {"BENCH_WRK_DATA": str(data)}, capture_output=True, text=True,
        timeout=seconds + 60, check=False,
    )
    wall = time.monotonic() - started
    found = [line for line in run_.stdout.splitlines() if line.startswith("{")]
    if not found:
        raise SystemExit(f"wrk gave no figures for {name}: {run_.stdout[-2000:]} {run_.stderr[-2000:]}")
    out = json.loads(found[-1])
    errors = out["errors"]
    failures = [
        {"name": endpoint, "error": f"socket {kind}", "count": errors[kind]}
        for kind in ("connect", "read", "write", "timeout") if errors[kind]
    ]
    if out["unexpected_status"]:
        wrong = f"status other than {stage['expect']}"
        failures.append({"name": endpoint, "error": wrong, "count": out["unexpected_status"]})
    figures = {
        "requests": out["requests"],
        "failures": sum(f["count"] for f in failures),
        "rps": round(out["requests"] / (out["duration_us"] / 1e6), 1),
        "p50_ms": round(out["p50_us"] / 1000, 1),
        "p95_ms": round(out["p95_us"] / 1000, 1),
        "p99_ms": round(out["p99_us"] / 1000, 1),
        "max_ms": round(out["max_us"] / 1000, 1),
    }
    say(f"  {endpoint}: {figures}")
    return {
        "endpoints": {endpoint: figures},
        "failures": failures,
        "cpu_s": _cpu_since(server, server_cpu, database_cpu, generator_cpu, wall),
        "generator": "wrk",
        "users": SATURATION_USERS,
        "measured_s": seconds,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")
REMEMBERED_POLL = "poll (unchanged, 304, room read < 0.5 s ago)"


def statements(probe: dict) -> int:
    """SQL statements of one request, transaction control (BEGIN, COMMIT) apart; a batch's
    statements count one by one, though they share a round trip."""
    counts = probe.get("statements_per_query") or [1] * len(probe["sql"])
    carried = zip(probe["sql"], counts, strict=True)
    return sum(n for sql, n in carried if sql.strip().upper() not in TRANSACTION_CONTROL)


def _endpoint(stage: str) -> str:
    """The request a saturation stage sends (two stages vote)."""
    return stage.split("-")[0]


def trivial_rps(saturation: dict) -> float:
    """The trivial view's throughput over all its runs."""
    return saturation["health"]["endpoints"]["health"]["rps"]


def _rps(stats: dict, stage: str) -> float:
    return stats["endpoints"].get(_endpoint(stage), {}).get("rps") or 0


def round_ratios(rounds: list[dict], trivial: list[dict]) -> dict[str, list[float]]:
    """Per call, its throughput in each round over the trivial view's measured just before and
    just after it (``trivial``: every run of the trivial view, in order, one between each two
    calls)."""
    return {
        call: [
            round(_rps(stages[call], call) / ((before + after) / 2), 4) if before + after else 0
            for stages, (before, after) in zip(rounds, _around(rounds, trivial, call), strict=True)
        ]
        for call in SATURATION_CALLS
    }


def _around(rounds: list[dict], trivial: list[dict], call: str) -> list[tuple[float, float]]:
    """The trivial view's throughput just before and just after this call, in each round."""
    rates = [_rps(run, "health") for run in trivial]
    first = SATURATION_CALLS.index(call)
    return [
        (rates[n * len(SATURATION_CALLS) + first], rates[n * len(SATURATION_CALLS) + first + 1])
        for n in range(len(rounds))
    ]


def median_ratio(report: dict, stage: str) -> float:
    return statistics.median(report["saturation_rounds"]["ratios"][stage])


def ratio_text(report: dict, stage: str) -> str:
    """« 24 % (23–26 %) »: the median of the rounds, and their range."""
    ratios = report["saturation_rounds"]["ratios"][stage]
    return f"{statistics.median(ratios):.0%} ({min(ratios):.0%}–{max(ratios):.0%})"


def pooled_saturation(rounds: list[dict], trivial: list[dict]) -> dict:
    """Each stage's runs over all rounds as one: requests, errors and CPU added up, the rate over
    the time measured in all, the latency percentiles the median of the runs' (max: the slowest)."""
    runs = {"health": trivial} | {call: [stages[call] for stages in rounds] for call in SATURATION_CALLS}
    return {stage: _pooled(stage, stage_runs) for stage, stage_runs in runs.items()}


def _pooled(stage: str, runs: list[dict]) -> dict:
    endpoint = _endpoint(stage)
    figures = [run["endpoints"][endpoint] for run in runs]
    requests = sum(f["requests"] for f in figures)
    seconds = sum(f["requests"] / f["rps"] for f in figures if f["rps"])
    failures: dict[tuple[str, str], int] = {}
    for run in runs:
        for failure in run["failures"]:
            key = (failure["name"], failure["error"])
            failures[key] = failures.get(key, 0) + failure["count"]
    return {
        "endpoints": {endpoint: {
            "requests": requests,
            "failures": sum(f["failures"] for f in figures),
            "rps": round(requests / seconds, 1) if seconds else 0,
            **{key: statistics.median(f[key] for f in figures) for key in ("p50_ms", "p95_ms", "p99_ms")},
            "max_ms": max(f["max_ms"] for f in figures),
        }},
        "failures": [
            {"name": name, "error": error, "count": count} for (name, error), count in failures.items()
        ],
        "cpu_s": {
            party: round(sum(run["cpu_s"][party] or 0 for run in runs), 1)
            for party in ("server", "postgres", "generator", "wall")
        },
        "generator": "wrk",
        "users": SATURATION_USERS,
        "runs": len(runs),
        "measured_s": sum(run["measured_s"] for run in runs),
        "load_before": runs[0]["load_before"],
        "load_after": runs[-1]["load_after"],
    }


def verdicts(report: dict) -> list[dict]:
    """Each target of the issue with the measured figure and whether it is met."""
    out = []
    sat = report["saturation"]
    health = trivial_rps(sat)
    poll = _rps(sat["poll"], "poll")
    vote = _rps(sat["vote"], "vote")
    largest = report["tablets"].get(str(max(TABLET_STAGES)), {})
    endpoints = largest.get("endpoints", {})
    failures = endpoints.get("Aggregated", {}).get("failures")
    probes = report["probes"]["requests"]
    poll_queries = max(r["poll (unchanged, 304)"]["queries"] for r in probes.values()) if probes else None
    remembered = max(
        r.get(REMEMBERED_POLL, {}).get("queries", 0) for r in probes.values()
    ) if probes else None
    poll_queries_200 = max(r["poll (changed, 200)"]["queries"] for r in probes.values()) if probes else None
    vote_queries = max(
        r[k]["queries"] for r in probes.values() for k in r if k.startswith("vote")
    ) if probes else None
    vote_statements = max(
        statements(r[k]) for r in probes.values() for k in r if k.startswith("vote")
    ) if probes else None
    poster = report["probes"]["poster_render"]

    def line(target: str, measured, met: bool | None) -> None:
        out.append({"target": target, "measured": measured, "met": met})

    poll_p95 = endpoints.get("poll", {}).get("p95_ms")
    vote_p95 = endpoints.get("vote", {}).get("p95_ms")
    line(
        f"{max(TABLET_STAGES)} tablets: poll p95 < {TARGETS['poll_p95_ms']} ms",
        f"{poll_p95} ms", poll_p95 is not None and poll_p95 < TARGETS["poll_p95_ms"],
    )
    line(
        f"{max(TABLET_STAGES)} tablets: vote p95 < {TARGETS['vote_p95_ms']} ms",
        f"{vote_p95} ms", vote_p95 is not None and vote_p95 < TARGETS["vote_p95_ms"],
    )
    line(f"{max(TABLET_STAGES)} tablets: no errors", f"{failures} failed requests", failures == 0)
    alone = report["tablets"].get(f"{max(TABLET_STAGES)} (tablets only)", {}).get("endpoints", {})
    alone_poll = alone.get("poll", {}).get("p95_ms")
    alone_vote = alone.get("vote", {}).get("p95_ms")
    line(
        f"(same, tablets only, no console or projector: poll p95 < {TARGETS['poll_p95_ms']} ms, "
        f"vote p95 < {TARGETS['vote_p95_ms']} ms, no errors)",
        f"poll {alone_poll} ms, vote {alone_vote} ms, "
        f"{alone.get('Aggregated', {}).get('failures')} failed requests",
        alone_poll is not None and alone_vote is not None and alone_poll < TARGETS["poll_p95_ms"]
        and alone_vote < TARGETS["vote_p95_ms"] and alone.get("Aggregated", {}).get("failures") == 0,
    )
    rounds = len(report["saturation_rounds"]["rounds"])
    for stage, floor in (("poll", TARGETS["poll_ratio"]), ("vote", TARGETS["vote_ratio"])):
        rps = poll if stage == "poll" else vote
        line(
            f"{stage} ≥ {floor:.0%} of the trivial view's throughput",
            f"{ratio_text(report, stage)}: median (range) of {rounds} rounds; over all rounds "
            f"{rps:.0f} / {health:.0f} req/s",
            median_ratio(report, stage) >= floor,
        )
    line(
        "≤ 3 queries per poll, whatever the data size",
        f"{poll_queries} (304; {remembered} when this process read the room less than 0.5 s before), "
        f"{poll_queries_200} (200)",
        poll_queries is not None and max(poll_queries, poll_queries_200) <= TARGETS["poll_queries"],
    )
    line(
        "≤ 8 queries per vote, whatever the data size (SQL statements; BEGIN and COMMIT apart)",
        f"{vote_statements} statements in {vote_queries} round trips (BEGIN and COMMIT included)",
        vote_statements is not None and vote_statements <= TARGETS["vote_queries"],
    )
    a4 = poster.get("A4", {}).get("median_s")
    a3 = poster.get("A3", {}).get("median_s")
    line(
        "warm poster render < 1 s",
        f"A4 {a4} s, A3 {a3} s (median)",
        a4 is not None and a3 is not None and max(a4, a3) < TARGETS["poster_s"],
    )
    return out


def _cell(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _per_request_ms(stats: dict, party: str) -> float | None:
    """CPU milliseconds per request served that ``party`` (server, postgres) used in a stage."""
    served = sum(f["requests"] for n, f in stats["endpoints"].items() if n != "Aggregated")
    used = stats["cpu_s"].get(party)
    return None if not served or used is None else used / served * 1000


def _ratio_shortfalls(report: dict) -> list[str]:
    """Why a throughput ratio is short of its target, from this run's own figures: the CPU a
    call took at saturation (gunicorn and PostgreSQL) against the trivial view's, what it would
    have to cost to reach the target, and what it does beyond the trivial view."""
    cpu, sat, out = report["probes"].get("cpu", {}), report["saturation"], []
    in_process = {"poll": "poll (unchanged, 304)", "vote": "vote"}
    for endpoint, target in (("poll", TARGETS["poll_ratio"]), ("vote", TARGETS["vote_ratio"])):
        health = trivial_rps(sat)
        if median_ratio(report, endpoint) >= target or in_process[endpoint] not in cpu or "health" not in cpu:
            continue
        server = _per_request_ms(sat[endpoint], "server")
        database = _per_request_ms(sat[endpoint], "postgres")
        trivial = _per_request_ms(sat["health"], "server")
        own = cpu[in_process[endpoint]]["cpu_ms"] - cpu["health"]["cpu_ms"]
        text = (
            f"**Why the {endpoint} is short of {target:.0%}.** At saturation, gunicorn spent "
            f"{server:.2f} ms and PostgreSQL {database:.2f} ms of CPU per {endpoint}, against "
            f"{trivial:.2f} ms for the trivial view: on the same cores, {target:.0%} of the trivial "
            f"view's throughput needs a {endpoint} of at most {trivial / target:.2f} ms in all. In-process, "
            f"the {endpoint}'s own work beyond the trivial view's takes {own:.2f} ms of the app's CPU."
        )
        if endpoint == "vote":
            trips = report["probes"]["requests"]["vote, big"]["vote (change)"]["queries"]
            text += (
                f" That work is the CSRF check and reading the tap, the statements listed below in {trips} "
                "round trips (BEGIN, the lock on the participant's place so that two devices cannot "
                "overspend, the item and its sequence read after that lock so that a vote racing « "
                "close » is refused, the idempotency key so that a double tap counts once, and the "
                "ballot; then the write, the room's version and COMMIT), the row's HTML and the « points "
                "left » line; PostgreSQL's share includes writing the key, the vote and the room's "
                "version to its log at each commit. One round trip per vote would mean the voting "
                "rules of workshops/services.py written again as SQL, which we have not done."
            )
            write = sat.get("write", {}).get("endpoints", {}).get("write")
            if write and health:
                text += (
                    f" For scale, the trivial write of this run (one INSERT committed on its own, in one "
                    f"round trip, behind the same CSRF check: tests/perf/bench_urls.py) reached "
                    f"{ratio_text(report, 'write')} of the trivial view, with gunicorn "
                    f"{_per_request_ms(sat['write'], 'server'):.2f} ms and PostgreSQL "
                    f"{_per_request_ms(sat['write'], 'postgres'):.2f} ms of CPU per write: that is "
                    f"what any write costs on these cores, before the vote's own work."
                )
        out += ["", text]
    return out


def markdown(report: dict) -> str:
    m, server = report["machine"], report["server"]
    lines = [
        "# Benchmark report",
        "",
        f"Run on {report['finished_at']} with `make bench` ({report['wall_s']:.0f} s in all). "
        "Generated by tests/perf/bench.py; the raw figures are in bench.json next to this file.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"PostgreSQL {report['postgresql']}. **The load generators (wrk for saturation, locust for "
        "sessions) share these cores with gunicorn and PostgreSQL**, so every figure is a floor for "
        "the server alone; « Where the CPU went » shows what each used. "
        f"Load average before the first stage: {report['load_at_start']}.",
        "",
        f"Server: gunicorn {server.get('worker_class', 'gthread')} ({server.get('config', 'command line')}), "
        f"{server['workers']} workers × {server['threads']} threads, "
        f"keep-alive {server.get('keepalive', '—')} s, "
        "DEBUG off, CONN_MAX_AGE=600 with health checks, bound to 127.0.0.1.",
        "",
        "Data: " + ", ".join(f"{n:,} {k}".replace(",", " ") for k, n in report["data"].items()) + ".",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    for v in report["verdicts"]:
        lines.append(f"| {v['target']} | {v['measured']} | {'yes' if v['met'] else '**no**'} |")
    lines += _ratio_shortfalls(report)
    rounds = report["saturation_rounds"]
    lines += [
        "",
        f"## Saturation ({SATURATION_USERS} devices without think time, {len(rounds['rounds'])} rounds of "
        f"{rounds['trivial'][0]['measured_s']} s per call)",
        "",
        "wrk, one connection per device (tests/perf/wrk/saturation.lua). Errors: failed connections, "
        "reads or writes, timeouts, and any answer other than the expected status (200; 304 for the "
        "poll). gunicorn CPU per request is in « Where the CPU went ». Each round runs the calls "
        "below in this order, each one right between two runs of the trivial view (the run after a "
        "call is the one before the next). A call's ratio in a round divides its throughput by the "
        "mean of the trivial view's just before and just after it, so that a change of the "
        "machine's speed during the run weighs on both sides; the verdicts take the median of the "
        "rounds. Requests and req/s: all rounds together; latencies: the median of the rounds.",
        "",
        "| endpoint | req/s | vs trivial view: median (range) of the rounds | p50 ms | p95 ms | p99 ms "
        "| requests | errors | queries (small / big data) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    probes = report["probes"]["requests"]
    queries = {
        "health": f"{report['probes']['health']['queries']}",
        "poll": f"{probes['vote, small']['poll (unchanged, 304)']['queries']} / "
        f"{probes['vote, big']['poll (unchanged, 304)']['queries']} "
        f"({probes['vote, big'].get(REMEMBERED_POLL, {}).get('queries', '—')} from the process's memory)",
        "vote": f"{statements(probes['vote, small']['vote (change)'])} / "
        f"{statements(probes['vote, big']['vote (change)'])} "
        f"(in {probes['vote, big']['vote (change)']['queries']} round trips with BEGIN, COMMIT)",
    }
    labels = {
        "health": "trivial view `/sante/`",
        "poll": "tablet poll, unchanged (304)",
        "vote": "vote, voters spread over the rooms",
        "vote-one-room": f"vote, {SATURATION_USERS} voters in one room",
        "write": "trivial write: one INSERT committed on its own, CSRF-checked (bench only)",
    }
    queries["vote-one-room"] = queries["vote"]
    queries["write"] = "1 (one round trip, autocommit)"
    for stage in report["saturation"]:
        f = report["saturation"][stage]["endpoints"].get(_endpoint(stage), {})
        ratio = "—" if stage == "health" else ratio_text(report, stage)
        lines.append(
            f"| {labels[stage]} | {_cell(f.get('rps'))} | {ratio} | {_cell(f.get('p50_ms'))} "
            f"| {_cell(f.get('p95_ms'))} | {_cell(f.get('p99_ms'))} | {_cell(f.get('requests'))} "
            f"| {_cell(f.get('failures'))} | {queries[stage]} |"
        )
    lines += [
        "",
        "Round by round (req/s, the trivial view's just before and just after, and the ratio):",
        "",
        "| round | " + " | ".join(labels[call] for call in SATURATION_CALLS) + " |",
        "| --- | " + " | ".join("---" for _ in SATURATION_CALLS) + " |",
    ]
    around = {call: _around(rounds["rounds"], rounds["trivial"], call) for call in SATURATION_CALLS}
    for n, stages in enumerate(rounds["rounds"]):
        cells = [
            f"{_rps(stages[call], call):.0f} ({around[call][n][0]:.0f} → {around[call][n][1]:.0f}: "
            f"{rounds['ratios'][call][n]:.0%})"
            for call in SATURATION_CALLS
        ]
        lines.append(f"| {n + 1} | " + " | ".join(cells) + " |")
    cpu = report["probes"].get("cpu", {})
    if "health" in cpu:
        base = cpu["health"]["cpu_ms"]
        lines += [
            "",
            "## CPU cost per request (in-process, independent of the machine's load)",
            "",
            "Django's WSGI handler called directly in one process, `time.process_time()` around "
            f"each request ({cpu['room']} for the vote). Served by gunicorn, every request also pays "
            "the server's own work (parsing, threads, sockets: about the same for every request), so "
            "the ratios at saturation are higher than these in-process ones. The console and the "
            "projector redraw (as here) whenever a contribution or a vote has changed their room, "
            "which during a session is nearly every 2-second refresh.",
            "",
            "| request | CPU ms per request | cost vs trivial view | throughput ceiling vs trivial view "
            "| statuses |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name in [n for n in cpu if n != "room"]:
            figures = cpu[name]
            lines.append(
                f"| {name} | {figures['cpu_ms']} | ×{figures['cpu_ms'] / base:.1f} "
                f"| {base / figures['cpu_ms']:.0%} | {', '.join(figures['statuses'])} |"
            )
    lines += [
        "",
        f"## Tablets in a session (each stage: ramp at {SPAWN_RATE} users/s, {SETTLE_SECONDS} s to "
        f"settle, then {TABLET_SECONDS} s measured)",
        "",
        "Each tablet polls every 2 s with `If-None-Match` and `shown` as htmx does, fetches its "
        "activity when the screen changes, and votes (mixed workshops) or adds qualities (peer "
        "workshops) in bursts. Each device beats at its own moment within the 2 s, as tablets "
        "whose pages loaded at different moments do (tests/perf/locustfile.py, "
        "`Device.on_start`). One facilitator per 25 tablets polls the console (logged in) and the "
        "projection (by the room's screen address, no login) every 2 s and switches the pole or "
        "reveals results about every 40 s (every tablet of "
        "that workshop then gets a new screen). The last stage runs the same tablets without "
        "consoles and projectors, to tell what the tablets cost from what the facilitators' "
        "screens cost. A request made only while the tablets start (the tablet page) falls in the "
        "ramp, before the statistics are reset, and is not listed.",
        "",
        "| tablets | request | req/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for stage, stats in report["tablets"].items():
        for name, f in stats["endpoints"].items():
            if not f["requests"]:
                continue
            lines.append(
                f"| {stage} | {name} | {_cell(f['rps'])} | {_cell(f['p50_ms'])} | {_cell(f['p95_ms'])} "
                f"| {_cell(f['p99_ms'])} | {_cell(f['max_ms'])} | {f['requests']} | {f['failures']} |"
            )
        served = stats["endpoints"].get("poll", {}).get("rps", 0)
        lines.append(
            f"| {stage} | *polls served / demanded (one per tablet every 2 s)* "
            f"| {served} / {int(stage.split()[0]) / 2:g} | | | | | | |"
        )
        lines.append(
            f"| {stage} | *load average before → after* "
            f"| {stats['load_before'][0]} → {stats['load_after'][0]} | | | | | | |"
        )
    lines += [
        "",
        "## Where the CPU went (per stage, from /proc and getrusage)",
        "",
        f"Capacity = wall time × {CORES} cores. PostgreSQL: the benchmark database's backends and "
        "PostgreSQL's own processes. The rest went to the kernel and anything else running on the "
        "machine. Per request: the stage's gunicorn CPU over the requests it served (saturation "
        "stages: all their rounds together, no ramp).",
        "",
        "| stage | load generator | wall s | gunicorn CPU s | PostgreSQL CPU s | generator CPU s "
        "| gunicorn share | PostgreSQL share | generator share | gunicorn CPU ms per request |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for stage, stats in [*report["saturation"].items(), *report["tablets"].items()]:
        cpu = stats["cpu_s"]
        capacity = cpu["wall"] * CORES or 1
        database = cpu.get("postgres")
        served = sum(f["requests"] for n, f in stats["endpoints"].items() if n != "Aggregated")
        per_request = (
            f"{cpu['server'] / served * 1000:.2f}" if stage in report["saturation"] and served else "—"
        )
        lines.append(
            f"| {stage} | {stats.get('generator', 'locust')} | {cpu['wall']} | {cpu['server']} "
            f"| {_cell(database)} | {cpu['generator']} | {cpu['server'] / capacity:.0%} "
            f"| {'—' if database is None else f'{database / capacity:.0%}'} "
            f"| {cpu['generator'] / capacity:.0%} | {per_request} |"
        )
    failures = [
        (stage, f) for stage, stats in [*report["saturation"].items(), *report["tablets"].items()]
        for f in stats["failures"]
    ]
    if failures:
        lines += ["", "Errors seen:", ""]
        lines += [f"- {stage}: {f['name']} — {f['error']} (×{f['count']})" for stage, f in failures]
    lines += [
        "",
        "## Queries per request (in-process, `CaptureQueriesContext`, same settings and data)",
        "",
        "Each cell: SQL statements, then round trips to PostgreSQL (BEGIN and COMMIT included). A "
        "vote sends several statements per round trip (workshops/precompiled.py, `batch`).",
        "",
        "| request | " + " | ".join(probes) + " |",
        "| --- | " + " | ".join("---" for _ in probes) + " |",
    ]
    names = []
    for requests in probes.values():
        names += [n for n in requests if n not in names]
    for name in names:
        cells = [
            f"{statements(r[name])} in {r[name]['queries']} (HTTP {r[name]['status']})"
            if name in r else "—"
            for r in probes.values()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Data sizes: " + "; ".join(f"{k}: {v}" for k, v in report["probes"]["sizes"].items()) + "."]
    vote_sql = probes["vote, big"].get("vote (change)", {}).get("sql", [])
    if vote_sql:
        lines += ["", "The SQL of one vote (big workshop), in order:", ""]
        together = " **and, in the same round trip,** "
        lines += [
            f"{i}. " + together.join(f"`{part[:110]}`" for part in sql.split(" ; "))
            for i, sql in enumerate(vote_sql, 1)
        ]
    poster = report["probes"]["poster_render"]
    lines += ["", "## Poster PDF (warm, in-process, WeasyPrint)", ""]
    if "error" in poster:
        lines.append(f"Not measured: {poster['error']}.")
    else:
        lines.append(f"Poster: {poster['poster']} (the demo's validated poster).")
        lines.append("")
        lines.append("| paper | median s | max s | renders | PDF bytes | Python peak MiB (tracemalloc) |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for paper in ("A4", "A3"):
            p = poster[paper]
            lines.append(
                f"| {paper} | {p['median_s']} | {p['max_s']} | {p['renders']} | {p['pdf_bytes']} "
                f"| {p['python_peak_mib']} |"
            )
        lines.append("")
        lines.append(
            f"Peak resident memory of the rendering process (getrusage ru_maxrss, includes Django, "
            f"WeasyPrint, Pango and the fonts): {poster['process_max_rss_mib']} MiB."
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    started = time.monotonic()
    REPORTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="ve_bench_"))
    env = production_env(workdir)
    python = str(VENV_BIN / "python")
    say(f"database {urlsplit(DATABASE_URL).path.lstrip('/')}: drop and create")
    postgresql = recreate_database()
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([python, "manage.py", "createcachetable"], env)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    say("seeding (through the services)")
    seed_path = workdir / "seed.json"
    run([python, "-m", "tests.perf.seed", str(seed_path)], env, stdout=subprocess.DEVNULL)
    with open(seed_path, encoding="utf-8") as seed_file:
        data_sizes = json.load(seed_file)["sizes"]
    say("in-process probes: queries per request, poster render")
    probe_path = workdir / "probe.json"
    run([python, "-m", "tests.perf.probe", str(seed_path), str(probe_path)], env)
    with open(probe_path, encoding="utf-8") as probe_file:
        probes = json.load(probe_file)
    port = free_port()
    env |= {"BENCH_PORT": str(port), "BENCH_DATA": str(seed_path)}
    conf = runpy.run_path(str(GUNICORN_CONF))
    server_conf = {key: conf[key] for key in ("worker_class", "workers", "threads", "keepalive")}
    say(f"gunicorn on 127.0.0.1:{port}, {GUNICORN_CONF.relative_to(ROOT)}: {server_conf}")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    server = Server(env, port)
    try:
        stages = saturation_devices(json.loads(seed_path.read_text()), port)
        # Not reported: fills every worker's imports, template caches and database connections,
        # so the first measured stage (the trivial view, the ratios' denominator) is not a cold one.
        for stage in ("health", "poll"):
            wrk_stage(f"warm-up-{stage}", stage, stages[stage], 5, port, workdir, server)
        def saturate(name: str, call: str) -> dict:
            devices = stages.get(call) or stages[_endpoint(call)]
            return wrk_stage(name, _endpoint(call), devices, SATURATION_SECONDS, port, workdir, server)

        trivial, rounds = [saturate("saturation-health-0", "health")], []
        for number in range(1, SATURATION_ROUNDS + 1):
            calls = {}
            for call in SATURATION_CALLS:
                calls[call] = saturate(f"saturation-{call}-{number}", call)
                trivial.append(saturate(f"saturation-health-{len(trivial)}", "health"))
            rounds.append(calls)
        tablets = {}
        for count in TABLET_STAGES:
            stage_env = env | {"BENCH_TABLETS": str(count)}
            facilitators = max(1, count // PER_WORKSHOP)
            tablets[str(count)] = locust_stage(
                f"tablets-{count}", ["Tablet", "Facilitator"], count + facilitators, TABLET_SECONDS,
                stage_env, workdir, server,
            )
        # The same largest room count without consoles and projectors: what the tablets alone cost.
        largest = max(TABLET_STAGES)
        tablets[f"{largest} (tablets only)"] = locust_stage(
            f"tablets-{largest}-only", ["Tablet"], largest, TABLET_SECONDS,
            env | {"BENCH_TABLETS": str(largest)}, workdir, server,
        )
    finally:
        server.stop()
    report = {
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgresql": postgresql,
        "load_at_start": load_at_start,
        "server": server_conf | {"config": str(GUNICORN_CONF.relative_to(ROOT)), "bind": "127.0.0.1"},
        "data": data_sizes,
        "probes": probes,
        "saturation": pooled_saturation(rounds, trivial),
        "saturation_rounds": {
            "rounds": rounds, "trivial": trivial, "ratios": round_ratios(rounds, trivial),
        },
        "tablets": tablets,
        "targets": TARGETS,
    }
    report["verdicts"] = verdicts(report)
    report["wall_s"] = round(time.monotonic() - started, 1)
    (REPORTS / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    (REPORTS / "bench.md").write_text(markdown(report))
    shutil.rmtree(workdir, ignore_errors=True)
    say(f"done in {report['wall_s']:.0f} s: tests/perf/reports/bench.md")
    for verdict in report["verdicts"]:
        say(f"  {'met    ' if verdict['met'] else 'NOT MET'}  {verdict['target']}: {verdict['measured']}")


def rewrite() -> None:
    """Rewrite bench.md (and the verdicts) from bench.json, without running anything."""
    report = json.loads((REPORTS / "bench.json").read_text())
    report["verdicts"] = verdicts(report)
    (REPORTS / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    (REPORTS / "bench.md").write_text(markdown(report))


if __name__ == "__main__":
    rewrite() if sys.argv[1:] == ["--rewrite"] else main()
