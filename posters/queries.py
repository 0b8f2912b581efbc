"""Read-only queries on the workshops' results, for composing the poster and for the report."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from workshops import charts
from workshops.models import (
    Activity,
    BallotItem,
    Concertation,
    PanelKind,
    Position,
    Proposal,
    Quality,
    Sequence,
)


def mixed_vote_sequences(concertation: Concertation) -> dict[str, Sequence]:
    """The mixed workshop's two vote sequences, by activity (one query)."""
    sequences = Sequence.objects.filter(
        workshop__concertation=concertation,
        workshop__panel__kind=PanelKind.MIXED,
        activity__in=Activity.voting(),
    )
    return {sequence.activity: sequence for sequence in sequences}


def ballot_ranking(sequence: Sequence | None) -> QuerySet[BallotItem]:
    """Items of a vote, most points first; ties keep the curated order."""
    if sequence is None:
        return BallotItem.objects.none()
    return (
        BallotItem.objects.filter(sequence=sequence)
        .annotate(
            points=Coalesce(Sum("votes__points"), 0),
            voters=Count("votes", distinct=True),
        )
        .order_by("-points", "order", "pk")
    )


def ranked_proposal_items(sequence: Sequence | None) -> QuerySet[BallotItem]:
    return ballot_ranking(sequence).prefetch_related(
        Prefetch("source_proposals", queryset=Proposal.objects.order_by("pk"))
    )


def attendance_counts(concertation: Concertation):
    """Workshops with how many people were present: counts only, never names."""
    return concertation.workshops.select_related("panel").annotate(
        present=Count("attendances", distinct=True)
    ).order_by("order")


def mixed_attendance(concertation: Concertation) -> int:
    return concertation.workshops.filter(panel__kind=PanelKind.MIXED).aggregate(
        present=Count("attendances", filter=Q(attendances__isnull=False))
    )["present"]


def report_data(concertation: Concertation) -> dict:
    """Everything the anonymous workshop report shows, in five queries whatever the size:
    workshops with attendance counts, qualities, proposals, positions and vote totals."""
    workshops = list(attendance_counts(concertation))
    by_workshop = {
        workshop.pk: {
            "workshop": workshop, "ideal": [], "chaotic": [], "proposals": [], "positions": [],
            "votes": [],
        }
        for workshop in workshops
    }
    for quality in Quality.objects.visible().filter(
        sequence__workshop__concertation=concertation
    ).select_related("sequence").order_by("created_at", "pk"):
        by_workshop[quality.sequence.workshop_id][quality.pole].append(quality.text)
    for proposal in Proposal.objects.visible().filter(
        sequence__workshop__concertation=concertation
    ).select_related("sequence").order_by("carried_by", "created_at", "pk"):
        by_workshop[proposal.sequence.workshop_id]["proposals"].append(proposal)
    for workshop_id, value in Position.objects.filter(
        sequence__workshop__concertation=concertation
    ).values_list("sequence__workshop_id", "value"):
        by_workshop[workshop_id]["positions"].append(value)
    items = (
        BallotItem.objects.filter(sequence__workshop__concertation=concertation)
        .select_related("sequence")
        .annotate(points=Coalesce(Sum("votes__points"), 0), voters=Count("votes", distinct=True))
        .order_by("sequence__order", "-points", "order", "pk")
    )
    ballots: dict[int, dict] = {}
    for item in items:
        ballot = ballots.setdefault(item.sequence_id, {"sequence": item.sequence, "items": []})
        ballot["items"].append(item)
    for ballot in ballots.values():
        by_workshop[ballot["sequence"].workshop_id]["votes"].append(ballot)
    sections = []
    for section in by_workshop.values():
        positions = section["positions"]
        section["median"] = charts.median(positions)
        section["positions_chart"] = (
            charts.position_distribution_svg(
                positions, title=str(_("Positionnements : %(title)s") % {"title": section["workshop"].title})
            )
            if positions
            else None
        )
        for ballot in section["votes"]:
            ballot["chart"] = charts.vote_bars_svg(
                [(item.text, item.points) for item in ballot["items"]], title=ballot["sequence"].title
            )
        sections.append(section)
    return {"sections": sections}
