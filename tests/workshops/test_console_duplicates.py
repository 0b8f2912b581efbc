"""The console suggests likely duplicates when it loads, not on its 2-second refresh."""

import pytest

from tests.workshops import live_data
from workshops import services
from workshops.models import Activity

pytestmark = pytest.mark.django_db


def test_console_lists_duplicate_groups_and_the_live_refresh_skips_them(client, concertation, facilitator):
    people = live_data.people(concertation, "agents", ["Aline", "Bruno", "Chloé"])
    workshop = live_data.workshop(concertation, 1)
    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    for index, (person, word) in enumerate(zip(people, ["Écoute", "l'écoute", "Respect"], strict=True)):
        attendance = services.attendance_join(workshop=workshop, participant=person)
        services.quality_add(attendance=attendance, sequence=sequence, text=word, key=f"k{index}")
    client.force_login(facilitator)

    page = client.get(f"/ateliers/{workshop.pk}/console/").content.decode()
    assert "1 groupe de doublons probables" in page
    assert "« Écoute », « l&#x27;écoute »" in page

    refresh = client.get(f"/ateliers/{workshop.pk}/console/direct/").content.decode()
    assert "doublons probables" not in refresh
    assert "Respect" in refresh
