"""precompiled.transaction on PostgreSQL, as requests run it (autocommit, no test transaction
around): BEGIN rides with the first batch and COMMIT with the last, so a vote is two round trips;
whatever goes wrong in between is rolled back, and no transaction outlives its request."""

import logging

import psycopg
import pytest
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg import pq

from tests.workshops import live_data
from workshops import precompiled, services
from workshops.models import Activity, Attendance, Concertation, Submission, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="BEGIN and COMMIT ride with PostgreSQL batches"
    ),
]
HTMX = {"HX-Request": "true"}
TABLE = Concertation._meta.db_table


def retitle(concertation: Concertation, title: str) -> tuple[str, list]:
    return f'UPDATE "{TABLE}" SET title = %s WHERE id = %s', [title, concertation.pk]


def committed_title(concertation: Concertation) -> str:
    return committed(f'SELECT title FROM "{TABLE}" WHERE id = %s', [concertation.pk])[0][0]


def committed(sql: str, params: list) -> list[tuple]:
    """What another connection sees: only committed rows."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None, autocommit=True,
    ) as other:
        return other.execute(sql, params).fetchall()


def server_status() -> str:
    return pq.TransactionStatus(connection.connection.pgconn.transaction_status).name


@pytest.fixture
def ballot(concertation):
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop, texts=["Respect", "Écoute", "Dialogue"])
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    return workshop, people, items, sequence


@pytest.fixture
def voter(client, ballot):
    workshop, people, items, sequence = ballot
    assert client.post(f"/rejoindre/{workshop.join_code}/", {"participant": people[0].pk}).status_code == 302
    return Attendance.objects.get(workshop=workshop, participant=people[0])


def test_a_vote_is_two_round_trips_that_open_and_commit_the_transaction(client, ballot, voter):
    _workshop, _people, items, sequence = ballot
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    client.post(url, {"item": items[1].pk, "points": 1, "key": "first"}, headers=HTMX)  # statements compiled
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"item": items[0].pk, "points": 2, "key": "tap"}, headers=HTMX)
    assert response.status_code == 200
    assert "Il vous reste 2 points sur 5." in response.content.decode()
    sent = [query["sql"] for query in queries.captured_queries]
    assert len(sent) == 2
    assert sent[0].startswith("BEGIN; ") and "COMMIT" not in sent[0]
    assert sent[1].endswith("; COMMIT") and "BEGIN" not in sent[1]
    assert committed("SELECT points FROM workshops_vote WHERE ballot_item_id = %s", [items[0].pk]) == [(2,)]
    assert server_status() == "IDLE"


def test_a_double_tap_commits_in_a_round_trip_of_its_own_and_counts_once(client, ballot, voter):
    _workshop, _people, items, sequence = ballot
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    client.post(url, {"item": items[0].pk, "points": 1, "key": "same"}, headers=HTMX)
    with CaptureQueriesContext(connection) as queries:
        again = client.post(url, {"item": items[0].pk, "points": 1, "key": "same"}, headers=HTMX)
    assert again.status_code == 200
    assert [query["sql"] for query in queries.captured_queries][1:] == ["COMMIT"]
    assert Vote.objects.get(ballot_item=items[0]).points == 1
    assert server_status() == "IDLE"


def test_a_refused_vote_rolls_its_key_back_and_leaves_the_connection_idle(client, ballot, voter):
    _workshop, _people, items, sequence = ballot
    url = f"/atelier/sequences/{sequence.pk}/vote/"
    client.post(url, {"item": items[0].pk, "points": 3, "key": "first"}, headers=HTMX)
    client.post(url, {"item": items[1].pk, "points": 2, "key": "second"}, headers=HTMX)
    refused = client.post(url, {"item": items[2].pk, "points": 1, "key": "over"}, headers=HTMX)
    assert refused.status_code == 409
    assert "Vous avez déjà réparti tous vos points" in refused.content.decode()
    assert server_status() == "IDLE"
    assert not Submission.objects.filter(key="over").exists()  # the same tap may be sent again
    votes = committed("SELECT count(*) FROM workshops_vote WHERE participant_id = %s", [voter.participant_id])
    assert votes == [(2,)]
    # The connection goes on: the next vote is accepted, in its two round trips.
    client.post(url, {"item": items[1].pk, "points": 1, "key": "change"}, headers=HTMX)
    again = client.post(url, {"item": items[2].pk, "points": 1, "key": "over"}, headers=HTMX)
    assert again.status_code == 200


def test_an_error_between_the_batches_rolls_back_what_the_first_one_wrote(concertation):
    with pytest.raises(RuntimeError), precompiled.transaction() as unit:
        unit.batch(retitle(concertation, "jamais écrit"))
        assert server_status() == "INTRANS"
        raise RuntimeError
    assert server_status() == "IDLE"
    assert committed_title(concertation) == concertation.title


def test_a_failed_statement_rolls_everything_back_and_the_next_transaction_works(concertation):
    with pytest.raises(Exception, match="division by zero"), precompiled.transaction() as unit:
        unit.batch(retitle(concertation, "jamais écrit"))
        unit.batch(("SELECT 1 / %s", [0]), last=True)
    assert server_status() == "IDLE"
    with precompiled.transaction() as unit:
        (rows,) = unit.batch((f'SELECT title FROM "{TABLE}" WHERE id = %s', [concertation.pk]), last=True)
    assert rows == [(concertation.title,)]


def test_leaving_without_a_last_batch_commits(concertation):
    with precompiled.transaction() as unit:
        unit.batch(retitle(concertation, "écrit"))
    assert server_status() == "IDLE"
    assert committed_title(concertation) == "écrit"


def test_inside_someone_elses_transaction_it_is_a_savepoint_and_sends_no_begin(concertation):
    with transaction.atomic():
        Concertation.objects.filter(pk=concertation.pk).exists()
        with CaptureQueriesContext(connection) as queries, precompiled.transaction() as unit:
            unit.batch(retitle(concertation, "dedans"), last=True)
        assert not any("BEGIN" in q["sql"] or "COMMIT" in q["sql"] for q in queries.captured_queries)
        assert committed_title(concertation) == concertation.title
    assert committed_title(concertation) == "dedans"


def test_a_transaction_left_open_never_outlives_the_request(concertation, caplog):
    connection.batch([retitle(concertation, "oublié")], begin=True)
    assert server_status() == "INTRANS"
    with caplog.at_level(logging.ERROR, logger="vivreensemble.postgres.base"):
        close_old_connections()  # what Django runs as each request starts and ends
    assert server_status() == "IDLE"
    assert "left open" in caplog.text
    assert committed_title(concertation) == concertation.title
