"""Curation services: the participants' words are never lost, the ballots are rebuilt safely."""

import time

import pytest
from django.utils import timezone

from tests import factories
from tests.workshops.curation_data import Contributions
from workshops.curation import (
    CurationError,
    ballot_item_move,
    ballot_item_reword,
    ballot_items_carry,
    ballot_items_with_origin,
    contribution_hide,
    contribution_reword,
    contribution_unmerge,
    contributions_merge,
    duplicate_suggestions,
    normalize_text,
)
from workshops.models import Activity, BallotItem, Quality, Sequence

pytestmark = pytest.mark.django_db

IDEAL, CHAOTIC = Quality.Pole.IDEAL, Quality.Pole.CHAOTIC


@pytest.fixture
def contributions(concertation):
    return Contributions(concertation)


def texts(groups):
    return [[item.text for item in group] for group in groups]


def ballot(contributions, activity=Activity.VOTE_QUALITIES):
    """Each item of a ballot as (text, sorted source texts), in ballot order."""
    sequence = contributions.vote_sequence(activity)
    items = sequence.ballot_items.order_by("order").prefetch_related(
        "source_qualities", "source_proposals"
    )
    return [
        (
            item.text,
            sorted(s.text for s in [*item.source_qualities.all(), *item.source_proposals.all()]),
        )
        for item in items
    ]


# --- Reword, hide, merge ------------------------------------------------------------------------


def test_reword_keeps_the_participants_words(contributions):
    quality = contributions.quality("acceuil chaleureux")
    contribution_reword(contribution=quality, text="  accueil   chaleureux ")
    quality.refresh_from_db()
    assert quality.text == "accueil chaleureux"
    assert quality.original_text == "acceuil chaleureux"
    contribution_reword(contribution=quality, text="un accueil chaleureux")
    quality.refresh_from_db()
    assert quality.original_text == "acceuil chaleureux"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "ne peut pas être vide"), ("x" * 301, "ne doit pas dépasser 300 caractères")],
)
def test_reword_refuses_empty_or_too_long_text_in_french(contributions, text, message):
    proposal = contributions.proposal("Afficher les horaires")
    with pytest.raises(CurationError) as refused:
        contribution_reword(contribution=proposal, text=text)
    assert message in refused.value.message
    proposal.refresh_from_db()
    assert proposal.text == "Afficher les horaires"


def test_hide_and_show_again(contributions):
    quality = contributions.quality("nul")
    contribution_hide(contribution=quality)
    assert not Quality.objects.visible().filter(pk=quality.pk).exists()
    contribution_hide(contribution=quality, hidden=False)
    assert Quality.objects.visible().filter(pk=quality.pk).exists()


def test_merge_points_duplicates_at_the_target_and_deletes_nothing(contributions):
    target = contributions.quality("écoute", workshop=1)
    same = contributions.quality("l'écoute", workshop=2)
    plural = contributions.quality("écoutes", workshop=2)
    contributions_merge(target=target, duplicates=[same, plural])
    assert list(Quality.objects.visible()) == [target]
    assert set(target.merged.values_list("original_text", flat=True)) == {"l'écoute", "écoutes"}
    assert Quality.objects.count() == 3


def test_merging_into_a_new_target_brings_earlier_duplicates_along(contributions):
    first = contributions.quality("respect")
    second = contributions.quality("respects")
    third = contributions.quality("le respect")
    contributions_merge(target=second, duplicates=[first])
    contributions_merge(target=third, duplicates=[second])
    assert set(third.merged.all()) == {first, second}
    contribution_unmerge(contribution=first)
    first.refresh_from_db()
    assert first.merged_into is None


