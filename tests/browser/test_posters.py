"""A service manager downloads the poster and the roadmap, marks an action done, and the public
follow-up page shows it; a facilitator edits the poster with its live preview."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from odf import opendocument, teletype
from playwright.sync_api import expect
from pypdf import PdfReader

from posters.models import RoadmapAction
from tests.browser.conftest import assert_accessible, login
from workshops.management.commands.load_demo import DEMO_PASSWORD
from workshops.models import Concertation

pytestmark = pytest.mark.django_db(transaction=True)



def _pdf_pages(download) -> PdfReader:
    return PdfReader(io.BytesIO(open(download.path(), "rb").read()))


def test_manager_downloads_marks_done_and_public_page_follows(demo, page, new_context):
    concertation = Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")
    action = RoadmapAction.objects.filter(
        roadmap__service__name="Médiathèque", status=RoadmapAction.Status.TODO,
        commitment__isnull=False,
    ).select_related("commitment").first()
    public_url = f"{demo.url}/affiches/suivi/{concertation.public_token}/"
    late = RoadmapAction.objects.filter(roadmap__service__name="Médiathèque").exclude(pk=action.pk).first()
    RoadmapAction.objects.filter(pk=late.pk).update(
        status=RoadmapAction.Status.DOING, due_on=timezone.localdate() - timedelta(days=10)
    )

    visitor = new_context(tablet=True).new_page()
    visitor.goto(public_url)
    commitment = visitor.locator("article.followup-commitment").filter(has_text=action.commitment.text)
    expect(commitment.get_by_text("Médiathèque : À faire")).to_be_visible()

    login(page, demo, "responsable.mediatheque", DEMO_PASSWORD)
    page.get_by_role("link", name="Mon tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    expect(page.get_by_role("heading", name="Médiathèque")).to_be_visible()
    expect(page.get_by_role("heading", name="⚠ 1 action en retard")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as poster_download:
        page.get_by_role("link", name="Affiche A4 (PDF) — Médiathèque").click()
    poster = poster_download.value
    assert poster.suggested_filename.endswith("-a4.pdf")
    reader = _pdf_pages(poster)
    assert len(reader.pages) == 1
    assert "Les agents s'engagent à" in reader.pages[0].extract_text()

    with page.expect_download() as roadmap_download:
        page.get_by_role("link", name="Feuille de route (PDF) — Médiathèque").click()
    assert roadmap_download.value.suggested_filename == "feuille-de-route-mediatheque.pdf"
    assert "Feuille de route : Médiathèque" in _pdf_pages(roadmap_download.value).pages[0].extract_text()
    with page.expect_download() as spreadsheet_download:
        page.get_by_role("link", name="Feuille de route (ODS) — Médiathèque").click()
    assert spreadsheet_download.value.suggested_filename == "feuille-de-route-mediatheque.ods"
    sheet = opendocument.load(spreadsheet_download.value.path()).spreadsheet
    assert "Prendre plus de temps pour accompagner l'usager" in teletype.extractText(sheet)

    page.get_by_role("link", name="Mettre à jour la feuille de route — Médiathèque").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feuille de route : Médiathèque")
    assert_accessible(page)
    card = page.locator(f"#action-{action.pk}")
    card.get_by_role("button", name="Marquer comme fait").click()
    expect(card.locator(".badge.status-done")).to_have_text("Fait")
    expect(card.get_by_text("Statut : À faire → Fait.")).to_be_visible()
    assert_accessible(page)
    action.refresh_from_db()
    assert action.status == RoadmapAction.Status.DONE

    visitor.reload()
    expect(commitment.get_by_text("Médiathèque : Fait")).to_be_visible()
    expect(visitor.get_by_role("heading", name="L'affiche validée")).to_be_visible()
    assert "Marc Schneider" not in visitor.content()
    assert_accessible(visitor)


def test_facilitator_edits_the_poster_with_a_live_preview(demo, page):
    concertation = Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")
    login(page, demo, "animatrice", DEMO_PASSWORD)
    page.goto(f"{demo.url}/affiches/demarches/{concertation.pk}/")
    expect(page.get_by_role("img", name="Aperçu de l'affiche")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Modifier l'affiche (nouvelle version)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brouillon de l'affiche (version 2)")
    assert_accessible(page)

    preview = page.locator("#apercu")
    page.get_by_label("Titre de l'affiche").fill("Bien vivre ensemble à Hautepierre")
    expect(preview.locator(".poster-title")).to_have_text("Bien vivre ensemble à Hautepierre")
    page.get_by_label("Engagement 1", exact=True).fill("accueillir chaque usager avec le sourire")
    expect(preview).to_contain_text("accueillir chaque usager avec le sourire")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()

    page.goto(f"{demo.url}/affiches/demarches/{concertation.pk}/")
    page.get_by_role("spinbutton", name="Pour").fill("8")
    page.get_by_role("spinbutton", name="Contre").fill("0")
    page.get_by_role("button", name="Valider l'affiche").click()
    expect(page.get_by_text("L'affiche est validée")).to_be_visible()
    expect(page.get_by_role("heading", name="Version validée")).to_be_visible()
    expect(page.get_by_text("Version 2")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{demo.url}/affiches/demarches/{concertation.pk}/feuilles-de-route/")
    assert_accessible(page)
