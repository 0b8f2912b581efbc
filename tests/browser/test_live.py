"""A whole agents workshop, then a whole mixed workshop, run live: one console, one projector
and five tablets (touch), in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from posters.models import Poster, PosterVersion
from tests.browser.conftest import assert_accessible, login
from tests.workshops import live_data
from workshops.models import Activity, Position, Proposal, Quality, Vote

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOW = 3_500  # a tablet follows the facilitator within 3 s (2 s polling + rendering)
PASSWORD = "mot-de-passe-test"


def open_console_and_projector(live_server, new_context, facilitator, workshop):
    console = new_context().new_page()
    login(console, live_server, facilitator.username, PASSWORD)
    console.goto(f"{live_server.url}/ateliers/{workshop.pk}/console/")
    projector = new_context(viewport={"width": 1600, "height": 900}).new_page()
    login(projector, live_server, facilitator.username, PASSWORD)
    projector.goto(f"{live_server.url}/ateliers/{workshop.pk}/projection/")
    return console, projector


def join_by_code(tablet, live_server, code: str, name: str):
    tablet.goto(f"{live_server.url}/rejoindre/")
    tablet.get_by_label("Code de l'atelier").fill(code)
    tablet.get_by_role("button", name="Continuer").tap()
    tablet.get_by_role("button", name=name, exact=True).tap()


def sequence_action(console, action: str, title: str):
    console.get_by_role("button", name=f"{action} « {title} »").click()


def test_agents_workshop_then_mixed_workshop_live(live_server, new_context, facilitator, concertation):
    agents = live_data.people(concertation, "agents", ["Aline", "Bruno", "Chloé", "David"])
    workshop = live_data.workshop(concertation, 1)
    console, projector = open_console_and_projector(live_server, new_context, facilitator, workshop)
    code = projector.locator("[data-join-code]").inner_text()
    assert code == workshop.join_code
    expect(projector.locator("svg.qr")).to_be_visible()
    assert_accessible(projector)

    # Five tablets join: four pick their name (one types the code loosely), one is a walk-in.
    tablets = [new_context(tablet=True).new_page() for _ in range(5)]
    polls = []
    tablets[0].on("response", lambda r: polls.append(r.status) if "/atelier/etat/" in r.url else None)
    tablets[0].goto(f"{live_server.url}/rejoindre/")
    assert_accessible(tablets[0])
    join_by_code(tablets[0], live_server, f"{code[:3].lower()} {code[3:].lower()}", "Aline")
    for tablet, agent in zip(tablets[1:4], agents[1:], strict=True):
        join_by_code(tablet, live_server, code, agent.display_name)
    walk_in = tablets[4]
    walk_in.goto(f"{live_server.url}/rejoindre/{code}/")
    walk_in.get_by_label("Votre prénom").fill("Gaëlle")
    walk_in.get_by_role("button", name="Prévenir l'animation").tap()
    expect(walk_in.get_by_text("L'animation va valider votre arrivée")).to_be_visible()
    console.get_by_role("button", name="Admettre Gaëlle").click()
    expect(walk_in.get_by_text("L'atelier va commencer", exact=False).first).to_be_visible(timeout=FOLLOW)
    assert_accessible(tablets[0])
    expect(console.locator("[data-count=joined]")).to_have_text("5", timeout=FOLLOW)
    tablets[0].wait_for_timeout(2_500)
    assert 304 in polls  # an unchanged state costs a 304, not a page

    # Sequence 1: qualities of the ideal, then of the chaotic relationship.
    sequence_action(console, "Ouvrir", "L'idéal et le chaotique")
    for tablet in tablets:
        expect(tablet.get_by_role("heading", name="La relation idéale")).to_be_visible(timeout=FOLLOW)
    assert_accessible(tablets[0])
    words = ["respect", "écoute", "respect", "dialogue", "sourire"]
    for tablet, word in zip(tablets[1:], words[1:], strict=True):
        tablet.get_by_label("Un mot ou une courte expression").fill(word)
        tablet.get_by_role("button", name="Ajouter").tap()
        expect(tablet.get_by_role("heading", name="Ce que vous avez écrit (1)")).to_be_visible()

    # Aline is typing when the facilitator pauses: her words stay; she sends them on resume.
    field = tablets[0].get_by_label("Un mot ou une courte expression")
    field.fill("respect")
    sequence_action(console, "Pause", "L'idéal et le chaotique")
    expect(tablets[0].get_by_text("En pause.")).to_be_visible(timeout=FOLLOW)
    expect(field).to_have_value("respect")
    tablets[0].get_by_role("button", name="Ajouter").tap()
    expect(tablets[0].get_by_text("La séquence est en pause")).to_be_visible()
    expect(tablets[0].get_by_label("Un mot ou une courte expression")).to_have_value("respect")
    sequence_action(console, "Reprendre", "L'idéal et le chaotique")
    expect(tablets[0].get_by_text("En cours : L'idéal et le chaotique")).to_be_visible(timeout=FOLLOW)
    tablets[0].get_by_role("button", name="Ajouter").tap()
    expect(tablets[0].get_by_role("heading", name="Ce que vous avez écrit (1)")).to_be_visible()

    ideal_cloud = projector.locator(".cloud-ideal")
    expect(ideal_cloud.locator("svg desc")).to_contain_text("respect (2 fois)", timeout=FOLLOW)
    expect(ideal_cloud.get_by_role("heading")).to_contain_text("(5 mots)")

    console.get_by_role("button", name="Passer à la relation chaotique").click()
    for tablet in tablets:
        expect(tablet.get_by_role("heading", name="La relation chaotique")).to_be_visible(timeout=FOLLOW)
    # A tablet loses Wi-Fi while sending: nothing is lost, and the retry counts once.
    offline = tablets[1]
    offline.get_by_label("Un mot ou une courte expression").fill("mépris")
    offline.context.set_offline(True)
    offline.get_by_role("button", name="Ajouter").tap()
    expect(offline.get_by_role("alert").filter(has_text="Connexion perdue")).to_be_visible()
    expect(offline.get_by_label("Un mot ou une courte expression")).to_have_value("mépris")
    offline.context.set_offline(False)
    offline.get_by_role("button", name="Ajouter").tap()
    expect(offline.locator(".mine-list li")).to_have_count(1)
    expect(projector.locator(".cloud-chaotic svg desc")).to_contain_text("mépris", timeout=FOLLOW)
    assert Quality.objects.filter(text="mépris").count() == 1

    # Live moderation: the facilitator hides a word; the projector drops it.
    console.reload()
    console.locator("tr", has_text="sourire").get_by_role("button", name="Masquer").click()
    expect(projector.locator(".cloud-ideal svg desc")).not_to_contain_text("sourire", timeout=FOLLOW)
    assert_accessible(console)

    # Sequence 2: positioning on the 0–10 scale.
    sequence_action(console, "Ouvrir", "Se positionner")
    for value, tablet in zip([3, 5, 6, 6, 8], tablets, strict=True):
        expect(tablet.get_by_role("group", name=re.compile("Aujourd'hui"))).to_be_visible(timeout=FOLLOW)
        tablet.locator(f"label[for=value-{value}]").tap()
        tablet.get_by_role("button", name="Enregistrer ma position").tap()
        expect(tablet.get_by_text(f"Votre position enregistrée : {value} sur 10")).to_be_visible()
    assert_accessible(tablets[0])
    expect(projector.get_by_role("heading", name="5 positionnements — médiane : 6 sur 10")).to_be_visible(
        timeout=FOLLOW
    )
    assert_accessible(projector)

    # Sequence 3: proposals, each with who would carry it.
    sequence_action(console, "Ouvrir", "Des actions pour atteindre l'idéal")
    carriers = ["Les agents", "Les usagers", "Les deux", "Les agents", "Les deux"]
    for n, (tablet, carrier) in enumerate(zip(tablets, carriers, strict=True)):
        expect(tablet.get_by_label("Votre proposition d'action")).to_be_visible(timeout=FOLLOW)
        tablet.get_by_label("Votre proposition d'action").fill(f"Action concrète n°{n + 1}")
        tablet.get_by_label(carrier, exact=True).check()
        tablet.get_by_role("button", name="Ajouter ma proposition").tap()
        expect(tablet.locator(".mine-list li")).to_contain_text(f"Action concrète n°{n + 1}")
    assert_accessible(tablets[0])
    expect(projector.get_by_role("heading", name="Les deux (2)")).to_be_visible(timeout=FOLLOW)
    expect(console.locator("[data-count=contributors]")).to_have_text("5", timeout=FOLLOW)
    console.get_by_role("button", name="Terminer l'atelier").click()
    expect(tablets[0].get_by_role("heading", name="Merci !")).to_be_visible(timeout=FOLLOW)
    assert Position.objects.count() == 5 and Proposal.objects.count() == 5
    assert Quality.objects.filter(sequence__workshop=workshop).count() == 6

    # --- The mixed workshop ----------------------------------------------------------------------
    live_data.mixed_people(concertation, agents=("Aline M", "Bruno M", "Chloé M"), users=("Driss", "Emma"))
    mixed = live_data.workshop(concertation, 3)
    quality_items = live_data.ballot(mixed)
    live_data.ballot(mixed, Activity.VOTE_PROPOSALS, texts=("Accueil sans rendez-vous", "Horaires élargis"))
    version = PosterVersion.objects.create(
        poster=Poster.objects.create(concertation=concertation), number=1, heading="Vivre ensemble ici"
    )
    version.qualities.create(text="Respect")
    version.commitments.create(party="agents", text="Les agents s'engagent à prendre le temps")

    console.goto(f"{live_server.url}/ateliers/{mixed.pk}/console/")
    projector.goto(f"{live_server.url}/ateliers/{mixed.pk}/projection/")
    mixed_code = projector.locator("[data-join-code]").inner_text()
    for tablet, name in zip(tablets, ["Aline M", "Bruno M", "Chloé M", "Driss", "Emma"], strict=True):
        join_by_code(tablet, live_server, mixed_code, name)
        expect(tablet.get_by_text("L'atelier va commencer", exact=False).first).to_be_visible()

    sequence_action(console, "Ouvrir", "Les qualités à promouvoir")
    for n, tablet in enumerate(tablets):
        expect(tablet.get_by_text("Il vous reste 5 points")).to_be_visible(timeout=FOLLOW)
        respect = tablet.locator(".ballot-item", has_text="Respect")
        for left in (4, 3):
            respect.get_by_role("button", name="Ajouter un point").tap()
            expect(tablet.get_by_text(f"Il vous reste {left} points")).to_be_visible()
        other = tablet.locator(".ballot-item", has_text=["Dialogue", "Écoute"][n % 2])
        other.get_by_role("button", name="Ajouter un point").tap()
        expect(tablet.get_by_text("Il vous reste 2 points")).to_be_visible()
    # Change of mind: take a point back.
    tablets[0].locator(".ballot-item", has_text="Dialogue").get_by_role(
        "button", name="Retirer un point"
    ).tap()
    expect(tablets[0].get_by_text("Il vous reste 3 points")).to_be_visible()
    assert_accessible(tablets[0])
    expect(projector.get_by_text("5 personnes ont voté.")).to_be_visible(timeout=FOLLOW)
    expect(projector.get_by_text("Résultats du vote")).to_have_count(0)
    expect(console.locator("[data-count=voters]")).to_have_text("5", timeout=FOLLOW)
    sequence_action(console, "Dévoiler les résultats", "Les qualités à promouvoir")
    results = projector.locator(".results")
    expect(results.locator("svg desc")).to_contain_text("Respect : 10 points", timeout=FOLLOW)
    # Three agents voted: their column is shown; only two users: theirs is not detailed.
    expect(results.locator("tbody tr").first.locator("td").nth(1)).to_have_text("6")
    expect(results.locator("tbody tr").first.locator("td").nth(2)).to_have_text("non détaillé")
    assert_accessible(projector)
    assert sum(Vote.objects.filter(ballot_item=quality_items[0]).values_list("points", flat=True)) == 10

    sequence_action(console, "Ouvrir", "Les propositions prioritaires")
    for tablet in tablets[:2]:
        item = tablet.locator(".ballot-item", has_text="Horaires élargis")
        expect(item).to_be_visible(timeout=FOLLOW)
        item.get_by_role("button", name="Ajouter un point").tap()
        expect(tablet.get_by_text("Il vous reste 4 points")).to_be_visible()

    sequence_action(console, "Ouvrir", "Valider l'affiche")
    for n, tablet in enumerate(tablets):
        expect(tablet.get_by_role("heading", name="Vivre ensemble ici")).to_be_visible(timeout=FOLLOW)
        tablet.get_by_label("Je valide", exact=True).check()
        if n == 0:
            tablet.get_by_label("Une remarque (facultatif)").fill("Bravo à toutes et tous")
        tablet.get_by_role("button", name="Envoyer mon avis").tap()
        expect(tablet.get_by_text("Votre avis enregistré : vous validez l'affiche.")).to_be_visible()
    assert_accessible(tablets[0])
    expect(projector.get_by_text("5 personnes valident l'affiche")).to_be_visible(timeout=FOLLOW)
    assert version.validations.filter(approves=True).count() == 5
    assert version.validations.get(remark__startswith="Bravo").participant.display_name == "Aline M"
