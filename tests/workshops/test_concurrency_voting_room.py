"""A whole mixed workshop voting at once over HTTP, on PostgreSQL: 60 devices in 60 threads (three
tablets per participant, all tapping at the same instant), then the same request sent three times
at once by every participant (a retry after lost Wi-Fi). Budgets hold, the totals are exact, a
retried request counts once, and every refusal is a clear French message."""

import threading

import pytest
from django.core import signing
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from tests.workshops import live_data
from workshops import services
from workshops.live_views import COOKIE, COOKIE_SALT
from workshops.models import Activity, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL's row locks; SQLite serialises every write anyway",
    ),
]

PEOPLE = 20
DEVICES = 3
HTMX = {"HX-Request": "true"}


def device(attendance) -> Client:
    client = Client()
    client.cookies[COOKIE] = signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT).sign(attendance.token)
    return client


def all_at_once(requests) -> list:
    """Each (client, url, data) posted from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(index, client, url, data):
        try:
            barrier.wait(timeout=30)
            answers[index] = client.post(url, data, headers=HTMX)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers), "a request did not come back within 60 s"
    return answers


@pytest.fixture
def room(concertation):
    half = PEOPLE // 2
    people = live_data.mixed_people(
        concertation, agents=[f"Agent {n}" for n in range(half)], users=[f"Usager {n}" for n in range(half)]
    )
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop, texts=[f"Qualité {n}" for n in range(DEVICES + 1)])
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    attendances = [services.attendance_join(workshop=workshop, participant=p) for p in people]
    return sequence, items, attendances


def test_a_room_voting_at_once_keeps_every_budget_and_exact_totals(room):
    sequence, items, attendances = room
    assert (sequence.points_per_participant, sequence.max_points_per_item) == (5, 3)
    url = f"/atelier/sequences/{sequence.pk}/vote/"

    # Every participant's three tablets each put 2 points on a different item at the same instant:
    # two fit in the budget of 5 (2 + 2), the third (6) is refused, whichever arrives last.
    requests = [
        (device(attendance), url, {"item": items[d].pk, "points": 2, "key": f"p{attendance.pk}-d{d}"})
        for attendance in attendances
        for d in range(DEVICES)
    ]
    answers = all_at_once(requests)
    statuses = [answer.status_code for answer in answers]
    assert sorted(set(statuses)) == [200, 409]
    for n, attendance in enumerate(attendances):
        mine = statuses[n * DEVICES : (n + 1) * DEVICES]
        assert sorted(mine) == [200, 200, 409], attendance.participant
    refusals = {a.content.decode() for a in answers if a.status_code == 409}
    assert all("Vous avez déjà réparti tous vos points" in text.replace("&#x27;", "'") for text in refusals)

    # The last point of each participant, sent three times at once (double tap + retry): once.
    retries = [
        (device(attendance), url, {"item": items[DEVICES].pk, "points": 1, "key": f"last-{attendance.pk}"})
        for attendance in attendances
        for _copy in range(3)
    ]
    assert [a.status_code for a in all_at_once(retries)] == [200] * len(retries)

    accepted = {}
    for (_client, _url, data), status in zip(requests, statuses, strict=True):
        if status == 200:
            accepted[data["item"]] = accepted.get(data["item"], 0) + data["points"]
    accepted[items[DEVICES].pk] = PEOPLE
    totals = dict(Vote.objects.values_list("ballot_item").annotate(total=Sum("points")))
    assert totals == accepted
    per_person = Vote.objects.values("participant").annotate(total=Sum("points"))
    assert sorted(row["total"] for row in per_person) == [5] * PEOPLE
    assert sum(totals.values()) == PEOPLE * sequence.points_per_participant
