"""In-process measurements for the benchmark report, against the benchmark's own database:
SQL queries per request (django.test.utils.CaptureQueriesContext around the Django test client,
same settings as the served app), at two data sizes, and the warm poster PDF render time and
peak memory. Run by tests/perf/bench.py: ``python -m tests.perf.probe SEED.json OUT.json``.
"""

import io
import itertools
import json
import os
import re
import resource
import secrets
import statistics
import sys
import time
import tracemalloc
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vivreensemble.settings")
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.client import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from posters.models import PosterVersion  # noqa: E402
from posters.services import render_poster_pdf  # noqa: E402
from workshops import room_state  # noqa: E402

HTMX = {"HX-Request": "true"}
RENDERS = 5


def client_for(place: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["ve_place"] = place
    return client


def counted(call) -> dict:
    """Round trips (captured queries) and the statements they carry: a batch
    (workshops.precompiled.batch) sends several in one round trip, each as EXECUTE of a statement
    prepared on the connection, shown here as the SQL it runs."""
    with CaptureQueriesContext(connection) as queries:
        response = call()
    statements = [[_readable(part) for part in _parts(q["sql"])] for q in queries.captured_queries]
    return {
        "status": response.status_code,
        "queries": len(queries),
        "statements_per_query": [
            sum(part not in TRANSACTION_CONTROL for part in parts) for parts in statements
        ],
        "sql": [" ; ".join(part[:160] for part in parts) for parts in statements],
    }


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


def _parts(sql: str) -> list[str]:
    """The statements of one round trip: a batch's one by one (BEGIN and COMMIT may ride with
    it), its PREPAREs apart (they only name a statement)."""
    if not sql.startswith(("EXECUTE ", "PREPARE ", "BEGIN; ")):
        return [sql]
    return [part for part in sql.split("; ") if not part.startswith("PREPARE ")]


def _readable(part: str) -> str:
    if not part.startswith("EXECUTE ") or connection.vendor != "postgresql":
        return part
    name = part.removeprefix("EXECUTE ").split("(", 1)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        row = cursor.fetchone()
    if row is None:
        return part
    # The statement column holds the whole query that prepared it: keep this PREPARE's body.
    body = row[0].split(f"PREPARE {name} AS ", 1)[1]
    return re.split(r"; (?:PREPARE|EXECUTE) ", body, maxsplit=1)[0]


def tablet_requests(workshop: dict) -> dict:
    """Every tablet request of one workshop, on a device that has not acted yet."""
    client = client_for(workshop["cookies"][-1])
    sequence = workshop["sequence"]
    shown = client.get("/atelier/").content.decode()
    shown = shown.split('name="shown" value="', 1)[1].split('"', 1)[0]
    first = counted(lambda: client.get("/atelier/etat/", {"shown": shown}, headers=HTMX))
    etag = client.get("/atelier/etat/", {"shown": shown}, headers=HTMX)["ETag"]
    unchanged = {**HTMX, "If-None-Match": etag}
    room_state.forget(workshop["workshop"])  # as in a process that has not read this room lately
    result = {
        "poll (changed, 200)": first,
        "poll (unchanged, 304)": counted(
            lambda: client.get("/atelier/etat/", {"shown": shown}, headers=unchanged)
        ),
        "poll (unchanged, 304, room read < 0.5 s ago)": counted(
            lambda: client.get("/atelier/etat/", {"shown": shown}, headers=unchanged)
        ),
        "activity": counted(lambda: client.get("/atelier/activite/", headers=HTMX)),
    }
    if workshop["kind"] == "vote":
        item = workshop["items"][0]
        url = f"/atelier/sequences/{sequence}/vote/"
        # Another device votes first: the statements a vote sends are compiled once per process,
        # and this process's first vote would count that once-only work.
        client_for(workshop["cookies"][-2]).post(
            url, {"item": workshop["items"][-1], "points": 0, "key": secrets.token_urlsafe(12)}, headers=HTMX
        )
        for label, points in (("vote (+1)", 1), ("vote (change)", 2)):
            result[label] = counted(
                lambda points=points: client.post(
                    url, {"item": item, "points": points, "key": secrets.token_urlsafe(12)}, headers=HTMX
                )
            )
    else:
        url = f"/atelier/sequences/{sequence}/qualites/"
        result["quality"] = counted(
            lambda: client.post(url, {"text": "écoute", "key": secrets.token_urlsafe(12)}, headers=HTMX)
        )
    return result


def _environ(method: str, path: str, *, query: str = "", body: bytes = b"", **headers) -> dict:
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD=method, QUERY_STRING=query, SERVER_NAME="127.0.0.1",
        HTTP_HOST="127.0.0.1", CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)), **headers,
    )
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


