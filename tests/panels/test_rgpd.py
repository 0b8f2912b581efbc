"""RGPD: a participant's data exported, erased on request, purged after the retention period."""

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from panels.models import Participant
from posters.models import Poster, PosterValidation, PosterVersion
from tests import factories
from tests.workshops import live_data
from workshops.models import (
    Activity,
    Attendance,
    Concertation,
    Pole,
    Position,
    Proposal,
    Quality,
    Vote,
)

PASSWORD = "mot-de-passe-test"


def _contribute(concertation, participant: Participant, *, n: int = 1) -> None:
    """What one person leaves during the method: presences, words, positions, votes, an opinion."""
    peer = live_data.workshop(concertation, 1)
    mixed = live_data.workshop(concertation, 3)
    Attendance.objects.get_or_create(workshop=peer, participant=participant)
    Attendance.objects.get_or_create(workshop=mixed, participant=participant)
    qualities = live_data.sequence(peer, Activity.QUALITIES)
    proposals = live_data.sequence(peer, Activity.PROPOSALS)
    for i in range(n):
        Quality.objects.create(sequence=qualities, participant=participant, pole=Pole.IDEAL,
                               text=f"On m'écoute vraiment {i}")
        Proposal.objects.create(sequence=proposals, participant=participant, carried_by="agents",
                                text=f"Rappeler les usagers {i}")
    Position.objects.get_or_create(sequence=live_data.sequence(peer, Activity.POSITIONING),
                                   participant=participant, defaults={"value": 7})
    for item in live_data.ballot(mixed, texts=[f"Respect {participant.pk}-{i}" for i in range(n)]):
        Vote.objects.create(ballot_item=item, participant=participant, points=2)
    poster, _ = Poster.objects.get_or_create(concertation=concertation)
    version = poster.versions.first() or PosterVersion.objects.create(
        poster=poster, number=1, heading="Affiche"
    )
    PosterValidation.objects.create(version=version, participant=participant, approves=True,
                                    remark="Bien résumé")


@pytest.fixture
def nadia(concertation) -> Participant:
    participant = factories.ParticipantFactory(
        home_panel=factories.panel(concertation, "agents"), display_name="Nadia Berger",
        email="nadia@example.fr", phone="06 12 34 56 78", sex="f", age_band="40-54", admin_category="B",
        job_family="administrative", mixed_volunteer=True, in_mixed_panel=True,
        consent_on=date(2026, 10, 2), consent_method="written", consent_contact=True,
        consent_scope="Ateliers et affiche",
    )
    _contribute(concertation, participant)
    return participant


@pytest.fixture
def team(client, facilitator):
    client.force_login(facilitator)
    return client


def test_export_holds_everything_about_the_person(team, nadia):
    response = team.get(reverse("panels:participant_data_json", args=[nadia.pk]))
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="donnees-participant-{nadia.pk}.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["identity"]["email"] == "nadia@example.fr"
    assert data["identity"]["phone"] == "06 12 34 56 78"
    assert data["consent"] == {
        "given_on": "2026-10-02", "method": "Formulaire signé", "accepts_contact": True,
        "scope": "Ateliers et affiche",
    }
    assert len(data["attendances"]) == 2
    assert data["qualities"][0]["original_text"] == "On m'écoute vraiment 0"
    assert data["proposals"][0]["original_text"] == "Rappeler les usagers 0"
    assert data["positions"][0]["value"] == 7
    assert data["votes"][0]["points"] == 2
    assert data["poster_opinions"][0]["remark"] == "Bien résumé"

    page = team.get(reverse("panels:participant_data", args=[nadia.pk]))
    assert page.status_code == 200
    for shown in ["nadia@example.fr", "On m&#x27;écoute vraiment 0", "Bien résumé", "Formulaire signé"]:
        assert shown in page.text
    edit = team.get(reverse("panels:participant_edit", args=[nadia.pk]))
    assert reverse("panels:participant_data", args=[nadia.pk]) in edit.text
    assert reverse("panels:participant_erase", args=[nadia.pk]) in edit.text


def test_erasure_keeps_contributions_and_vote_totals_but_not_the_person(team, nadia, facilitator):
    url = reverse("panels:participant_erase", args=[nadia.pk])
    confirm = team.get(url)
    assert "Effacer définitivement" in confirm.text
    totals = Vote.objects.aggregate(points=Sum("points"))["points"]
    response = team.post(url, follow=True)
    assert "Les données personnelles ont été effacées" in response.text
    nadia.refresh_from_db()
    assert nadia.display_name == "Participant·e anonymisé·e"
    assert (nadia.email, nadia.phone, nadia.sex, nadia.age_band, nadia.admin_category) == ("", "", "", "", "")
    assert nadia.consent_contact is False and nadia.consent_scope == ""
    assert (nadia.consent_on, nadia.consent_method) == (date(2026, 10, 2), "written")
    assert nadia.erased_by == facilitator
    assert nadia.erased_by_label == (facilitator.get_full_name() or "animatrice.test")
    assert nadia.erased_at is not None
    assert Vote.objects.aggregate(points=Sum("points"))["points"] == totals
    assert Quality.objects.filter(participant=nadia).count() == 1
    assert Proposal.objects.filter(participant=nadia).count() == 1
    assert "Nadia" not in response.text and "nadia@example.fr" not in response.text
    assert "Données effacées le" in response.text
    assert "déjà été effacées" in team.get(url).text