def test_merge_refusals_are_explained_in_french(contributions, facilitator):
    ideal = contributions.quality("calme")
    chaotic = contributions.quality("calme", pole=CHAOTIC)
    proposal = contributions.proposal("Un espace calme")
    elsewhere = Contributions(factories.territorial_concertation(facilitators=[facilitator]))
    foreign = elsewhere.quality("calme")
    hidden = contributions.quality("tranquille")
    contribution_hide(contribution=hidden)

    cases = [
        (ideal, [ideal], "ne peut pas être fusionné avec lui-même"),
        (ideal, [chaotic], "ne qualifient pas la même relation"),
        (ideal, [proposal], "Une qualité et une proposition ne peuvent pas être fusionnées"),
        (ideal, [foreign], "appartient à une autre démarche"),
        (hidden, [ideal], "est masqué"),
        (ideal, [], "Choisissez au moins un doublon"),
    ]
    for target, duplicates, message in cases:
        with pytest.raises(CurationError) as refused:
            contributions_merge(target=target, duplicates=duplicates)
        assert message in refused.value.message
    assert not Quality.objects.filter(merged_into__isnull=False).exists()

    contributions_merge(target=ideal, duplicates=[contributions.quality("calmes")])
    merged = ideal.merged.get()
    with pytest.raises(CurationError, match="déjà fusionné"):
        contributions_merge(target=merged, duplicates=[contributions.quality("le calme")])


# --- Likely duplicates --------------------------------------------------------------------------


class Word:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def suggest(*words):
    return texts(duplicate_suggestions([Word(w) for w in words]))


def test_normalized_form_sets_aside_case_accents_elisions_and_plurals():
    assert normalize_text("L'Écoutes !") == "ecoute"
    assert normalize_text("Accueil de qualité") == normalize_text("accueil de qualite")
    assert normalize_text("services sociaux") == normalize_text("service social")
    assert normalize_text("Cœur") == "coeur"


def test_suggestions_on_french_examples():
    assert suggest("Écoute", "respect", "l'écoute", "écoutes", "Respect !") == [
        ["Écoute", "l'écoute", "écoutes"],
        ["respect", "Respect !"],
    ]
    assert suggest("accueil de qualité", "Accueil de qualite", "dialogue") == [
        ["accueil de qualité", "Accueil de qualite"]
    ]
    # Typos and near-identical wording, words in another order.
    assert suggest("acceuil", "accueil") == [["acceuil", "accueil"]]
    assert suggest(
        "Prendre le temps d'expliquer", "prendre plus de temps pour expliquer", "Ouvrir le samedi"
    ) == [["Prendre le temps d'expliquer", "prendre plus de temps pour expliquer"]]
    assert suggest("politesse et respect", "respect et politesse") == [
        ["politesse et respect", "respect et politesse"]
    ]


def test_suggestions_do_not_merge_different_words():
    assert suggest("sale", "salle", "lent", "lien", "agressif", "agressivité", "!!!", "?") == []
    assert suggest("respect des agents", "respect des usagers") == []
    assert suggest("Ouvrir 2 samedis par mois", "Ouvrir 3 samedis par mois") == []


def test_suggestions_never_mix_the_ideal_and_the_chaotic_pole(contributions):
    calm = contributions.quality("calme")
    contributions.quality("Calme", pole=CHAOTIC)
    also_calm = contributions.quality("le calme")
    assert duplicate_suggestions(Quality.objects.order_by("pk")) == [[calm, also_calm]]


def test_suggestions_are_deterministic_and_fast():
    words = [Word(f"proposition numéro {n} pour le service") for n in range(600)]
    words += [Word("Ecoute"), Word("écoute")]
    started = time.process_time()  # CPU time: a busy machine must not fail the test, a slow algorithm must
    first = duplicate_suggestions(words)
    assert time.process_time() - started < 5
    assert texts(first) == texts(duplicate_suggestions(words))
    assert texts(first) == [["Ecoute", "écoute"]]


# --- Ballots of the mixed workshop --------------------------------------------------------------


