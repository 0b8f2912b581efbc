"""Simultaneous votes from one participant (two devices, double taps, retries) on PostgreSQL:
the points budget always holds and a retried request counts once."""

import threading

import pytest
from django.db import connection, connections

from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) under real concurrency need PostgreSQL; "
        "SQLite serialises every write anyway",
    ),
]


def run_together(calls):
    """Start every call at the same instant, each in its own thread (own DB connection)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except services.LiveError as refusal:
            outcomes[index] = refusal.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def voting(concertation):
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop, texts=[f"Qualité {n}" for n in range(8)])
    services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    attendance = services.attendance_join(workshop=workshop, participant=people[0])
    return attendance, items


def test_simultaneous_votes_from_two_devices_never_exceed_the_budget(voting):
    attendance, items = voting
    # Budget 5, at most 3 per item: eight devices/taps each ask for 2 points on a different item.
    calls = [
        (
            lambda item=item, n=n: services.vote_cast(
                place=attendance.token, item_id=item.pk, points=2, key=f"dev-{n}"
            )
        )
        for n, item in enumerate(items)
    ]
    outcomes = run_together(calls)
    total = sum(Vote.objects.filter(participant=attendance.participant).values_list("points", flat=True))
    assert total == 4  # two requests fit (2 + 2); a third would make 6 > 5
    assert outcomes.count("ok") == 2
    assert all("réparti tous vos points" in o for o in outcomes if o != "ok")


def test_a_retried_request_counts_once_even_when_the_copies_arrive_together(voting):
    attendance, items = voting
    services.vote_cast(place=attendance.token, item_id=items[1].pk, points=1, key="earlier")
    # The same « + » tap sent six times at once (double tap, retries after lost Wi-Fi) ...
    outcomes = run_together(
        [lambda: services.vote_cast(place=attendance.token, item_id=items[0].pk, points=3, key="tap-1")] * 6
    )
    assert outcomes == ["ok"] * 6
    assert Vote.objects.get(ballot_item=items[0]).points == 3
    # ... and a late copy arriving after the participant changed their mind does not undo it.
    services.vote_cast(place=attendance.token, item_id=items[0].pk, points=1, key="tap-2")
    run_together(
        [lambda: services.vote_cast(place=attendance.token, item_id=items[0].pk, points=3, key="tap-1")] * 3
    )
    assert Vote.objects.get(ballot_item=items[0]).points == 1
    assert sum(Vote.objects.values_list("points", flat=True)) == 2
