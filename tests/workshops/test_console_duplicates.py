"""The console draws moderation (and duplicate suggestions) with the page; its 2-second refresh only
says when new contributions are waiting."""

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

    assert page.count('name="action" value="hide"') == 3  # the moderation table, one row each

    live = f"/ateliers/{workshop.pk}/console/direct/"
    refresh = client.get(live, {"shown": 3}).content.decode()
    assert "doublons probables" not in refresh and "Actualiser la modération" not in refresh
    attendance = services.attendance_join(workshop=workshop, participant=people[2])
    services.quality_add(attendance=attendance, sequence=sequence, text="Patience", key="k9")
    refresh = client.get(live, {"shown": 3}).content.decode()
    assert "4 contributions dans la séquence en cours" in refresh
    assert "Actualiser la modération" in refresh
