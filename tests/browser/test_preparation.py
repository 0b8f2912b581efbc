"""A facilitator prepares a territorial concertation from an empty database, in Chromium."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from panels.models import Participant
from tests import factories
from tests.browser.conftest import assert_accessible, login
from workshops.models import Concertation
from workshops.roles import SERVICE_MANAGERS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "mot-de-passe-test"
FIVE = "Panel mixte : 5 personnes (3 agent·es, 2 usager·es)"
FOUR = "Panel mixte : 4 personnes (3 agent·es, 1 usager·es)"

AGENTS_CSV = (
    "Prénom;Sexe;Tranche d'âge;Catégorie;Filière;Volontaire mixte;Accepte d'être contacté\n"
    "Amina;Femme;25 à 39 ans;C;Administratif;oui;oui\n"
    "Bruno;Homme;58;B;Technique;oui;non\n"
    "Chloé;Femme;trentaine;A;Administratif;non;oui\n"
    "Dora;Femme;40-54;C;Administratif;oui;non\n"
    "Élise;Femme;31;C;Technique;non;non\n"
    "Fanny;Femme;45;B;Administratif;oui;oui\n"
)
USERS_ROWS = (
    "Nom\tSexe\tÂge\tProfil\tVolontaire mixte\n"
    "Gérard\tHomme\t67\tParticulier\toui\n"
    "Hélène\tFemme\t35\tAssociation\toui\n"
    "Ilyes\tHomme\t22\tParticulier\tnon\n"
    "Jeanne\tFemme\t50\tEntreprise\toui\n"
)


def test_facilitator_prepares_a_territorial_concertation(live_server, page, new_context, tmp_path):
    facilitator = factories.facilitator(username="claire", first_name="Claire")
    outsider = factories.facilitator(username="intrus")
    base = live_server.url
    login(page, live_server, "claire", PASSWORD)

    # Create the concertation: a new site and the services it hosts.
    page.get_by_role("link", name="Nouvelle démarche").click()
    assert_accessible(page)
    page.get_by_label("Titre").fill("Vivre ensemble à la Maison du Neuhof")
    page.get_by_label("Territoriale (un site et ses services)").check()
    page.get_by_label("… ou nouvel équipement / site").fill("Maison du Neuhof")
    page.get_by_label("Nouveaux services").fill("Médiathèque\nMairie de quartier\nCentre médico-social")
    page.get_by_label("Commanditaire").fill("Direction de proximité")
    page.get_by_role("button", name="Créer la démarche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vivre ensemble à la Maison du Neuhof")
    expect(page.get_by_role("heading", name="Atelier 3 — panel mixte")).to_be_visible()
    expect(page.get_by_text("Recruter le panel agents : 0 personne sur les 8 visées.")).to_be_visible()
    assert_accessible(page)
    concertation = Concertation.objects.get()
    concertation_url = page.url

    # Import the agents panel from a CSV file with one bad row: named, and nothing saved.
    page.get_by_role("link", name="Ouvrir le panel agents").click()
    page.get_by_role("link", name="Importer un tableau").click()
    csv_file = tmp_path / "agents.csv"
    csv_file.write_text(AGENTS_CSV, encoding="utf-8")
    page.get_by_label("… ou importer un fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Vérifier (aperçu)").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("rien n'a été enregistré")
    expect(alert).to_contain_text("Ligne 4 : la tranche d'âge « trentaine » n'est pas reconnue")
    expect(page.get_by_role("row", name="4 ⚠ erreur Chloé Femme — Catégorie A")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer les 6 personnes")).to_have_count(0)
    assert_accessible(page)
    assert Participant.objects.count() == 0
    # Fix the row in the pre-filled text, check again, then save.
    rows = page.get_by_label("Coller des lignes d'un tableur")
    rows.fill(rows.input_value().replace("trentaine", "33"))
    page.get_by_role("button", name="Vérifier (aperçu)").click()
    expect(page.get_by_text("6 personnes prêtes à être importées")).to_be_visible()
    assert Participant.objects.count() == 0
    page.get_by_role("button", name="Enregistrer les 6 personnes").click()
    expect(page.get_by_text("6 participant·es importé·es.")).to_be_visible()
    assert Participant.objects.count() == 6

    # Representativeness: set the targets, see the gaps.
    page.get_by_role("link", name="Modifier les cibles").click()
    sex = page.get_by_role("group", name="Sexe (en %)")
    sex.get_by_label("Femme").fill("50")
    sex.get_by_label("Homme").fill("50")
    page.get_by_role("group", name="Filière (en %)").get_by_label("Technique").fill("50")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer les cibles").click()
    gaps = "Écart à la cible sur 2 valeurs : Femme (+33 points), Homme (-33 points)."
    expect(page.get_by_text(gaps)).to_be_visible()
    expect(page.get_by_role("img", name="Sexe — part réelle et part visée")).to_be_visible()
    expect(page.get_by_role("row", name="Femme 5 83 % 50 % +33 points ⚠ écart")).to_be_visible()
    assert_accessible(page)

    # The users panel, pasted from a spreadsheet.
    page.get_by_role("link", name="Panel Usagers").click()
    page.get_by_role("link", name="Importer un tableau").click()
    page.get_by_label("Coller des lignes d'un tableur").fill(USERS_ROWS)
    page.get_by_role("button", name="Vérifier (aperçu)").click()
    page.get_by_role("button", name="Enregistrer les 4 personnes").click()
    expect(page.get_by_text("4 participant·es importé·es.")).to_be_visible()

    # The mixed panel: proposed, then adjusted by hand (htmx).
    page.goto(concertation_url)
    page.get_by_role("link", name="Constituer le panel mixte").first.click()
    page.get_by_role("button", name="Proposer une sélection équilibrée").click()
    expect(page.get_by_role("heading", name=FIVE)).to_be_visible()
    expect(page.get_by_text("À peu près moitié agents, moitié usagers")).to_be_visible()
    assert_accessible(page)
    chosen = Participant.objects.filter(home_panel__kind="users", in_mixed_panel=True).first()
    page.get_by_role("button", name=f"Retirer {chosen.display_name}").click()
    expect(page.get_by_role("heading", name=FOUR)).to_be_visible()
    expect(page.get_by_text("Le panel mixte compte 3 agent·es et 1 usager·es")).to_be_visible()
    expect(page.get_by_role("button", name=f"Retenir {chosen.display_name}")).to_be_focused()
    page.get_by_role("button", name=f"Retenir {chosen.display_name}").click()
    expect(page.get_by_role("heading", name=FIVE)).to_be_visible()

    # Schedule the workshops, the users one only a week after the agents one: a warning.
    page.goto(concertation_url)
    page.get_by_role("link", name="Planifier les ateliers").click()
    first = date.today() + timedelta(days=20)
    for index, (offset, place) in enumerate([(0, "Salle A"), (7, "Salle B"), (30, "Salle A")]):
        slot = page.locator("fieldset.slot").nth(index)
        slot.get_by_label("Date").fill((first + timedelta(days=offset)).isoformat())
        slot.get_by_label("Heure de début").fill("14:00")
        slot.get_by_label("Lieu").fill(place)
    page.get_by_role("button", name="Enregistrer les dates").click()
    expect(page.get_by_text("Les dates des ateliers sont enregistrées.")).to_be_visible()
    warning = page.locator("#avertissements")
    expect(warning).to_contain_text("7 jours seulement après l'atelier agents")
    expect(warning).to_contain_text("pour permettre aux agents de promouvoir leur propre expérience")
    assert_accessible(page)

    # Download the .ics of the agents workshop.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger « Atelier 1 — panel agents » pour l'agenda (.ics)").click()
    event = Calendar.from_ical(download_info.value.path().read_bytes()).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Salle A"
    assert event.decoded("DTSTART").date() == first

    # The sign-in sheet of the mixed workshop, as a PDF.
    page.goto(concertation_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Feuille d'émargement (PDF) — Atelier 3 — panel mixte").click()
    reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = reader.pages[0].extract_text()
    assert "émargement" in text and "Atelier 3 — panel mixte" in text
    for person in Participant.objects.filter(in_mixed_panel=True):
        assert person.display_name in text

    # The run-of-show, edited inline; over two hours, a warning.
    page.get_by_role("link", name="Déroulé — Atelier 1 — panel agents").click()
    expect(page.get_by_text("Total : 120 minutes sur 120")).to_be_visible()
    page.get_by_role("link", name="Modifier Se positionner").click()
    expect(page.locator("#sequences").get_by_label("Titre")).to_be_focused()
    page.get_by_label("Durée prévue (minutes)").fill("35")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la séquence").click()
    expect(page.get_by_text("Total : 135 minutes sur 120")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier Se positionner")).to_be_focused()
    expect(page.get_by_text("durent 135 minutes au total")).to_be_visible()
    assert_accessible(page)

    # The calendar shows the three workshops.
    page.get_by_role("link", name="Calendrier").click()
    expect(page.get_by_role("link", name="Vivre ensemble à la Maison du Neuhof", exact=True)).to_have_count(3)
    assert_accessible(page)

    # Another facilitator, not on the team, cannot see the concertation nor its panels.
    other = new_context().new_page()
    login(other, live_server, "intrus", PASSWORD)
    expect(other.get_by_text("Aucune démarche pour l'instant.")).to_be_visible()
    for url in (concertation_url, f"{base}/panels/{concertation.panels.get(kind='agents').pk}/",
                f"{base}/demarches/{concertation.pk}/planifier/"):
        response = other.goto(url)
        assert response.status == 404
    assert facilitator.pk != outsider.pk


def test_participants_one_by_one_with_consent_and_the_team(live_server, page):
    facilitator = factories.facilitator(username="claire")
    manager = factories.UserFactory(username="resp.mediatheque", first_name="Paul")
    manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS))
    concertation = factories.territorial_concertation(facilitators=[facilitator], services=1)
    service = concertation.services.get()
    login(page, live_server, "claire", PASSWORD)
    page.get_by_role("link", name=concertation.title).click()

    page.get_by_role("link", name="Ouvrir le panel usagers").click()
    page.get_by_role("link", name="Ajouter une personne").click()
    page.get_by_label("Prénom ou nom affiché").fill("Gisèle")
    page.get_by_label("Sexe").select_option(label="Femme")
    page.get_by_label("Profil d'usager").select_option(label="Association")
    page.get_by_label("Date du consentement").fill("2026-09-20")
    page.get_by_label("Ce que la personne a accepté").fill("Participer aux ateliers")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_label("Recueil du consentement")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Recueil du consentement").select_option(label="Formulaire signé")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Gisèle a été ajouté·e au panel.")).to_be_visible()
    row = page.get_by_role("row", name="Gisèle")
    expect(row).to_contain_text("20 septembre 2026 (formulaire signé)")
    expect(row).to_contain_text("Participer aux ateliers")

    page.get_by_role("link", name="Modifier Gisèle").click()
    page.get_by_label("Prénom ou nom affiché").fill("Gisèle M.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("link", name="Retirer Gisèle M.").click()
    assert_accessible(page)
    page.get_by_role("button", name="Retirer du panel").click()
    expect(page.get_by_text("Personne dans ce panel pour l'instant.")).to_be_visible()

    page.goto(f"{live_server.url}/demarches/{concertation.pk}/")
    page.get_by_role("link", name="Responsables de service").click()
    page.get_by_label("resp.mediatheque").check()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les responsables de service sont enregistrés.")).to_be_visible()
    assert list(service.managers.all()) == [manager]
