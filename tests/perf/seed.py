"""Benchmark data: many concertations, 40 workshops live at once (25 tablets each), their history,
and what the simulated devices need (signed place cookies, facilitator sessions), written as JSON.

Live rows are written through the services (as tablets and consoles would); the history of past
concertations is bulk-inserted with valid values, only to give the tables a realistic size.
Run by tests/perf/bench.py against its own database: ``python -m tests.perf.seed OUT.json``.
"""

import json
import os
import random
import secrets
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vivreensemble.settings")
django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from panels.models import Participant  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from workshops import services  # noqa: E402
from workshops.live_views import COOKIE, COOKIE_SALT  # noqa: E402
from workshops.models import (  # noqa: E402
    Activity,
    BallotItem,
    Concertation,
    Position,
    Proposal,
    Quality,
    Service,
    Vote,
    Workshop,
)
from workshops.roles import FACILITATORS  # noqa: E402

LIVE_WORKSHOPS = 40
TABLETS_PER_WORKSHOP = 25
PAST_CONCERTATIONS = 60
BALLOT_ITEMS = 12
SATURATION_VOTERS = 64
BIG_PEOPLE = 300
BIG_ITEMS = 60
BUSY_QUALITIES = 150
WORDS = [
    "respect", "écoute", "dialogue", "accueil de qualité", "patience", "sourire", "clarté",
    "bienveillance", "attente interminable", "mépris", "guichet fermé", "incompréhension",
    "politesse", "disponibilité", "simplicité", "confiance",
]
rng = random.Random(20261121)


def place_cookie(token: str) -> str:
    """The value Django's set_signed_cookie would give this device (same key, salt and signer)."""
    return signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT).sign(token)


def csrf_secret() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def concertation(n: int, facilitator, label: str) -> Concertation:
    service = Service.objects.create(name=f"Service {label} n°{n}")
    return services.concertation_create(
        title=f"Démarche {label} n°{n}",
        scope=Concertation.Scope.THEMATIC,
        services=[service],
        method=services.default_method(),
        facilitators=[facilitator],
    )


def people(panel, count: int, *, mixed: bool = False, prefix: str = "P") -> list[Participant]:
    return Participant.objects.bulk_create(
        [
            Participant(
                home_panel=panel,
                display_name=f"{prefix} {i}",
                sex=rng.choice("fm"),
                age_band=rng.choice(["25-39", "40-54", "55-64"]),
                mixed_volunteer=mixed,
                in_mixed_panel=mixed,
            )
            for i in range(count)
        ]
    )


def mixed_people(conc: Concertation, count: int) -> list[Participant]:
    agents = conc.panels.get(kind="agents")
    users = conc.panels.get(kind="users")
    half = count // 2
    return people(agents, count - half, mixed=True, prefix="Agent") + people(
        users, half, mixed=True, prefix="Usager"
    )


def ballot(workshop: Workshop, count: int) -> tuple:
    sequence = workshop.sequences.get(activity=Activity.VOTE_QUALITIES)
    items = BallotItem.objects.bulk_create(
        [BallotItem(sequence=sequence, order=i, text=f"{rng.choice(WORDS)} ({i})") for i in range(count)]
    )
    return sequence, items


def tablets_for(workshop: Workshop, participants) -> list[str]:
    return [
        place_cookie(services.attendance_join(workshop=workshop, participant=p).token) for p in participants
    ]


def live_peer(n: int, facilitator) -> dict:
    """An agents workshop in its qualities sequence: tablets add words."""
    conc = concertation(n, facilitator, "pairs")
    workshop = conc.workshops.get(order=1)
    team = people(conc.panels.get(kind="agents"), TABLETS_PER_WORKSHOP, prefix="Agent")
    cookies = tablets_for(workshop, team)
    sequence = services.sequence_open(sequence=workshop.sequences.get(activity=Activity.QUALITIES))
    return {
        "workshop": workshop.pk, "kind": "qualities", "sequence": sequence.pk, "cookies": cookies,
        "screen": workshop.screen_token,
    }


def live_mixed(n: int, facilitator, size: int = TABLETS_PER_WORKSHOP, items: int = BALLOT_ITEMS) -> dict:
    """A mixed workshop voting on qualities: 5 points each, at most 3 per item."""
    conc = concertation(n, facilitator, "mixte")
    workshop = conc.workshops.get(order=3)
    team = mixed_people(conc, size)
    sequence, ballot_items = ballot(workshop, items)
    cookies = tablets_for(workshop, team)
    services.sequence_open(sequence=sequence)
    return {
        "workshop": workshop.pk,
        "screen": workshop.screen_token,
        "kind": "vote",
        "sequence": sequence.pk,
        "items": [item.pk for item in ballot_items],
        "budget": sequence.points_per_participant,
        "max_per_item": sequence.max_points_per_item,
        "cookies": cookies,
    }