def cpu_costs(seed: dict) -> dict:
    """CPU time per request through Django's WSGI handler, called directly in this process (no
    network, no load generator): what each request costs the app server whatever else runs on the
    machine. The ratio to the trivial view bounds the throughput ratio of a CPU-bound server."""
    app = WSGIHandler()

    def call(environ_factory) -> tuple[str, dict]:
        answer = []

        def start_response(status, headers, *rest):
            answer.append((status, dict(headers)))

        b"".join(app(environ_factory(), start_response))
        return answer[0]

    room = next(w for w in seed["live"] if w["kind"] == "vote")
    place = f"ve_place={room['cookies'][-1]}; csrftoken={seed['csrf']}"
    shown = f"shown={room['sequence']}-"
    _status, headers = call(
        lambda: _environ("GET", "/atelier/etat/", query=shown, HTTP_COOKIE=place, HTTP_HX_REQUEST="true")
    )
    etag = headers["ETag"]
    points = itertools.cycle([1, 0])

    def vote() -> dict:
        body = urlencode({
            "csrfmiddlewaretoken": seed["csrf"], "item": room["items"][-1], "points": next(points),
            "key": secrets.token_urlsafe(12),
        }).encode()
        return _environ("POST", f"/atelier/sequences/{room['sequence']}/vote/", body=body,
                        HTTP_COOKIE=place, HTTP_HX_REQUEST="true")

    def poll(*, remembered: bool) -> dict:
        if not remembered:
            room_state.forget(room["workshop"])  # the room's state is read from the database
        return _environ("GET", "/atelier/etat/", query=shown, HTTP_COOKIE=place, HTTP_HX_REQUEST="true",
                        HTTP_IF_NONE_MATCH=etag)

    requests = {
        "health": (lambda: _environ("GET", "/sante/"), 400),
        "poll (unchanged, 304)": (lambda: poll(remembered=False), 400),
        "poll (unchanged, 304, room read < 0.5 s ago)": (lambda: poll(remembered=True), 400),
        "vote": (vote, 100),
    }
    busy = seed["probes"]["busy_peer"]
    console = f"sessionid={busy['session']}"
    requests["console refresh (150 qualities)"] = (
        lambda: _environ("GET", f"/ateliers/{busy['workshop']}/console/direct/", HTTP_COOKIE=console,
                         HTTP_HX_REQUEST="true"),
        10,
    )
    requests["projector refresh (150 qualities)"] = (
        lambda: _environ("GET", f"/projection/{busy['screen']}/tableau/", HTTP_HX_REQUEST="true"),
        20,
    )
    result = {"room": f"{len(room['items'])} ballot items, {len(room['cookies'])} tablets"}
    for name, (factory, count) in requests.items():
        statuses = {call(factory)[0] for _ in range(min(count, 20))}
        started = time.process_time()
        for _ in range(count):
            statuses.add(call(factory)[0])
        result[name] = {
            "cpu_ms": round((time.process_time() - started) / count * 1000, 2),
            "requests": count,
            "statuses": sorted(statuses),
        }
    return result


def poster() -> dict:
    version = (
        PosterVersion.objects.filter(status=PosterVersion.Status.VALIDATED)
        .select_related("poster__concertation")
        .first()
    )
    if version is None:
        return {"error": "no validated poster in the data"}
    result = {"poster": str(version.poster.concertation)}
    for paper in ("A4", "A3"):
        render_poster_pdf(version, paper=paper)  # warm-up: fonts, templates, stylesheets
        times = []
        for _ in range(RENDERS):
            start = time.perf_counter()
            pdf = render_poster_pdf(version, paper=paper)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        render_poster_pdf(version, paper=paper)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[paper] = {
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "renders": RENDERS,
            "pdf_bytes": len(pdf),
            "python_peak_mib": round(peak / 2**20, 1),
        }
    result["process_max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def main(seed_path: str, out_path: str) -> None:
    with open(seed_path, encoding="utf-8") as seed_file:
        seed = json.load(seed_file)
    probes = seed["probes"]
    health = Client(HTTP_HOST="127.0.0.1")
    report = {
        "method": "in-process, django.test.Client + CaptureQueriesContext, same settings and database",
        "health": counted(lambda: health.get("/sante/")),
        "sizes": {
            "vote, small": "6 people, 3 items, no votes yet",
            "vote, big": "300 people, 60 items, 1,450 votes already cast",
            "qualities, small": "25 people, no qualities yet",
            "qualities, big": "25 people, 2,000 qualities already in the sequence",
        },
        "requests": {
            "vote, small": tablet_requests(probes["small_vote"]),
            "vote, big": tablet_requests(probes["big_vote"]),
            "qualities, small": tablet_requests(probes["small_peer"]),
            "qualities, big": tablet_requests(probes["big_peer"]),
        },
        "cpu": cpu_costs(seed),
        "poster_render": poster(),
    }
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(report, out, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
