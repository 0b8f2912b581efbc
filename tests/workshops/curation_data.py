"""Contributions of the agents and users workshops, for curation and moderation tests."""

import pytest

from workshops.models import Activity, Proposal, Quality, Sequence


class Contributions:
    """Adds qualities and proposals to workshop 1 (agents) or 2 (users) of a concertation."""

    def __init__(self, concertation):
        self.concertation = concertation

    def sequence(self, workshop_order: int, activity: str) -> Sequence:
        return Sequence.objects.get(
            workshop__concertation=self.concertation,
            workshop__order=workshop_order,
            activity=activity,
        )

    def quality(self, text: str, *, workshop: int = 1, pole: str = Quality.Pole.IDEAL) -> Quality:
        return Quality.objects.create(
            sequence=self.sequence(workshop, Activity.QUALITIES), text=text, pole=pole
        )

    def proposal(self, text: str, *, workshop: int = 1, carried_by: str = "agents") -> Proposal:
        return Proposal.objects.create(
            sequence=self.sequence(workshop, Activity.PROPOSALS), text=text, carried_by=carried_by
        )

    @property
    def mixed(self):
        return self.concertation.workshops.get(order=3)

    def vote_sequence(self, activity: str) -> Sequence:
        return self.sequence(3, activity)


@pytest.fixture
def contributions(concertation):
    return Contributions(concertation)