def past(n: int, facilitator) -> None:
    """A finished concertation with its contributions and votes (bulk, valid values)."""
    conc = concertation(n, facilitator, "passée")
    for workshop in conc.workshops.select_related("panel"):
        workshop.status = Workshop.Status.DONE
        workshop.save(update_fields=["status"])
    rows_q, rows_p, rows_pos = [], [], []
    for order in (1, 2):
        workshop = conc.workshops.get(order=order)
        team = people(workshop.panel, 20)
        by_activity = {s.activity: s for s in workshop.sequences.all()}
        for person in team:
            for _ in range(4):
                text = rng.choice(WORDS)
                rows_q.append(
                    Quality(
                        sequence=by_activity[Activity.QUALITIES], participant=person,
                        pole=rng.choice(["ideal", "chaotic"]), text=text, original_text=text,
                    )
                )
            text = f"Proposition de {person.display_name} : {rng.choice(WORDS)}"
            rows_p.append(
                Proposal(
                    sequence=by_activity[Activity.PROPOSALS], participant=person,
                    carried_by=rng.choice(["agents", "users", "both"]), text=text, original_text=text,
                )
            )
            rows_pos.append(
                Position(
                    sequence=by_activity[Activity.POSITIONING], participant=person, value=rng.randint(0, 10)
                )
            )
    Quality.objects.bulk_create(rows_q)
    Proposal.objects.bulk_create(rows_p)
    Position.objects.bulk_create(rows_pos)
    mixed = conc.workshops.get(order=3)
    voters = mixed_people(conc, 12)
    _sequence, items = ballot(mixed, BALLOT_ITEMS)
    Vote.objects.bulk_create(
        [Vote(ballot_item=item, participant=p, points=1) for p in voters for item in rng.sample(items, 5)]
    )


def facilitator_session(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@transaction.atomic
def seed() -> dict:
    call_command("load_demo", verbosity=0)
    facilitator = UserFactory(username="bench.animation")
    facilitator.groups.add(Group.objects.get(name=FACILITATORS))
    for n in range(PAST_CONCERTATIONS):
        past(n, facilitator)
    live = [
        live_peer(n, facilitator) if n % 2 == 0 else live_mixed(n, facilitator) for n in range(LIVE_WORKSHOPS)
    ]
    for workshop in live:
        workshop["session"] = facilitator_session(facilitator)
    saturation = live_mixed(LIVE_WORKSHOPS, facilitator, size=SATURATION_VOTERS)
    # Query-count probes: a small and a big workshop of each kind, the big one full of votes.
    small_vote = live_mixed(LIVE_WORKSHOPS + 1, facilitator, size=6, items=3)
    big_vote = live_mixed(LIVE_WORKSHOPS + 2, facilitator, size=BIG_PEOPLE, items=BIG_ITEMS)
    big_voters = Participant.objects.filter(attendances__workshop_id=big_vote["workshop"]).order_by(
        "attendances__pk"
    )[: BIG_PEOPLE - 10]  # the last devices have not voted yet: the probes vote with them
    items = list(BallotItem.objects.filter(pk__in=big_vote["items"]))
    Vote.objects.bulk_create(
        [Vote(ballot_item=item, participant=p, points=1) for p in big_voters for item in rng.sample(items, 5)]
    )
    small_peer = live_peer(LIVE_WORKSHOPS + 3, facilitator)
    big_peer = live_peer(LIVE_WORKSHOPS + 4, facilitator)
    big_sequence = big_peer["sequence"]
    Quality.objects.bulk_create(
        [
            Quality(sequence_id=big_sequence, pole="ideal", text=f"{rng.choice(WORDS)} {i}",
                    original_text=f"{rng.choice(WORDS)} {i}")
            for i in range(2000)
        ]
    )
    # The console of a room that has written 150 qualities (a busy but ordinary session).
    busy_peer = live_peer(LIVE_WORKSHOPS + 5, facilitator)
    writers = list(
        Participant.objects.filter(attendances__workshop_id=busy_peer["workshop"]).values_list(
            "pk", flat=True
        )
    )
    Quality.objects.bulk_create(
        [
            Quality(sequence_id=busy_peer["sequence"], participant_id=writers[i % len(writers)], pole="ideal",
                    text=f"{rng.choice(WORDS)} {i % 40}", original_text=f"{rng.choice(WORDS)} {i % 40}")
            for i in range(BUSY_QUALITIES)
        ]
    )
    busy_peer["session"] = facilitator_session(facilitator)
    return {
        "csrf": csrf_secret(),
        "live": live,
        "saturation": saturation,
        "probes": {
            "small_vote": small_vote, "big_vote": big_vote, "small_peer": small_peer, "big_peer": big_peer,
            "busy_peer": busy_peer,
        },
        "sizes": {
            "concertations": Concertation.objects.count(),
            "workshops_live": Workshop.objects.filter(status=Workshop.Status.LIVE).count(),
            "participants": Participant.objects.count(),
            "qualities": Quality.objects.count(),
            "proposals": Proposal.objects.count(),
            "votes": Vote.objects.count(),
        },
    }


def analyze() -> None:
    """Planner statistics, as a database in service has them (autovacuum gathers them within a
    minute of a bulk load, which would otherwise fall in the middle of the first stages)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    data = seed()
    analyze()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(data, out)
    print(json.dumps(data["sizes"]))
