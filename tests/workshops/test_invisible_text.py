"""Invisible or direction-flipping characters never make a blank or misleading contribution."""

import pytest

from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Attendance, Quality

pytestmark = pytest.mark.django_db


def test_plain_words_removes_format_characters():
    assert services.plain_words("\u200b\u200b") == ""
    assert services.plain_words("res\u202epect\u2066 ") == "respect"
    assert services.plain_words("  accueil\t de\nqualité ") == "accueil de qualité"
    assert services.plain_words("pompière 👩🏽\u200d🚒") == "pompière 👩🏽\u200d🚒"
    assert services.plain_words("\u200d \u200c") == ""


def test_a_blank_looking_walk_in_name_or_quality_is_refused_in_french(client, concertation):
    people = live_data.people(concertation, "agents", ["Aline"])
    workshop = live_data.workshop(concertation, 1)
    response = client.post(f"/rejoindre/{workshop.join_code}/", {"first_name": "\u200b"})
    assert response.status_code == 400
    assert "Indiquez votre prénom" in response.content.decode()
    assert not Attendance.objects.filter(participant__isnull=True).exists()

    sequence = services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    attendance = services.attendance_join(workshop=workshop, participant=people[0])
    with pytest.raises(services.LiveError, match="Écrivez quelques mots"):
        services.quality_add(attendance=attendance, sequence=sequence, text="\u200b \u200b", key="k1")
    quality = services.quality_add(attendance=attendance, sequence=sequence, text="éc\u202eoute", key="k2")
    assert Quality.objects.get(pk=quality.pk).text == "écoute"
