"""A facilitator answers a participant's RGPD requests: export, then erasure; the privacy notice
and the audit trail are readable and accessible."""

import json

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from panels.models import Participant
from posters import services as poster_services
from posters.models import Roadmap
from tests.browser.conftest import assert_accessible, login
from workshops.management.commands.load_demo import DEMO_PASSWORD
from workshops.models import Vote

pytestmark = pytest.mark.django_db(transaction=True)



def test_export_then_erase_a_participant(demo, page):
    nadia = Participant.objects.get(display_name="Nadia B.")
    login(page, demo, "animatrice", DEMO_PASSWORD)
    page.goto(f"{demo.url}/panels/participants/{nadia.pk}/modifier/")
    page.get_by_role("link", name="Voir et exporter ses données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles de Nadia B.")
    expect(page.get_by_role("heading", name="Contributions (mots d'origine)")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (fichier JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["identity"]["display_name"] == "Nadia B."
    assert data["attendances"] and data["votes"]

    page.get_by_role("link", name="Effacer ses données personnelles").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Effacer les données personnelles de Nadia B.")
    assert_accessible(page)
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(heading).to_have_text("Données personnelles de Participant·e anonymisé·e")
    expect(page.get_by_text("Les données personnelles ont été effacées.")).to_be_visible()
    expect(page.get_by_text("Données effacées le")).to_be_visible()
    expect(page.get_by_role("link", name="Effacer ses données personnelles")).to_have_count(0)
    assert_accessible(page)
    nadia.refresh_from_db()
    assert nadia.is_erased and nadia.votes.exists()


def test_removing_from_the_panel_someone_who_took_part_keeps_the_results(demo, page):
    """« Retirer du panel » after the workshops: the person is erased, their votes still count."""
    person = Participant.objects.filter(votes__isnull=False).exclude(display_name="Nadia B.").first()
    votes = Vote.objects.filter(participant=person).aggregate(points=Sum("points"))["points"]
    login(page, demo, "animatrice", DEMO_PASSWORD)
    page.goto(f"{demo.url}/panels/{person.home_panel_id}/")
    page.get_by_role("link", name=f"Retirer {person.display_name}").click()
    expect(page.get_by_text("son positionnement et ses votes restent comptés")).to_be_visible()
    assert_accessible(page)
    button = page.get_by_role("button", name="Retirer du panel")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("La personne a été retirée du panel")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(person.display_name)
    assert_accessible(page)
    person.refresh_from_db()
    assert person.is_erased and not person.in_mixed_panel
    assert Vote.objects.filter(participant=person).aggregate(points=Sum("points"))["points"] == votes


def test_privacy_notice_from_the_footer(demo, page):
    page.goto(f"{demo.url}/connexion/")
    page.get_by_role("contentinfo").get_by_role("link", name="Données personnelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles")
    expect(page.get_by_text("365 jours après la clôture de la démarche")).to_be_visible()
    assert_accessible(page)


def test_roadmap_and_poster_journals_are_accessible(demo, page):
    roadmap = Roadmap.objects.get(concertation__title__startswith="Vivre ensemble à la Maison",
                                  service__name="Médiathèque")
    action = roadmap.actions.first()
    manager = roadmap.service.managers.get()
    poster_services.progress_note_add(action=action, author=manager, text="Affiche posée à l'accueil")
    login(page, demo, "animatrice", DEMO_PASSWORD)
    page.goto(f"{demo.url}/affiches/demarches/{roadmap.concertation_id}/feuilles-de-route/{roadmap.service_id}/")
    journal = page.get_by_role("region", name="Journal des modifications")
    expect(journal).to_contain_text("Affiche posée à l'accueil")
    expect(journal).to_contain_text("Marc Schneider")
    assert_accessible(page)
    page.goto(f"{demo.url}/affiches/demarches/{roadmap.concertation_id}/")
    page.get_by_role("button", name="Modifier l'affiche (nouvelle version)").click()
    page.goto(f"{demo.url}/affiches/demarches/{roadmap.concertation_id}/")
    expect(page.get_by_role("region", name="Journal des modifications")).to_contain_text("Création")
    assert_accessible(page)
