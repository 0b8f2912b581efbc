"""The curation screen from the outside: who may use it, what each form does, query counts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.workshops.curation_data import Contributions
from workshops.curation import ballot_items_carry, contribution_hide, contributions_merge
from workshops.models import Activity, BallotItem, Concertation, Proposal, Quality, Sequence

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributions(concertation):
    return Contributions(concertation)


@pytest.fixture
def curated(contributions):
    """Workshops 1 and 2 after a session: duplicates across panels, a typo, a chaotic pole."""
    return {
        "ecoute": contributions.quality("Écoute", workshop=1),
        "lecoute": contributions.quality("l'écoute", workshop=2),
        "respect": contributions.quality("respect", workshop=2),
        "mepris": contributions.quality("mépris", workshop=1, pole=Quality.Pole.CHAOTIC),
        "horaires": contributions.proposal("Afichez les horaires", workshop=1),
        "reglement": contributions.proposal("Respecter le règlement", workshop=2, carried_by="users"),
    }


@pytest.fixture
def team(client, facilitator):
    client.force_login(facilitator)
    return client


def page_url(concertation):
    return reverse("workshops:curation", args=[concertation.pk])


def action_urls(concertation, curated):
    quality = curated["ecoute"]
    ballot_item = BallotItem.objects.create(
        sequence=Sequence.objects.get(
            workshop__concertation=concertation, activity=Activity.VOTE_QUALITIES
        ),
        text="écoute",
    )
    args = [concertation.pk]
    return [
        reverse("workshops:curation_reword", args=[*args, "qualites", quality.pk]),
        reverse("workshops:curation_hide", args=[*args, "qualites", quality.pk]),
        reverse("workshops:curation_unmerge", args=[*args, "qualites", quality.pk]),
        reverse("workshops:curation_merge", args=[*args, "qualites"]),
        reverse("workshops:curation_carry", args=args),
        reverse("workshops:curation_ballot_reword", args=[*args, ballot_item.pk]),
        reverse("workshops:curation_ballot_move", args=[*args, ballot_item.pk]),
    ]


# --- Permissions --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, concertation, curated):
    for url in [page_url(concertation), *action_urls(concertation, curated)]:
        response = client.post(url) if url != page_url(concertation) else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_facilitator_outside_the_team_gets_404_and_changes_nothing(
    client, concertation, curated, other_facilitator
):
    client.force_login(other_facilitator)
    assert client.get(page_url(concertation)).status_code == 404
    for url in action_urls(concertation, curated):
        response = client.post(
            url, {"text": "piraté", "hidden": "1", "items": [curated["lecoute"].pk],
                  "target": curated["ecoute"].pk, "direction": "up"}
        )
        assert response.status_code == 404, url
    ecoute = Quality.objects.get(pk=curated["ecoute"].pk)
    assert (ecoute.text, ecoute.hidden) == ("Écoute", False)
    assert not Quality.objects.filter(merged_into__isnull=False).exists()
    assert list(BallotItem.objects.values_list("text", flat=True)) == ["écoute"]


def test_service_manager_cannot_curate(client, concertation, curated):
    manager = factories.service_manager(concertation.services.first(), username="resp")
    client.force_login(manager)
    assert client.get(page_url(concertation)).status_code == 404
    for url in action_urls(concertation, curated):
        assert client.post(url, {"text": "x", "hidden": "1"}).status_code == 404, url
    assert not Quality.objects.filter(hidden=True).exists()


def test_contributions_of_another_concertation_are_out_of_reach(team, concertation, facilitator):
    other = Contributions(factories.territorial_concertation(facilitators=[facilitator]))
    foreign = other.quality("respect")
    url = reverse("workshops:curation_reword", args=[concertation.pk, "qualites", foreign.pk])
    assert team.post(url, {"text": "piraté"}).status_code == 404
    assert team.post(
        reverse("workshops:curation_reword", args=[concertation.pk, "inconnu", foreign.pk])
    ).status_code == 404
    assert Quality.objects.get(pk=foreign.pk).text == "respect"


def test_page_only_answers_get_and_actions_only_post(team, concertation, curated):
    assert team.post(page_url(concertation)).status_code == 405
    assert team.get(reverse("workshops:curation_carry", args=[concertation.pk])).status_code == 405


# --- The page and its forms ---------------------------------------------------------------------


def test_page_shows_contributions_with_origin_and_suggests_duplicates(team, concertation, curated):
    html = team.get(page_url(concertation)).content.decode()
    assert "Entre les ateliers : préparer les votes" in html
    assert "Doublons probables" in html
    pk = curated["ecoute"].pk
    assert f'value="{pk}" id="garder-qualites-{pk}" checked' in html
    assert "Panel agents" in html and "Panel usagers" in html
    assert "Qualités de la relation chaotique : 1 élément" in html
    assert "Construire les bulletins de vote" in html


def test_merge_reword_hide_and_build_the_ballot_without_javascript(team, concertation, curated):
    base = [concertation.pk]
    response = team.post(
        reverse("workshops:curation_merge", args=[*base, "qualites"]),
        {"items": [curated["ecoute"].pk, curated["lecoute"].pk], "target": curated["ecoute"].pk},
        follow=True,
    )
    html = response.content.decode()
    assert "1 doublon fusionné dans « Écoute »" in html
    assert "Doublons probables" not in html
    assert "Doublon fusionné ici" in html

    response = team.post(
        reverse("workshops:curation_reword", args=[*base, "propositions", curated["horaires"].pk]),
        {"text": "Afficher les horaires"},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#propositions-{curated['horaires'].pk}")
    html = team.get(response.url).content.decode()
    assert "Texte d'origine : « Afichez les horaires »" in html

    team.post(
        reverse("workshops:curation_hide", args=[*base, "qualites", curated["respect"].pk]),
        {"hidden": "1"},
    )
    html = team.post(reverse("workshops:curation_carry", args=base), follow=True).content.decode()
    assert "Bulletins à jour : 3 éléments ajoutés" in html
    assert "Éléments masqués" in html
    qualities = BallotItem.objects.filter(sequence__activity=Activity.VOTE_QUALITIES)
    assert [item.text for item in qualities] == ["Écoute"]
    assert set(qualities.get().source_qualities.all()) == {curated["ecoute"], curated["lecoute"]}
    proposals = BallotItem.objects.filter(sequence__activity=Activity.VOTE_PROPOSALS)
    assert list(proposals.values_list("text", "carried_by")) == [
        ("Afficher les horaires", "agents"),
        ("Respecter le règlement", "users"),
    ]
    html = team.post(reverse("workshops:curation_carry", args=base), follow=True).content.decode()
    assert "Les bulletins étaient déjà à jour" in html


def test_refused_reword_keeps_what_was_typed_and_explains(team, concertation, curated):
    url = reverse(
        "workshops:curation_reword", args=[concertation.pk, "qualites", curated["respect"].pk]
    )
    response = team.post(url, {"text": "r" * 301})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ne doit pas dépasser 300 caractères" in html
    assert 'aria-invalid="true"' in html
    assert f'value="{"r" * 301}"' in html
    assert Quality.objects.get(pk=curated["respect"].pk).text == "respect"


def test_htmx_reword_answers_the_row_only(team, concertation, curated):
    url = reverse(
        "workshops:curation_reword", args=[concertation.pk, "propositions", curated["horaires"].pk]
    )
    response = team.post(url, {"text": "Afficher les horaires"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="propositions-{curated["horaires"].pk}">')
    assert "Formulation enregistrée." in html
    assert "Texte d'origine : « Afichez les horaires »" in html

    response = team.post(url, {"text": "  "}, HTTP_HX_REQUEST="true")
    assert "La formulation ne peut pas être vide." in response.content.decode()
    assert Proposal.objects.get(pk=curated["horaires"].pk).text == "Afficher les horaires"


def test_bad_merge_input_gets_a_french_message(team, concertation, curated):
    url = reverse("workshops:curation_merge", args=[concertation.pk, "qualites"])
    response = team.post(url, {"items": ["abc"], "target": ""}, follow=True)
    assert "Choisissez la formulation à garder" in response.content.decode()
    response = team.post(
        url, {"items": [curated["ecoute"].pk, curated["mepris"].pk], "target": curated["ecoute"].pk},
        follow=True,
    )
    assert "ne qualifient pas la même relation" in response.content.decode()
    assert not Quality.objects.filter(merged_into__isnull=False).exists()


def test_ballot_item_reword_and_reorder(team, concertation, curated):
    team.post(reverse("workshops:curation_carry", args=[concertation.pk]))
    first, second = BallotItem.objects.filter(sequence__activity=Activity.VOTE_PROPOSALS)
    response = team.post(
        reverse("workshops:curation_ballot_reword", args=[concertation.pk, second.pk]),
        {"text": "Les usagers s'engagent à respecter le règlement", "carried_by": "users"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="element-{second.pk}"')
    assert "Texte d'origine : « Respecter le règlement »" in html
    team.post(
        reverse("workshops:curation_ballot_move", args=[concertation.pk, second.pk]),
        {"direction": "up"},
    )
    assert list(
        BallotItem.objects.filter(sequence__activity=Activity.VOTE_PROPOSALS).values_list("text", flat=True)
    ) == ["Les usagers s'engagent à respecter le règlement", "Afichez les horaires"]
    response = team.post(
        reverse("workshops:curation_ballot_move", args=[concertation.pk, second.pk]),
        {"direction": "sideways"},
        follow=True,
    )
    assert "Déplacement inconnu" in response.content.decode()


def test_locked_vote_is_shown_and_not_changed(team, concertation, curated):
    team.post(reverse("workshops:curation_carry", args=[concertation.pk]))
    Sequence.objects.filter(workshop__concertation=concertation, activity__in=Activity.voting()).update(
        status=Sequence.Status.CLOSED, opened_at=timezone.now(), closed_at=timezone.now()
    )
    carry = reverse("workshops:curation_carry", args=[concertation.pk])
    html = team.post(carry, follow=True).content.decode()
    assert "les bulletins ne peuvent plus changer" in html
    assert "Ce vote est déjà ouvert ou clos" in html
    assert "Monter" not in html


# --- Query count --------------------------------------------------------------------------------


def fill(contributions, size: int) -> None:
    """``size`` contributions of each kind in both workshops, some merged, hidden and carried."""
    for n in range(size):
        for workshop in (1, 2):
            root = contributions.quality(f"qualité {n} atelier {workshop}", workshop=workshop)
            duplicate = contributions.quality(f"Qualité {n} atelier {workshop} !", workshop=workshop)
            contributions_merge(target=root, duplicates=[duplicate])
            contributions.quality(f"chaos {n}/{workshop}", workshop=workshop, pole=Quality.Pole.CHAOTIC)
            contributions.proposal(f"proposition {n} de l'atelier {workshop}", workshop=workshop)
            contribution_hide(contribution=contributions.quality(f"masqué {n}", workshop=workshop))
    ballot_items_carry(mixed_workshop=contributions.mixed)


@pytest.mark.parametrize("size", [1, 8])
def test_page_query_count_does_not_grow(team, concertation, contributions, django_assert_num_queries, size):
    fill(contributions, size)
    # session, user, concertation (team check), qualities, proposals, vote sequences,
    # ballot items with their origin, their source qualities, their source proposals,
    # the user's own and group permissions (navigation in base.html)
    with django_assert_num_queries(11):
        response = team.get(page_url(concertation))
    assert response.status_code == 200
    assert BallotItem.objects.count() == 4 * size


def test_demo_concertation_shows_its_curation_and_its_closed_votes(client):
    call_command("load_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="animatrice"))
    hautepierre = Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")
    html = client.get(page_url(hautepierre)).content.decode()
    assert "Ce vote est déjà ouvert ou clos" in html
    assert "Panel agents" in html and "Panel usagers" in html
    assert "Construire les bulletins de vote" not in html
