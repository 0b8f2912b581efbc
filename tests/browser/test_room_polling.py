"""The projector's 2-second refresh in Chromium: a vote it does not show (results hidden, the
voter already counted) is answered 304 with a newer ETag, and the page sends that one next."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.workshops import live_data
from workshops import services
from workshops.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "mot-de-passe-test"


def test_projector_adopts_the_etag_of_a_304_after_a_change_it_does_not_show(
    live_server, new_context, facilitator, concertation
):
    people = live_data.mixed_people(concertation)
    workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(workshop)
    services.sequence_open(sequence=live_data.sequence(workshop, Activity.VOTE_QUALITIES))
    voter = services.attendance_join(workshop=workshop, participant=people[0])
    services.vote_cast(place=voter.token, item_id=items[0].pk, points=1, key="first")

    projector = new_context(viewport={"width": 1600, "height": 900}).new_page()
    login(projector, live_server, facilitator.username, PASSWORD)
    exchanges = []
    projector.on(
        "response",
        lambda r: exchanges.append((r.request.headers.get("if-none-match"), r.status, r.headers.get("etag")))
        if "/projection/tableau/" in r.url
        else None,
    )
    projector.goto(f"{live_server.url}/ateliers/{workshop.pk}/projection/")
    expect(projector.get_by_text("1 personne a voté.")).to_be_visible()
    projector.wait_for_timeout(2_500)
    before = len(exchanges)

    # The same voter moves a point: versions change, the projector's screen does not.
    services.vote_cast(place=voter.token, item_id=items[1].pk, points=1, key="second")
    projector.wait_for_timeout(4_500)
    after = exchanges[before:]
    assert all(status == 304 for _sent, status, _etag in after)
    newer = [etag for sent, _status, etag in after if etag != sent]
    assert newer, "the 304 after the vote carries a newer ETag"
    assert any(sent == newer[0] for sent, _status, _etag in after), "the next poll sends it"
    expect(projector.get_by_text("1 personne a voté.")).to_be_visible()
