"""Between workshops: a facilitator curates workshops 1 and 2 and builds the mixed ballots."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, login
from tests.workshops.curation_data import Contributions
from workshops.models import Activity, BallotItem, Quality

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-test"


@pytest.fixture
def concertation(live_server):
    facilitator = factories.facilitator(username="animatrice.curation")
    concertation = factories.territorial_concertation(
        facilitators=[facilitator], title="Vivre ensemble au centre médico-social"
    )
    contributions = Contributions(concertation)
    contributions.quality("Écoute", workshop=1)
    contributions.quality("l'écoute", workshop=2)
    contributions.quality("accueil de qualité", workshop=1)
    contributions.quality("mépris", workshop=2, pole=Quality.Pole.CHAOTIC)
    contributions.proposal("Prendre plus de temps pour acompagner l'usager", workshop=1)
    contributions.proposal("Respecter le règlement", workshop=2, carried_by="users")
    return concertation


def open_curation(page, live_server, concertation):
    login(page, live_server, "animatrice.curation", PASSWORD)
    page.goto(f"{live_server.url}/demarches/{concertation.pk}/curation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entre les ateliers : préparer les votes")


def test_facilitator_merges_rewords_and_builds_the_ballot(live_server, page, concertation):
    open_curation(page, live_server, concertation)
    assert_accessible(page)

    ideal = page.locator("#ideal")
    suggestion = ideal.locator(".suggestions fieldset")
    expect(suggestion).to_contain_text("« Écoute »")
    expect(suggestion).to_contain_text("« l'écoute »")
    suggestion.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_role("status")).to_contain_text("1 doublon fusionné dans « Écoute »")
    expect(ideal.locator(".suggestions")).to_have_count(0)
    expect(ideal.get_by_role("row", name="Écoute")).to_contain_text("Doublon fusionné ici")

    row = page.locator("#propositions").get_by_role("row").filter(has_text="acompagner")
    row.get_by_text("Reformuler").click()
    field = row.get_by_label("Nouvelle formulation")
    field.fill("Les agents s'engagent à prendre plus de temps pour accompagner l'usager")
    row.get_by_role("button", name="Enregistrer").click()
    row = page.locator("#propositions").get_by_role("row").filter(has_text="s'engagent")
    expect(row.get_by_role("status")).to_have_text("Formulation enregistrée.")
    expect(row).to_contain_text("Texte d'origine : « Prendre plus de temps pour acompagner l'usager »")

    page.get_by_role("button", name="Construire les bulletins de vote").click()
    expect(page.get_by_role("status")).to_contain_text("Bulletins à jour : 4 éléments ajoutés")
    ballots = page.locator("#bulletins")
    qualities = ballots.get_by_role("region", name="Les qualités à promouvoir")
    ecoute = qualities.get_by_role("listitem").filter(has_text="Écoute").first
    expect(ecoute.locator(".origins")).to_contain_text("Panel agents")
    expect(ecoute.locator(".origins")).to_contain_text("Panel usagers")
    ecoute.get_by_text("Mots d'origine").click()
    expect(ecoute.locator(".sources")).to_contain_text("« l'écoute »")
    proposals = ballots.get_by_role("region", name="Les propositions prioritaires")
    commitment = proposals.get_by_role("listitem").filter(has_text="s'engagent").first
    expect(commitment.locator(".origins")).to_contain_text("Panel agents")
    expect(commitment.locator(".origins")).not_to_contain_text("Panel usagers")
    expect(qualities).not_to_contain_text("mépris")
    assert_accessible(page)

    commitment.get_by_role("button", name="Descendre").click()
    expect(proposals.get_by_role("listitem").first).to_contain_text("Respecter le règlement")
    items = BallotItem.objects.filter(sequence__activity=Activity.VOTE_PROPOSALS)
    assert [item.text for item in items] == [
        "Respecter le règlement",
        "Les agents s'engagent à prendre plus de temps pour accompagner l'usager",
    ]


def test_rewording_works_without_javascript(live_server, new_context, concertation):
    page = new_context(java_script_enabled=False).new_page()
    open_curation(page, live_server, concertation)
    row = page.locator("#ideal").get_by_role("row").filter(has_text="accueil de qualité")
    row.get_by_text("Reformuler").click()
    row.get_by_label("Nouvelle formulation").fill("Un accueil de qualité")
    row.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Formulation enregistrée : « Un accueil de qualité ».")
    expect(page.locator("#ideal")).to_contain_text("Texte d'origine : « accueil de qualité »")
