"""Bad rows are refused by the database itself, whatever code writes them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from panels.models import Participant
from posters.models import Poster, PosterVersion
from tests import factories
from workshops.models import (
    Activity,
    BallotItem,
    Concertation,
    MethodTemplate,
    Position,
    Sequence,
    Vote,
)
from workshops.services import default_method

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def agent(concertation):
    return factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_position_outside_0_10_is_refused(concertation, agent):
    sequence = Sequence.objects.get(
        workshop__concertation=concertation, activity=Activity.POSITIONING,
        workshop__order=1,
    )
    refused(lambda: Position.objects.create(sequence=sequence, participant=agent, value=11))
    Position.objects.create(sequence=sequence, participant=agent, value=10)
    refused(lambda: Position.objects.filter(participant=agent).update(value=42))
    assert Position.objects.get(participant=agent).value == 10


def test_one_position_per_participant_and_sequence(concertation, agent):
    sequence = Sequence.objects.get(
        workshop__concertation=concertation, activity=Activity.POSITIONING, workshop__order=1
    )
    Position.objects.create(sequence=sequence, participant=agent, value=3)
    refused(lambda: Position.objects.create(sequence=sequence, participant=agent, value=4))


def test_one_vote_row_per_participant_and_item_with_positive_points(concertation, agent):
    sequence = Sequence.objects.get(
        workshop__concertation=concertation, activity=Activity.VOTE_QUALITIES
    )
    item = BallotItem.objects.create(sequence=sequence, text="respect")
    Vote.objects.create(ballot_item=item, participant=agent, points=2)
    refused(lambda: Vote.objects.create(ballot_item=item, participant=agent, points=1))
    other = BallotItem.objects.create(sequence=sequence, text="dialogue")
    refused(lambda: Vote.objects.create(ballot_item=other, participant=agent, points=0))


def test_mixed_workshop_cannot_start_before_the_two_others(concertation):
    agents, users, mixed = concertation.workshops.order_by("order")
    start = datetime(2027, 3, 1, 14, 0, tzinfo=PARIS)
    agents.starts_at = start
    agents.save()
    users.starts_at = start + timedelta(days=21)
    users.save()

    mixed.starts_at = start + timedelta(days=7)
    refused(mixed.save)
    # Not even through a bulk update that skips model code.
    refused(lambda: concertation.workshops.filter(pk=mixed.pk).update(starts_at=start))
    # Nor by moving the agents workshop after the users one.
    refused(
        lambda: concertation.workshops.filter(pk=agents.pk).update(
            starts_at=start + timedelta(days=30)
        )
    )

    mixed.starts_at = start + timedelta(days=35)
    mixed.save()
    mixed.refresh_from_db()
    assert mixed.starts_at == start + timedelta(days=35)


def test_territorial_concertation_needs_a_site():
    refused(
        lambda: Concertation.objects.create(
            title="Sans site", scope=Concertation.Scope.TERRITORIAL, method=default_method()
        )
    )


def test_only_volunteers_join_the_mixed_panel(concertation):
    home = factories.panel(concertation, "users")
    refused(
        lambda: Participant.objects.create(
            home_panel=home, display_name="Léa", in_mixed_panel=True, mixed_volunteer=False
        )
    )


def test_a_single_default_method_template():
    refused(lambda: MethodTemplate.objects.create(name="Autre défaut", is_default=True))


def test_a_sequence_cannot_close_before_it_opened(concertation):
    sequence = Sequence.objects.filter(workshop__concertation=concertation).first()
    now = timezone.now()
    refused(
        lambda: Sequence.objects.filter(pk=sequence.pk).update(
            opened_at=now, closed_at=now - timedelta(minutes=5)
        )
    )


def test_a_validated_poster_version_is_sealed_with_a_hash(concertation):
    poster = Poster.objects.create(concertation=concertation)
    refused(
        lambda: PosterVersion.objects.create(
            poster=poster, number=1, heading="Affiche", status=PosterVersion.Status.VALIDATED
        )
    )
    PosterVersion.objects.create(poster=poster, number=1, heading="Affiche")
    refused(lambda: PosterVersion.objects.create(poster=poster, number=2, heading="Deux brouillons"))


def test_original_words_are_kept_when_a_contribution_is_reworded(concertation, agent):
    sequence = Sequence.objects.get(
        workshop__concertation=concertation, workshop__order=1, activity=Activity.PROPOSALS
    )
    proposal = sequence.proposals.create(
        participant=agent, text="ecrire les courier simplement", carried_by="agents"
    )
    proposal.text = "Écrire les courriers en français simple"
    proposal.save()
    proposal.refresh_from_db()
    assert proposal.original_text == "ecrire les courier simplement"
    assert proposal.text == "Écrire les courriers en français simple"
