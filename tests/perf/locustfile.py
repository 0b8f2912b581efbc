"""Simulated devices in a session for ``make bench`` (driven by tests/perf/bench.py, one locust
run per stage; the saturation stages use wrk, tests/perf/wrk/saturation.lua).

bench.py names the classes of each stage on locust's command line. Each Tablet loads its page,
then polls every 2 s as htmx does (``hx-trigger="every 2s"``, ``If-None-Match`` from
``hx-headers``, ``shown`` from ``hx-include``), fetches its activity when the poll says the
screen changed, and votes or adds qualities in bursts. One Facilitator per live workshop polls
the console (logged in) and the projection (by the room's screen address, as the room's computer
does) every 2 s and makes a gesture (switches the pole, reveals or hides results) about every
40 s, which sends every tablet of that workshop a new screen.

Devices hold pre-signed place cookies from tests/perf/seed.py (BENCH_DATA), so no join is timed.
"""

import itertools
import json
import os
import random
import re
import secrets
import time

import gevent
from locust import FastHttpUser, events, task

with open(os.environ["BENCH_DATA"], encoding="utf-8") as _data:
    DATA = json.load(_data)
TABLETS = int(os.environ.get("BENCH_TABLETS", "100"))
PER_WORKSHOP = len(DATA["live"][0]["cookies"])
CSRF = DATA["csrf"]
SHOWN = re.compile(r'id="activity-key" name="shown" value="([^"]*)"')
HTMX = {"HX-Request": "true"}
PERIOD = 2  # seconds between two polls of a tablet (hx-trigger="every 2s"), or of a console

SETTLE = float(os.environ.get("BENCH_SETTLE", "0"))
_environment = {}


@events.init.add_listener
def _keep_environment(environment, **_kwargs) -> None:
    _environment["stats"] = environment.stats


@events.spawning_complete.add_listener
def _measure_after_settling(**_kwargs) -> None:
    """Statistics restart SETTLE seconds after the last device started (bench.py adds them to the
    run time): the ramp's page loads drain first, and the steady session is what is measured."""
    if SETTLE and "stats" in _environment:
        gevent.spawn_later(SETTLE, _environment["stats"].reset_all)


_tablet_numbers = itertools.count()
_facilitator_numbers = itertools.count()


def _key() -> str:
    """A fresh idempotency key per tap, as the tablet's form carries."""
    return secrets.token_urlsafe(12)


def _cookie(place: str) -> str:
    return f"ve_place={place}; csrftoken={CSRF}"


class Device(FastHttpUser):
    abstract = True
    # The generator and the server share the machine: be patient rather than count timeouts.
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        """Each device beats at its own moment within the period, as tablets whose pages loaded at
        scattered moments do. locust starts a whole second's worth of users at once (``spawn_rate``
        per dispatch), and its ``constant_pacing`` keeps them in step with that start (it counts
        from the creation of the user's task set, before ``on_start``): every second's batch
        would then send its requests in the same instant, for the whole stage."""
        gevent.sleep(random.uniform(0, PERIOD))
        self.next_beat = time.monotonic()
        self.client.client.cookiejar = None  # explicit Cookie headers, exactly what a device holds

    def wait_time(self) -> float:
        """One beat every PERIOD seconds from this device's own first beat (htmx's ``every 2s``)."""
        self.next_beat += PERIOD
        return max(0.0, self.next_beat - time.monotonic())

    def _headers(self, extra: dict | None = None) -> dict:
        return {"Cookie": self.cookie, **HTMX, **(extra or {})}

    def _vote(self, sequence: int, item: int, points: int) -> bool:
        with self.client.post(
            f"/atelier/sequences/{sequence}/vote/",
            data={"csrfmiddlewaretoken": CSRF, "item": item, "points": points, "key": _key()},
            headers=self._headers(),
            name="vote",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"vote answered {response.status_code}")
                return False
            return True


