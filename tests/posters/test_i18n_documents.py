"""Posters, roadmaps, reports and the error page in the reader's language: each text is tagged
with the language it is written in (PDF/UA, screen readers), and hours read « 19h50 » in French,
« 7:50 p.m. » in English."""

import io

import pytest
import tinyhtml5
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from posters.models import Roadmap
from posters.queries import report_data
from tests.posters.test_views import login
from workshops.models import Concertation

XHTML = "{http://www.w3.org/1999/xhtml}"


def _broken(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", _broken)]


@pytest.fixture(autouse=True)
def _back_to_french():
    """The locale middleware leaves the request's language active in the thread."""
    yield
    translation.deactivate()


@pytest.fixture
def hautepierre(demo) -> Concertation:
    return Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")


def in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def texts_by_language(html: str, css_class: str) -> dict[str, str]:
    """Each text inside the element of that class, with the language it is tagged with."""
    found: dict[str, str] = {}

    def walk(element, lang: str, inside: bool) -> None:
        lang = element.get("lang", lang)
        inside = inside or css_class in element.get("class", "").split()
        text = " ".join((element.text or "").split())
        if inside and text:
            found[text] = lang
        for child in element:
            walk(child, lang, inside)

    walk(tinyhtml5.parse(html), "", False)
    return found


def pdf_language_and_text(content: bytes) -> tuple[str, str]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return str(reader.trailer["/Root"]["/Lang"]), text


def test_poster_preview_tags_fixed_text_in_the_readers_language_and_participants_words_french(
    client, hautepierre
):
    login(client, "animatrice")
    client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    in_english(client)
    page = client.get(reverse("posters:edit", args=[hautepierre.pk])).text
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    sheet = texts_by_language(page, "poster-sheet")
    assert sheet["The qualities we want to promote"] == "en"
    assert sheet["Vivre ensemble à la Maison de Hautepierre"] == "fr"
    assert sheet["accueil de qualité"] == "fr"
    assert sheet["prendre plus de temps pour accompagner l'usager"] == "fr"
    assert sheet["The agents commit to…"] == "en"


@pytest.mark.parametrize("template", ["posters/pdf/roadmap.html", "posters/pdf/report.html"])
def test_document_is_tagged_with_the_language_of_its_fixed_text(hautepierre, template):
    roadmap = Roadmap.objects.filter(concertation=hautepierre).select_related("service").first()
    context = {"roadmap": roadmap, "concertation": hautepierre, "actions": roadmap.actions.all(),
               "today": timezone.localdate(), **report_data(hautepierre)}
    for language, title in [("en", "<h1>Roadmap: "), ("fr", "<h1>Feuille de route : ")]:
        with translation.override(language):
            html = render_to_string(template, context)
        assert f'<html lang="{language}">' in html
        if template.endswith("roadmap.html"):
            assert title in html


@pytest.mark.parametrize("name", ["roadmap", "poster"])
def test_french_pdfs_stay_tagged_french_for_an_english_reader(client, hautepierre, name):
    login(client, "animatrice")
    in_english(client)
    if name == "roadmap":
        roadmap = Roadmap.objects.filter(concertation=hautepierre).first()
        url = reverse("posters:roadmap_export", args=[hautepierre.pk, roadmap.service_id, "pdf"])
        fixed_text = "Feuille de route"
    else:
        url = reverse("posters:version_pdf", args=[hautepierre.poster.versions.get().pk, "a4"])
        fixed_text = "Les agents s'engagent à"
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    lang, text = pdf_language_and_text(content)
    assert (lang, fixed_text in text) == ("fr", True)


def test_validation_hour_follows_the_readers_language(client, hautepierre):
    login(client, "animatrice")
    url = reverse("posters:overview", args=[hautepierre.pk])
    french = "validée le mardi 20 octobre 2026, 19h50, sur les tablettes des participant·es."
    assert french in client.get(url).text
    in_english(client)
    page = client.get(url).text
    assert "approved on Tuesday 20 October 2026 at 7:50 p.m.," in page
    assert "19h50" not in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "heading"), [("fr", "Une erreur est survenue"), ("en", "Something went wrong")]
)
def test_error_page_is_in_the_readers_language(language, heading):
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/panne/")
    assert response.status_code == 500
    assert f'<html lang="{language}">' in response.text
    assert f"<h1>{heading}</h1>" in response.text


def test_invalid_note_or_action_is_shown_again_in_its_own_form(client, hautepierre):
    """Both inline forms of an action post through one helper: each error lands in its own form."""
    login(client, "animatrice")
    action = Roadmap.objects.filter(concertation=hautepierre).first().actions.first()
    note_error = f'id="id_note-{action.pk}-text_error"'
    title_error = f'id="id_action-{action.pk}-title_error"'
    htmx = {"HX-Request": "true"}
    note = client.post(reverse("posters:note_add", args=[action.pk]), {f"note-{action.pk}-text": ""},
                       headers=htmx)
    assert note.status_code == 200
    assert note_error in note.text and title_error not in note.text
    assert note.text.count('aria-invalid="true"') == 1
    update = client.post(reverse("posters:action_update", args=[action.pk]),
                         {f"action-{action.pk}-title": "", f"action-{action.pk}-status": "todo"},
                         headers=htmx)
    assert update.status_code == 200
    assert title_error in update.text and note_error not in update.text
    assert "Ce champ est obligatoire." in update.text
    without_htmx = client.post(reverse("posters:note_add", args=[action.pk]), {f"note-{action.pk}-text": ""})
    assert without_htmx.status_code == 302 and without_htmx["Location"].endswith(f"#action-{action.pk}")
    action.refresh_from_db()
    assert action.title and not action.notes.filter(text="").exists()
