"""A live workshop for the fault tests, written through the services into whatever database
DATABASE_URL names: a mixed workshop voting (6 tablets) and an agents workshop collecting
qualities (6 tablets). Prints the devices' signed place cookies as JSON.
Run as ``python -m tests.faults.live_data`` (the fault tests start it in a subprocess)."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vivreensemble.settings")
django.setup()

from django.core import signing  # noqa: E402

from panels.models import Participant  # noqa: E402
from workshops import services  # noqa: E402
from workshops.live_views import COOKIE, COOKIE_SALT  # noqa: E402
from workshops.models import Activity, BallotItem, Concertation, Service  # noqa: E402

TABLETS = 6


def place(attendance) -> str:
    return signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT).sign(attendance.token)


def main() -> dict:
    concertation = services.concertation_create(
        title="Démarche sous panne",
        scope=Concertation.Scope.THEMATIC,
        services=[Service.objects.create(name="Médiathèque")],
        method=services.default_method(),
    )
    agents_panel = concertation.panels.get(kind="agents")
    users_panel = concertation.panels.get(kind="users")
    agents = [
        Participant.objects.create(home_panel=agents_panel, display_name=f"Agent {n}", mixed_volunteer=True,
                                   in_mixed_panel=n % 2 == 0)
        for n in range(TABLETS)
    ]
    users = [
        Participant.objects.create(home_panel=users_panel, display_name=f"Usager {n}", mixed_volunteer=True,
                                   in_mixed_panel=True)
        for n in range(TABLETS // 2)
    ]
    peer = concertation.workshops.get(order=1)
    qualities = peer.sequences.get(activity=Activity.QUALITIES)
    peer_places = [place(services.attendance_join(workshop=peer, participant=p)) for p in agents]
    services.sequence_open(sequence=qualities)

    mixed = concertation.workshops.get(order=3)
    vote = mixed.sequences.get(activity=Activity.VOTE_QUALITIES)
    items = [BallotItem.objects.create(sequence=vote, order=n, text=f"Qualité {n}") for n in range(4)]
    voters = [p for p in agents if p.in_mixed_panel] + users
    vote_places = [place(services.attendance_join(workshop=mixed, participant=p)) for p in voters]
    services.sequence_open(sequence=vote)
    return {
        "qualities": {"sequence": qualities.pk, "places": peer_places},
        "vote": {
            "sequence": vote.pk,
            "items": [item.pk for item in items],
            "budget": vote.points_per_participant,
            "places": vote_places,
        },
    }


if __name__ == "__main__":
    print(json.dumps(main()))