class Tablet(Device):
    """One participant's tablet in a live workshop (qualities or vote)."""

    def on_start(self) -> None:
        super().on_start()
        n = next(_tablet_numbers)
        self.workshop = DATA["live"][(n // PER_WORKSHOP) % len(DATA["live"])]
        self.cookie = _cookie(self.workshop["cookies"][n % PER_WORKSHOP])
        self.etag = ""
        self.points: dict[int, int] = {}
        self.burst: list = []
        self.rng = random.Random(n)
        self.next_burst = self.rng.randint(2, 15)  # polls before the first burst
        page = self.client.get("/atelier/", headers={"Cookie": self.cookie}, name="tablet page")
        self._read_shown(page.text or "")
        if self.workshop["kind"] == "vote":
            self._read_points(page.text or "")

    def _read_shown(self, html: str) -> None:
        found = SHOWN.search(html)
        self.shown = found.group(1) if found else ""

    def _read_points(self, html: str) -> None:
        """The points already on each item, as the ballot shows them (the tablet may be reused)."""
        self.points = {}
        for item, points in re.findall(
            r'name="item" value="(\d+)">.*?name="points" value="(-?\d+)"', html, re.S
        ):
            self.points.setdefault(int(item), int(points) + 1)

    def _poll(self) -> None:
        extra = {"If-None-Match": self.etag} if self.etag else {}
        with self.client.get(
            "/atelier/etat/", params={"shown": self.shown}, headers=self._headers(extra), name="poll",
            catch_response=True,
        ) as response:
            if response.status_code == 304:
                response.success()
                return
            if response.status_code != 200 or 'id="live-status"' not in (response.text or ""):
                response.failure(f"poll answered {response.status_code}")
                return
            self.etag = response.headers.get("ETag", "")
            if 'hx-get="/atelier/activite/"' in response.text:
                activity = self.client.get("/atelier/activite/", headers=self._headers(), name="activity")
                self._read_shown(activity.text or "")
                self.burst = []

    def _plan_burst(self) -> None:
        """What a participant does in one go: spread their points, or add a few words."""
        if self.workshop["kind"] == "vote":
            items = self.workshop["items"]
            budget, cap = self.workshop["budget"], self.workshop["max_per_item"]
            plan, points = [], dict(self.points)
            if sum(points.values()) >= budget:  # change of mind: move one point
                taken = self.rng.choice([i for i, p in points.items() if p])
                points[taken] -= 1
                plan.append(("vote", taken, points[taken]))
            while sum(points.values()) < budget:
                item = self.rng.choice(items)
                if points.get(item, 0) < cap:
                    points[item] = points.get(item, 0) + 1
                    plan.append(("vote", item, points[item]))
            self.burst = plan
        else:
            self.burst = [("quality", None, None)] * self.rng.randint(1, 3)
        self.next_burst = self.rng.randint(10, 25)

    def _act(self) -> None:
        action, item, points = self.burst.pop(0)
        if action == "vote":
            if self._vote(self.workshop["sequence"], item, points):
                self.points[item] = points
            return
        with self.client.post(
            f"/atelier/sequences/{self.workshop['sequence']}/qualites/",
            data={"csrfmiddlewaretoken": CSRF, "text": self.rng.choice(WORDS), "key": _key()},
            headers=self._headers(),
            name="quality",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"quality answered {response.status_code}")

    @task
    def tick(self) -> None:
        """One 2-second beat: the poll, plus up to two taps while a burst is under way."""
        self._poll()
        self.next_burst -= 1
        if not self.burst and self.next_burst <= 0:
            self._plan_burst()
        for _ in range(2):
            if self.burst:
                self._act()


class Facilitator(Device):
    """The console and the projection of one live workshop, and the facilitator's gestures."""

    fixed_count = max(1, TABLETS // PER_WORKSHOP)

    def on_start(self) -> None:
        super().on_start()
        n = next(_facilitator_numbers)
        self.workshop = DATA["live"][n % len(DATA["live"])]
        self.cookie = f"sessionid={self.workshop['session']}; csrftoken={CSRF}"
        self.etags = {"board": "", "console": ""}
        self.rng = random.Random(1000 + n)
        self.next_gesture = self.rng.randint(10, 25)
        self.toggle = itertools.cycle(
            [("pole", "chaotic"), ("pole", "ideal")] if self.workshop["kind"] == "qualities"
            else [("reveal", ""), ("hide", "")]
        )

    def _conditional(self, name: str, url: str, *, logged_in: bool = True) -> None:
        extra = {"If-None-Match": self.etags[name]} if self.etags[name] else {}
        headers = self._headers(extra) if logged_in else {**HTMX, **extra}
        with self.client.get(url, headers=headers, name=name, catch_response=True) as response:
            if response.status_code in (200, 304):
                # A 304 may carry a newer ETag (nothing shown changed): static/js/live.js keeps it.
                self.etags[name] = response.headers.get("ETag", "") or self.etags[name]
                response.success()
            else:
                response.failure(f"{name} answered {response.status_code}")

    @task
    def tick(self) -> None:
        pk = self.workshop["workshop"]
        # The projection runs on the room's computer, by its own address (no login there).
        self._conditional("board", f"/projection/{self.workshop['screen']}/tableau/", logged_in=False)
        self._conditional("console", f"/ateliers/{pk}/console/direct/")
        self.next_gesture -= 1
        if self.next_gesture <= 0:
            action, pole = next(self.toggle)
            self.client.post(
                f"/ateliers/{pk}/console/sequences/{self.workshop['sequence']}/",
                data={"csrfmiddlewaretoken": CSRF, "action": action, "pole": pole},
                headers={"Cookie": self.cookie},
                name="gesture (then console page)",
            )
            self.next_gesture = self.rng.randint(15, 25)


WORDS = [
    "respect", "écoute", "dialogue", "accueil", "patience", "sourire", "clarté", "bienveillance",
    "attente", "politesse", "disponibilité", "simplicité", "confiance", "<b>gras</b> & « guillemets »",
]