def test_carry_builds_one_item_per_visible_contribution_with_its_sources(contributions):
    ecoute = contributions.quality("écoute", workshop=1)
    lecoute = contributions.quality("l'écoute", workshop=2)
    contributions.quality("respect", workshop=2)
    contributions.quality("mépris", workshop=1, pole=CHAOTIC)
    contribution_hide(contribution=contributions.quality("insulte", workshop=2))
    contributions_merge(target=ecoute, duplicates=[lecoute])
    contributions.proposal("Afficher les horaires", workshop=1, carried_by="agents")
    contributions.proposal("Respecter le règlement", workshop=2, carried_by="users")

    result = ballot_items_carry(mixed_workshop=contributions.mixed)

    assert (result.created, result.updated, result.removed) == (4, 0, 0)
    assert ballot(contributions) == [("écoute", ["l'écoute", "écoute"]), ("respect", ["respect"])]
    assert ballot(contributions, Activity.VOTE_PROPOSALS) == [
        ("Afficher les horaires", ["Afficher les horaires"]),
        ("Respecter le règlement", ["Respecter le règlement"]),
    ]
    carriers = BallotItem.objects.filter(sequence__activity=Activity.VOTE_PROPOSALS)
    assert list(carriers.values_list("carried_by", flat=True)) == ["agents", "users"]


def test_carry_is_idempotent(contributions):
    contributions.quality("écoute", workshop=1)
    contributions.proposal("Afficher les horaires")
    ballot_items_carry(mixed_workshop=contributions.mixed)
    before = list(BallotItem.objects.values_list("pk", "order", "text"))
    again = ballot_items_carry(mixed_workshop=contributions.mixed)
    assert not again.changed
    assert list(BallotItem.objects.values_list("pk", "order", "text")) == before


def test_refreshing_follows_the_curation_and_keeps_the_ballot_wording(contributions):
    ecoute = contributions.quality("écoute", workshop=1)
    lecoute = contributions.quality("l'écoute", workshop=2)
    respect = contributions.quality("respect", workshop=2)
    ballot_items_carry(mixed_workshop=contributions.mixed)
    item = BallotItem.objects.get(text="respect")
    ballot_item_reword(item=item, text="le respect mutuel")

    contributions_merge(target=ecoute, duplicates=[lecoute])
    contributions.quality("sourire", workshop=1)
    result = ballot_items_carry(mixed_workshop=contributions.mixed)

    assert (result.created, result.updated, result.removed) == (1, 1, 1)
    assert ballot(contributions) == [
        ("écoute", ["l'écoute", "écoute"]),
        ("le respect mutuel", ["respect"]),
        ("sourire", ["sourire"]),
    ]
    assert respect.original_text == "respect"

    contribution_unmerge(contribution=lecoute)
    contribution_hide(contribution=respect)
    ballot_items_carry(mixed_workshop=contributions.mixed)
    assert ballot(contributions) == [
        ("écoute", ["écoute"]),
        ("sourire", ["sourire"]),
        ("l'écoute", ["l'écoute"]),
    ]


def test_rewording_a_contribution_updates_the_item_that_shows_its_words(contributions):
    proposal = contributions.proposal("Afichez les horaires")
    ballot_items_carry(mixed_workshop=contributions.mixed)
    contribution_reword(contribution=proposal, text="Afficher les horaires")
    assert ballot(contributions, Activity.VOTE_PROPOSALS) == [
        ("Afficher les horaires", ["Afficher les horaires"])
    ]
    proposal.refresh_from_db()
    assert proposal.original_text == "Afichez les horaires"


def test_panel_of_origin_of_each_item(contributions):
    ecoute = contributions.quality("écoute", workshop=1)
    contributions_merge(target=ecoute, duplicates=[contributions.quality("écoutes", workshop=2)])
    contributions.quality("respect", workshop=1)
    contributions.quality("sourire", workshop=2)
    ballot_items_carry(mixed_workshop=contributions.mixed)
    origins = {
        item.text: (item.from_agents, item.from_users)
        for item in ballot_items_with_origin(BallotItem.objects.all())
    }
    assert origins == {
        "écoute": (True, True),
        "respect": (True, False),
        "sourire": (False, True),
    }


