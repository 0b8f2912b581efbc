"""The poster is always one page of the right size, whatever the length of its wording."""

import io

import pytest
from pypdf import PdfReader

from posters import rendering, services
from posters.models import Commitment, PosterFrozen, PosterQuality
from posters.services import Header, poster_draft, poster_edit

SIZES = {"A4": (595, 842), "A3": (842, 1191)}


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


def assert_one_page(reader: PdfReader, paper: str) -> None:
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    width, height = SIZES[paper]
    assert abs(float(box.width) - width) <= 1
    assert abs(float(box.height) - height) <= 1


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_demo_poster_is_one_tagged_page_with_its_commitments(demo_version, paper):
    reader, text = read(services.poster_pdf(demo_version, paper=paper))
    assert_one_page(reader, paper)
    assert "Vivre ensemble à la Maison de Hautepierre" in text
    assert "Les agents s'engagent à" in text
    assert "Les usagers s'engagent à" in text
    assert "Ensemble, nous nous engageons à" in text
    assert "prendre plus de temps pour accompagner l'usager" in text
    assert "accueil de qualité" in text
    assert "Affiche validée le 20 octobre 2026 par 8 participant·es." in text
    assert reader.metadata.title == "Vivre ensemble à la Maison de Hautepierre"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Atkinson" in name for name in fonts), fonts


def test_validated_pdf_is_rendered_once_then_served_from_storage(demo_version, monkeypatch):
    assert not demo_version.pdf_a4
    first = services.poster_pdf(demo_version, paper="A4")
    demo_version.refresh_from_db()
    assert demo_version.pdf_a4.name.endswith(".pdf")

    def no_second_rendering(*args, **kwargs):
        raise AssertionError("a validated poster is never rendered twice")

    monkeypatch.setattr(rendering, "poster_pdf", no_second_rendering)
    assert services.poster_pdf(demo_version, paper="A4") == first
    # The stored file cannot be replaced either: it belongs to the frozen version.
    demo_version.pdf_a4 = "posters/autre.pdf"
    with pytest.raises(PosterFrozen):
        demo_version.save(update_fields=["pdf_a4"])


@pytest.fixture
def long_draft(concertation, media):
    draft = poster_draft(concertation=concertation)
    long_text = "prendre le temps d'expliquer chaque démarche " * 7
    poster_edit(
        version=draft,
        header=Header(heading="Un très long titre d'affiche " * 6, scope_label="Site " * 30,
                      participants_count=40),
        qualities=[services.ItemEdit(text=f"qualité numéro {i} " * 6, order=i) for i in range(30)],
        commitments=[
            services.ItemEdit(
                text=f"engagement {i} : {long_text}"[:300], order=i,
                party=["agents", "users", "both"][i % 3],
            )
            for i in range(40)
        ],
    )
    assert Commitment.objects.filter(version=draft).count() == 40
    assert all(len(c.text) == 300 for c in Commitment.objects.filter(version=draft))
    assert PosterQuality.objects.filter(version=draft).count() == 30
    return draft


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_forty_long_commitments_still_fit_on_one_page(long_draft, paper):
    reader, text = read(services.poster_pdf(long_draft, paper=paper))
    assert_one_page(reader, paper)
    assert "Les agents s'engagent à" in text
    assert "engagement 0 : prendre le temps" in text
    assert "Projet d'affiche, pas encore validé" in text


def test_two_first_downloads_at_once_keep_a_single_stored_file(demo_version):
    other_request = type(demo_version).objects.get(pk=demo_version.pk)
    services.poster_pdf(demo_version, paper="A3")
    stored = type(demo_version).objects.get(pk=demo_version.pk).pdf_a3.name
    reader = PdfReader(io.BytesIO(services.poster_pdf(other_request, paper="A3")))
    assert len(reader.pages) == 1
    assert other_request.pdf_a3.name == stored
    assert type(demo_version).objects.get(pk=demo_version.pk).pdf_a3.name == stored
