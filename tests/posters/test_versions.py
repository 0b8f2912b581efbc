"""Validate and freeze: a validated poster never changes; editing it makes a new version."""

import pytest
from django.core.exceptions import ValidationError

from panels.models import Participant
from posters import services
from posters.models import Commitment, PosterFrozen, PosterQuality, PosterVersion
from posters.services import Header, ItemEdit
from workshops.models import Activity, BallotItem, PanelKind


def test_validated_poster_cannot_change_and_editing_makes_a_new_version(demo_version):
    sealed_hash = demo_version.content_hash
    assert sealed_hash == services.content_hash(demo_version.content)
    texts = list(demo_version.commitments.values_list("text", flat=True))

    demo_version.heading = "Autre titre"
    with pytest.raises(PosterFrozen):
        demo_version.save()
    commitment = demo_version.commitments.first()
    commitment.text = "ne plus rien faire"
    with pytest.raises(PosterFrozen):
        commitment.save()
    with pytest.raises(PosterFrozen):
        commitment.delete()
    commitment.refresh_from_db()
    assert commitment.text in texts
    with pytest.raises(PosterFrozen):
        PosterQuality(version=demo_version, text="ajout").save()
    with pytest.raises(PosterFrozen):
        services.poster_edit(
            version=demo_version, header=Header(heading="Autre"), qualities=[], commitments=[]
        )

    draft = services.poster_draft(concertation=demo_version.poster.concertation)
    assert (draft.number, draft.status, draft.based_on) == (2, PosterVersion.Status.DRAFT, demo_version)
    assert list(draft.commitments.values_list("text", flat=True)) == texts
    copied = draft.commitments.get(text=commitment.text)
    assert set(copied.source_proposals.all()) == set(commitment.source_proposals.all())
    assert copied.source_proposals.exists()

    services.poster_edit(
        version=draft,
        header=Header(heading="Vivre ensemble, deuxième version", participants_count=9),
        qualities=[ItemEdit(text="sourire", order=0)],
        commitments=[ItemEdit(pk=copied.pk, text="accueillir chacun avec le sourire", order=0,
                              party="agents")],
    )
    demo_version.refresh_from_db()
    assert demo_version.heading == "Vivre ensemble à la Maison de Hautepierre"
    assert demo_version.content_hash == sealed_hash
    assert list(demo_version.commitments.values_list("text", flat=True)) == texts
    assert services.content_hash(services.poster_content(demo_version)) == sealed_hash
    draft.refresh_from_db()
    assert draft.heading == "Vivre ensemble, deuxième version"
    assert draft.commitments.get(pk=copied.pk).text == "accueillir chacun avec le sourire"
    assert "sourire" in draft.qualities.values_list("text", flat=True)
    # The same call returns the same draft rather than a third version.
    assert services.poster_draft(concertation=demo_version.poster.concertation) == draft


def test_compose_takes_the_most_voted_items_and_keeps_their_sources(demo):
    version = PosterVersion.objects.get(number=1)
    concertation = version.poster.concertation
    draft = services.poster_compose(concertation=concertation, qualities_count=3, commitments_count=5)
    quality_items = list(
        services.ballot_ranking(
            services.mixed_vote_sequences(concertation)[Activity.VOTE_QUALITIES]
        )[:3]
    )
    assert list(draft.qualities.values_list("text", flat=True)) == [i.text for i in quality_items]
    assert quality_items[0].points >= quality_items[-1].points > 0
    commitments = list(draft.commitments.order_by("order"))
    assert len(commitments) == 5
    for commitment in commitments:
        item = BallotItem.objects.get(pk=commitment.source_item_id)
        assert commitment.text[0].islower()
        assert commitment.text.lower() == item.text.lower().rstrip(".")
        assert commitment.party == item.carried_by
        assert set(commitment.source_proposals.all()) == set(item.source_proposals.all())


def test_seal_by_show_of_hands_stores_counts_hash_and_files(concertation, facilitator, media):
    draft = services.poster_draft(concertation=concertation)
    services.poster_edit(
        version=draft, header=Header(heading="Notre affiche", participants_count=8),
        qualities=[ItemEdit(text="respect")],
        commitments=[ItemEdit(text="écouter sans interrompre", party="both")],
    )
    with pytest.raises(ValidationError, match="plus de participant·es pour que contre"):
        services.poster_seal(version=draft, by=facilitator, method="hands", approvals=3, rejections=4)
    version = services.poster_seal(
        version=draft, by=facilitator, method="hands", approvals=7, rejections=0, abstentions=1
    )
    version.refresh_from_db()
    assert version.is_frozen
    assert (version.approvals, version.rejections, version.abstentions) == (7, 0, 1)
    assert version.validated_by == facilitator and version.validated_at is not None
    assert version.content["commitments"]["both"] == ["écouter sans interrompre"]
    assert version.content_hash == services.content_hash(version.content)
    assert len(version.content_hash) == 64
    for field in (version.pdf_a4, version.pdf_a3, version.preview_png):
        assert field.name and field.size > 1000
    with version.preview_png.open("rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(PosterFrozen):
        services.poster_seal(version=version, by=facilitator, method="hands", approvals=8)


def test_tablet_validations_are_counted_then_refused_once_sealed(concertation, facilitator, media):
    mixed = concertation.panels.get(kind=PanelKind.MIXED)
    agents = concertation.panels.get(kind=PanelKind.AGENTS)
    people = [
        Participant.objects.create(home_panel=agents, display_name=f"P{i}", mixed_volunteer=True,
                                   in_mixed_panel=True)
        for i in range(3)
    ]
    assert mixed.concertation_id == concertation.pk
    draft = services.poster_draft(concertation=concertation)
    Commitment.objects.create(version=draft, party="agents", text="répondre aux courriels en 48 h")
    for person, approves in zip(people, [True, True, False], strict=True):
        services.poster_validation_record(version=draft, participant=person, approves=approves)
    version = services.poster_seal(version=draft, by=facilitator, method="tablets")
    assert (version.approvals, version.rejections) == (2, 1)
    with pytest.raises(PosterFrozen):
        services.poster_validation_record(version=version, participant=people[2], approves=True)
    assert version.validations.filter(approves=True).count() == 2