def test_reword_and_carrier_of_a_ballot_item(contributions):
    contributions.proposal("plus de politesse", carried_by="agents")
    ballot_items_carry(mixed_workshop=contributions.mixed)
    item = BallotItem.objects.get()
    ballot_item_reword(item=item, text="Les deux s'engagent à plus de politesse", carried_by="both")
    item.refresh_from_db()
    assert (item.text, item.carried_by) == ("Les deux s'engagent à plus de politesse", "both")
    assert item.source_proposals.get().original_text == "plus de politesse"
    with pytest.raises(CurationError, match="qui porterait"):
        ballot_item_reword(item=item, text="x", carried_by="elus")


def test_move_items_up_and_down(contributions):
    for word in ("écoute", "respect", "sourire"):
        contributions.quality(word)
    ballot_items_carry(mixed_workshop=contributions.mixed)
    sourire = BallotItem.objects.get(text="sourire")
    ballot_item_move(item=sourire, direction="up")
    assert [t for t, _ in ballot(contributions)] == ["écoute", "sourire", "respect"]
    ballot_item_move(item=BallotItem.objects.get(text="écoute"), direction="up")
    ballot_item_move(item=BallotItem.objects.get(text="écoute"), direction="down")
    assert [t for t, _ in ballot(contributions)] == ["sourire", "écoute", "respect"]


def test_opened_or_closed_votes_cannot_change(contributions):
    contributions.quality("écoute")
    contributions.proposal("Afficher les horaires")
    ballot_items_carry(mixed_workshop=contributions.mixed)
    qualities_vote = contributions.vote_sequence(Activity.VOTE_QUALITIES)
    qualities_vote.status = Sequence.Status.OPEN
    qualities_vote.opened_at = timezone.now()
    qualities_vote.save()
    item = qualities_vote.ballot_items.get()

    for change in (
        lambda: ballot_item_reword(item=item, text="l'écoute"),
        lambda: ballot_item_move(item=item, direction="down"),
    ):
        with pytest.raises(CurationError, match="déjà ouvert ou clos"):
            change()
    contributions.quality("respect")
    contributions.proposal("Ouvrir le samedi")
    result = ballot_items_carry(mixed_workshop=contributions.mixed)
    assert result.locked == [qualities_vote]
    assert ballot(contributions) == [("écoute", ["écoute"])]
    assert len(ballot(contributions, Activity.VOTE_PROPOSALS)) == 2

    proposals_vote = contributions.vote_sequence(Activity.VOTE_PROPOSALS)
    proposals_vote.status = Sequence.Status.CLOSED
    proposals_vote.opened_at = proposals_vote.closed_at = timezone.now()
    proposals_vote.save()
    with pytest.raises(CurationError, match="les bulletins ne peuvent plus changer"):
        ballot_items_carry(mixed_workshop=contributions.mixed)


def test_moderation_refreshes_the_projector_of_the_workshop(contributions):
    quality = contributions.quality("nul", workshop=2)
    agents, users = contributions.concertation.workshops.order_by("order")[:2]
    contribution_hide(contribution=quality)
    contribution_reword(contribution=quality, text="bof")
    agents.refresh_from_db()
    users.refresh_from_db()
    assert (agents.content_version, users.content_version) == (0, 2)


def test_merging_into_a_target_merged_meanwhile_is_refused(contributions):
    """Two facilitators at once: the second decides on the current row, not on a stale copy."""
    first, second, third = (contributions.quality(t) for t in ("calme", "calmes", "le calme"))
    stale_second = Quality.objects.get(pk=second.pk)
    contributions_merge(target=first, duplicates=[second])
    with pytest.raises(CurationError, match="déjà fusionné"):
        contributions_merge(target=stale_second, duplicates=[third])
    third.refresh_from_db()
    assert third.merged_into is None