def test_withdrawing_someone_who_took_part_erases_them_and_keeps_what_they_brought(team, nadia):
    url = reverse("panels:participant_delete", args=[nadia.pk])
    confirm = html.unescape(team.get(url).text)
    assert "ses contributions, son positionnement et ses votes restent comptés" in confirm
    totals = Vote.objects.aggregate(points=Sum("points"))["points"]
    response = team.post(url, follow=True)
    assert "La personne a été retirée du panel : ses données personnelles sont effacées" in html.unescape(
        response.text
    )
    nadia.refresh_from_db()  # still there, unnamed: the workshops' results do not move
    assert nadia.is_erased and nadia.display_name == "Participant·e anonymisé·e" and nadia.email == ""
    assert not nadia.in_mixed_panel and not nadia.mixed_volunteer
    assert (nadia.consent_on, nadia.consent_method) == (date(2026, 10, 2), "written")
    assert Vote.objects.aggregate(points=Sum("points"))["points"] == totals
    assert Position.objects.filter(participant=nadia).exists()
    assert PosterValidation.objects.filter(participant=nadia).exists()
    assert "Nadia" not in response.text


def test_withdrawing_someone_who_has_not_taken_part_yet_deletes_them(team, concertation):
    newcomer = factories.ParticipantFactory(
        home_panel=factories.panel(concertation, "agents"), display_name="Sylvain", email="s@example.fr"
    )
    assert "Ses informations et son consentement seront effacés." in html.unescape(
        team.get(reverse("panels:participant_delete", args=[newcomer.pk])).text
    )
    response = team.post(reverse("panels:participant_delete", args=[newcomer.pk]), follow=True)
    assert "Sylvain a été retiré·e du panel." in html.unescape(response.text)
    assert not Participant.objects.filter(pk=newcomer.pk).exists()


def test_another_team_can_neither_export_nor_erase(client, nadia, other_facilitator):
    client.force_login(other_facilitator)
    for name in ["participant_data", "participant_data_json", "participant_erase"]:
        assert client.get(reverse(f"panels:{name}", args=[nadia.pk])).status_code == 404
    assert client.post(reverse("panels:participant_erase", args=[nadia.pk])).status_code == 404
    nadia.refresh_from_db()
    assert nadia.display_name == "Nadia Berger" and nadia.erased_at is None


@pytest.mark.parametrize("size", [1, 4])
def test_export_page_query_count_does_not_grow(team, concertation, django_assert_num_queries, size):
    participant = factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    _contribute(concertation, participant, n=size)
    # session, user, participant (+ panel, concertation), attendances, qualities, proposals, positions,
    # votes, poster opinions, the navigation's permissions (2).
    with django_assert_num_queries(11):
        page = team.get(reverse("panels:participant_data", args=[participant.pk]))
    assert page.text.count("On m&#x27;écoute vraiment") == 2 * size  # original and current wording


def _close(concertation: Concertation, days_ago: int) -> None:
    concertation.status = Concertation.Status.CLOSED
    concertation.closed_at = timezone.now() - timedelta(days=days_ago)
    concertation.save()


def test_purge_after_retention_with_dry_run(settings, nadia, concertation, facilitator, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    recent = factories.territorial_concertation(facilitators=[facilitator], title="Close depuis peu")
    kept = factories.ParticipantFactory(home_panel=factories.panel(recent, "users"), display_name="Gérard")
    _close(recent, 30)
    walk_in = Attendance.objects.create(workshop=live_data.workshop(concertation, 1), walk_in_name="Lucie")
    _close(concertation, 400)

    call_command("purge_personal_data", "--dry-run")
    out = capsys.readouterr().out
    assert "1 démarche clôturée concernée." in out
    assert "1 participant·e serait anonymisé·e." in out
    assert "1 arrivée non admise serait effacée." in out
    assert "rien n'a été modifié" in out
    nadia.refresh_from_db()
    assert nadia.display_name == "Nadia Berger"

    call_command("purge_personal_data")
    out = capsys.readouterr().out
    assert "1 participant·e anonymisé·e." in out and "1 arrivée non admise effacée." in out
    nadia.refresh_from_db()
    assert nadia.display_name == "Participant·e anonymisé·e" and nadia.email == ""
    assert nadia.erased_by is None and "Purge automatique" in nadia.erased_by_label
    assert nadia.consent_on == date(2026, 10, 2)
    assert not Attendance.objects.filter(pk=walk_in.pk).exists()
    assert Vote.objects.filter(participant=nadia).exists()
    kept.refresh_from_db()
    assert kept.display_name == "Gérard" and kept.erased_at is None

    call_command("purge_personal_data")
    assert re.search(r"^0 participant·es? anonymisé·es?\.$", capsys.readouterr().out, re.MULTILINE)


def test_retention_setting_is_read_strictly(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from vivreensemble.env import env_int

    monkeypatch.setenv("PERSONAL_DATA_RETENTION_DAYS", "un an")
    with pytest.raises(ImproperlyConfigured):
        env_int("PERSONAL_DATA_RETENTION_DAYS", 365, minimum=1)


def test_privacy_page_is_public_and_linked_from_the_footer(client, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 180
    settings.DPO_CONTACT = ""
    page = client.get(reverse("workshops:privacy"))
    assert page.status_code == 200
    assert "180 jours après la clôture" in page.text
    assert "délégué à la protection des données de votre collectivité" in page.text
    assert f'href="{reverse("workshops:privacy")}"' in client.get(reverse("login")).text
    settings.DPO_CONTACT = "dpd@ville.example.fr"
    assert "écrivez à : dpd@ville.example.fr" in client.get(reverse("workshops:privacy")).text
