"""Printed documents and the panel page speak the reader's language: the PDF's language tag,
the hour (« 14h00 » in French, « 2 p.m. » in English) and the plural of a gap in points."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from panels.models import PanelTarget, Participant
from panels.services import invitations_send
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_french():
    """The locale middleware leaves the request's language active in the thread."""
    yield
    translation.deactivate()


def in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def read_pdf(response) -> tuple[str, str]:
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return str(reader.trailer["/Root"]["/Lang"]), text


@pytest.fixture
def workshop(concertation):
    panel = factories.panel(concertation, "agents")
    Participant.objects.create(home_panel=panel, display_name="Agnès")
    workshop = concertation.workshops.get(order=1)
    workshop.starts_at = timezone.make_aware(timezone.datetime(2026, 12, 8, 14, 0))
    workshop.save()
    return workshop


@pytest.mark.parametrize("name", ["panels:workshop_letters", "panels:signin_sheet"])
def test_printed_documents_are_tagged_and_dated_in_the_readers_language(client, facilitator, workshop, name):
    client.force_login(facilitator)
    lang, text = read_pdf(client.get(reverse(name, args=[workshop.pk])))
    assert lang == "fr"
    assert "mardi 8 décembre 2026, 14h00" in text
    in_english(client)
    lang, text = read_pdf(client.get(reverse(name, args=[workshop.pk])))
    assert lang == "en"
    assert "Tuesday 8 December 2026, 2 p.m." in text
    assert "14h00" not in text


def test_panel_page_gives_the_workshop_hour_in_the_readers_language(client, facilitator, workshop):
    client.force_login(facilitator)
    url = reverse("panels:detail", args=[workshop.panel_id])
    assert "mardi 8 décembre 2026, 14h00" in client.get(url).text
    in_english(client)
    assert "Tuesday 8 December 2026, 2 p.m." in client.get(url).text


def _gaps(text: str) -> list[str]:
    """What the page says of each gap, tags and line breaks aside."""
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return re.findall(r"[+-]?\d+ points?", flat)


def test_gaps_in_points_take_the_plural_of_their_size_not_their_sign(client, facilitator, concertation):
    panel = factories.panel(concertation, "agents")
    for sex in "fffm":
        Participant.objects.create(home_panel=panel, display_name=f"Agent {sex}", sex=sex, age_band="25-39",
                                   admin_category="C")
    for criterion, value, percent in [("sex", "f", 50), ("sex", "m", 50), ("age_band", "25-39", 99),
                                     ("admin_category", "C", 100)]:
        PanelTarget.objects.create(panel=panel, criterion=criterion, value=value, percent=percent)
    client.force_login(facilitator)
    url = reverse("panels:detail", args=[panel.pk])
    page = client.get(url).text
    assert "Femme (+25 points), Homme (-25 points)." in page
    # Notice, then the table: a gap of 0 or 1 is singular in French, whatever its sign.
    assert _gaps(page) == ["+25 points", "-25 points", "+25 points", "-25 points", "+1 point", "0 point"]
    in_english(client)
    assert _gaps(client.get(url).text) == [
        "+25 points", "-25 points", "+25 points", "-25 points", "+1 point", "0 points",
    ]


def test_invitation_email_gives_the_hour_as_each_language_writes_it(concertation, mailoutbox):
    panel = factories.panel(concertation, "users")
    person = Participant.objects.create(
        home_panel=panel, display_name="Gisèle", email="gisele@example.fr", consent_contact=True
    )
    workshop = concertation.workshops.get(panel=panel)
    workshop.starts_at = timezone.make_aware(timezone.datetime(2026, 12, 8, 14, 0))
    workshop.save()
    invitations_send(workshop=workshop, people=[person], organiser="Mairie")
    with translation.override("en"):
        invitations_send(workshop=workshop, people=[person], organiser="City hall")
    french, english = mailoutbox
    assert "mardi 8 décembre 2026, 14h00" in french.subject
    assert "Tuesday 8 December 2026, 2 p.m." in english.subject and "14h00" not in english.subject
