"""PostgreSQL restarted in the middle of a live workshop.

The test brings its own throwaway cluster (initdb in a temporary folder, a free port on the
loopback), so it runs in the SQLite and the PostgreSQL runs of the suite alike and never touches
the shared server. The app is served as in production (gunicorn gthread, DEBUG off, persistent
connections with health checks); tablets vote and add qualities over HTTP, the cluster is
restarted (``pg_ctl restart -m fast``), then every tablet carries on and every accepted write
is still there, counted once, even when a request is sent again after the restart.
"""

import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
CSRF = secrets.token_hex(16)  # 32 characters, the shape of Django's CSRF secret

pytestmark = pytest.mark.skipif(
    not BINARIES or shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None,
    reason="needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin: apt-get install postgresql) "
    "and gunicorn in the virtualenv",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A private PostgreSQL: initdb, pg_ctl start / restart / stop, as the postgres user when root."""

    def __init__(self):
        self.bin = Path(BINARIES[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="ve_fault_pg_"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-w", "-t", "30", "-o", options,
            "-l", str(self.folder / "server.log"), *extra,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def sql(url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def served():
    """Cluster, schema and live data, and gunicorn as in production; all torn down after."""
    cluster = Cluster()
    server = None
    try:
        sql(cluster.url("postgres"), "CREATE DATABASE ve_fault")
        env = os.environ | {
            "DATABASE_URL": cluster.url("ve_fault"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "CONN_MAX_AGE": "600",
            "VAR_DIR": str(cluster.folder / "var"),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                       timeout=120)
        subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True, timeout=60)
        data = json.loads(
            subprocess.run([python, "-m", "tests.faults.live_data"], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True, timeout=60).stdout
        )
        port = free_port()
        server = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "vivreensemble.wsgi", "--bind", f"127.0.0.1:{port}",
             "--worker-class", "gthread", "--workers", "1", "--threads", "4"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while call(base, "GET", "/sante/")[0] != 200:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield cluster, base, data
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        cluster.stop()


def call(base: str, method: str, path: str, *, place: str = "", data: dict | None = None,
         headers: dict | None = None) -> tuple[int, str, dict]:
    """One tablet request; (status, body, headers), or (0, error, {}) when nothing answered."""
    body = urlencode({"csrfmiddlewaretoken": CSRF, **data}).encode() if data is not None else None
    request = Request(base + path, data=body, method=method, headers={
        "Cookie": f"ve_place={place}; csrftoken={CSRF}", "HX-Request": "true", **(headers or {}),
    })
    try:
        with urlopen(request, timeout=20) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except HTTPError as answer:
        return answer.code, answer.read().decode(), dict(answer.headers)
    except OSError as error:
        return 0, str(error), {}


def vote(base, data, n: int, item_index: int, key: str, points: int = 1):
    room = data["vote"]
    return call(base, "POST", f"/atelier/sequences/{room['sequence']}/vote/", place=room["places"][n],
                data={"item": room["items"][item_index % len(room["items"])], "points": points, "key": key})


def quality(base, data, n: int, text: str, key: str):
    room = data["qualities"]
    return call(base, "POST", f"/atelier/sequences/{room['sequence']}/qualites/", place=room["places"][n],
                data={"text": text, "key": key})


def poll(base, tablet: tuple[str, str], etag: str = ""):
    """The 2-second poll: the place, and the screen shown (``<sequence>-<pole>``)."""
    place, shown = tablet
    return call(base, "GET", f"/atelier/etat/?shown={shown}", place=place,
                headers={"If-None-Match": etag} if etag else {})


def test_a_postgresql_restart_loses_nothing_and_tablets_carry_on(served):
    cluster, base, data = served
    voters, writers = data["vote"]["places"], data["qualities"]["places"]
    everyone = [(p, f"{data['vote']['sequence']}-") for p in voters] + [
        (p, f"{data['qualities']['sequence']}-ideal") for p in writers
    ]
    parallel = ThreadPoolExecutor(max_workers=8)

    etags = {}
    first_polls = parallel.map(lambda t: poll(base, t), everyone)
    for tablet, (status, _body, headers) in zip(everyone, first_polls, strict=True):
        assert status == 200
        etags[tablet] = headers["ETag"]
    # Before the restart: two points per voter, two words per writer, all accepted.
    before = list(parallel.map(lambda n: vote(base, data, n, n, f"a{n}"), range(len(voters))))
    before += parallel.map(lambda n: vote(base, data, n, n + 1, f"b{n}"), range(len(voters)))
    before += parallel.map(lambda n: quality(base, data, n, f"écoute {n}", f"q{n}"), range(len(writers)))
    before += parallel.map(lambda n: quality(base, data, n, f"respect {n}", f"r{n}"), range(len(writers)))
    assert [status for status, _b, _h in before] == [200] * len(before)

    started = time.monotonic()
    cluster.restart()
    assert time.monotonic() - started < 30

    # Every tablet's next poll is answered on the first try (stale pooled connections are
    # replaced by the health check) and the screen is unchanged: 304 with the same ETag.
    after_polls = list(parallel.map(lambda t: poll(base, t, etags[t]), everyone * 2))
    assert [status for status, _b, _h in after_polls] == [304] * len(after_polls)
    # Votes and words go on; requests sent again after the restart (lost answer, retried) count once.
    after = list(parallel.map(lambda n: vote(base, data, n, n + 2, f"c{n}"), range(len(voters))))
    after += parallel.map(lambda n: vote(base, data, n, n, f"a{n}"), range(len(voters)))
    after += parallel.map(lambda n: quality(base, data, n, f"dialogue {n}", f"d{n}"), range(len(writers)))
    after += parallel.map(lambda n: quality(base, data, n, f"écoute {n}", f"q{n}"), range(len(writers)))
    assert [status for status, _b, _h in after] == [200] * len(after)
    parallel.shutdown()

    db = cluster.url("ve_fault")
    per_voter = sql(
        db, "SELECT participant_id, SUM(points), COUNT(*) FROM workshops_vote GROUP BY participant_id"
    )
    assert sorted((total, count) for _p, total, count in per_voter) == [(3, 3)] * len(voters)
    texts = sorted(text for (text,) in sql(db, "SELECT text FROM workshops_quality"))
    assert texts == sorted(
        f"{word} {n}" for word in ("écoute", "respect", "dialogue") for n in range(len(writers))
    )
