"""Bulk import: French headers and values, every problem named by its line, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panels.models import Participant
from panels.services import parse_participants, participants_import
from tests import factories

pytestmark = pytest.mark.django_db

AGENTS_CSV = (
    "Prénom;Sexe;Tranche d'âge;Catégorie;Filière;Volontaire mixte;Courriel;Date du consentement;"
    "Recueil du consentement;Accepte d'être contacté\n"
    "Amina;Femme;25 à 39 ans;C;Administratif;oui;amina@example.fr;02/09/2026;formulaire signé;oui\n"
    "Bruno;Homme;58;B;Technique;non;;;;non\n"
    "Chloé;F;trentaine;A;Administratif;oui;;;;\n"
)


def test_french_headers_and_values_are_understood():
    preview = parse_participants(AGENTS_CSV.replace("trentaine", "40-54"), panel_kind="agents")
    assert preview.errors == []
    amina, bruno, chloe = (row.values for row in preview.rows)
    assert amina["sex"] == "f" and amina["age_band"] == "25-39" and amina["admin_category"] == "C"
    assert amina["job_family"] == "administrative" and amina["mixed_volunteer"] is True
    assert amina["consent_method"] == "written" and amina["consent_contact"] is True
    assert str(amina["consent_on"]) == "2026-09-02"
    assert bruno["age_band"] == "55-64" and bruno["job_family"] == "technical"
    assert chloe["age_band"] == "40-54"


def test_an_unknown_value_is_named_with_its_line_and_the_accepted_values():
    preview = parse_participants(AGENTS_CSV, panel_kind="agents")
    assert not preview.is_valid
    assert len(preview.errors) == 1
    assert preview.errors[0].startswith("Ligne 4 : la tranche d'âge « trentaine » n'est pas reconnue (")
    assert "25 à 39 ans" in preview.errors[0]


def test_pasted_tab_separated_rows_for_users():
    text = "Nom\tSexe\tÂge\tProfil\nDenise\tFemme\t72\tAssociation\nEric\tHomme\t31\tEntreprise\n"
    preview = parse_participants(text, panel_kind="users")
    assert preview.is_valid
    assert [r.values["profile"] for r in preview.rows] == ["association", "business"]
    assert preview.rows[0].values["age_band"] == "65+"


def test_columns_foreign_to_the_panel_are_ignored_and_said():
    preview = parse_participants("Nom;Catégorie\nDenise;A\n", panel_kind="users")
    assert preview.ignored_columns == ["Catégorie"]
    assert "admin_category" not in preview.rows[0].values


def test_a_header_without_a_name_column_is_refused():
    preview = parse_participants("Sexe;Âge\nFemme;30\n", panel_kind="agents")
    assert preview.errors and preview.errors[0].startswith("Ligne 1 :")


def test_consent_date_without_method_and_bad_email_are_errors():
    preview = parse_participants("Nom;Courriel;Date du consentement\nA;pas-un-courriel;01/01/2026\n",
                                 panel_kind="agents")
    assert any("Ligne 2 : l'adresse" in e for e in preview.errors)
    assert any("Ligne 2 : une date de consentement" in e for e in preview.errors)


def test_import_saves_all_rows_at_once(concertation):
    panel = factories.panel(concertation, "agents")
    preview = parse_participants(AGENTS_CSV.replace("trentaine", "30"), panel_kind="agents")
    participants_import(panel=panel, preview=preview)
    assert panel.participants.count() == 3
    concertation.refresh_from_db()
    assert concertation.status == "recruiting"


def test_the_import_page_previews_then_saves_nothing_when_a_row_is_bad(client, facilitator, concertation):
    panel = factories.panel(concertation, "agents")
    client.force_login(facilitator)
    url = reverse("panels:import", args=[panel.pk])
    response = client.post(url, {"rows": AGENTS_CSV, "action": "confirm"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 4 : la tranche d&#x27;âge « trentaine »" in html
    assert Participant.objects.count() == 0

    fixed = AGENTS_CSV.replace("trentaine", "25-39")
    response = client.post(url, {"rows": fixed, "action": "preview"})
    assert "3 personnes prêtes à être importées" in response.content.decode()
    assert Participant.objects.count() == 0
    response = client.post(url, {"rows": fixed, "action": "confirm"})
    assert response.status_code == 302
    assert panel.participants.count() == 3


def test_the_import_page_reads_an_uploaded_windows_file(client, facilitator, concertation):
    panel = factories.panel(concertation, "users")
    client.force_login(facilitator)
    upload = SimpleUploadedFile("panel.csv", "Nom;Sexe\nHélène;Femme\n".encode("cp1252"), "text/csv")
    response = client.post(reverse("panels:import", args=[panel.pk]), {"file": upload, "action": "confirm"})
    assert response.status_code == 302
    assert panel.participants.get().display_name == "Hélène"


@pytest.mark.parametrize("header", ["Accepte d'être contacté·e", "ACCEPTE D'ETRE CONTACTE", "Contact"])
def test_header_spelling_variants(header):
    text = f"Nom;E-mail;{header};Âge\nA;a@example.fr;Oui;25-39 ans\n"
    preview = parse_participants(text, panel_kind="users")
    assert preview.is_valid, preview.errors
    assert preview.rows[0].values == {"display_name": "A", "email": "a@example.fr", "consent_contact": True,
                                      "age_band": "25-39"}


def test_names_already_in_the_panel_or_repeated_are_warnings_not_errors():
    preview = parse_participants("Nom\nAmina\nBruno\namina\n", panel_kind="agents", existing_names=["Bruno"])
    assert preview.is_valid
    assert preview.warnings == ["Ligne 3 : « Bruno » figure déjà dans le panel.",
                                "Ligne 4 : « amina » figure déjà à la ligne 2."]
