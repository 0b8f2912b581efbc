"""Data for the live-session tests: a concertation whose panels have people, ready to run."""

from panels.models import Participant
from tests import factories
from workshops.models import Activity, BallotItem, Sequence, Workshop


def people(concertation, kind: str, names) -> list[Participant]:
    panel = factories.panel(concertation, kind)
    return [factories.ParticipantFactory(home_panel=panel, display_name=name) for name in names]


def mixed_people(concertation, agents=("Aline", "Bruno", "Chloé"), users=("Driss", "Emma", "Fanny")):
    """Volunteers of both peer panels retained for the mixed panel."""
    chosen = []
    for kind, names in (("agents", agents), ("users", users)):
        panel = factories.panel(concertation, kind)
        chosen += [
            factories.ParticipantFactory(
                home_panel=panel, display_name=name, mixed_volunteer=True, in_mixed_panel=True
            )
            for name in names
        ]
    return chosen


def workshop(concertation, order: int) -> Workshop:
    return concertation.workshops.select_related("panel").get(order=order)


def sequence(workshop: Workshop, activity: str) -> Sequence:
    return workshop.sequences.get(activity=activity)


def ballot(
    workshop: Workshop, activity: str = Activity.VOTE_QUALITIES, texts=("Respect", "Dialogue", "Écoute")
):
    seq = sequence(workshop, activity)
    return [BallotItem.objects.create(sequence=seq, order=i, text=t) for i, t in enumerate(texts)]
