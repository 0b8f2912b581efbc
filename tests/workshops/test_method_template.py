"""The method is data: the default template, its instantiation, and adapted copies."""

import pytest

from tests import factories
from workshops.models import Activity, MethodTemplate, SequenceTemplate
from workshops.services import concertation_create, default_method, method_template_copy

pytestmark = pytest.mark.django_db


def test_default_template_is_the_strasbourg_method():
    method = default_method()
    workshops = list(method.workshop_templates.order_by("order"))
    assert [w.panel_kind for w in workshops] == ["agents", "users", "mixed"]
    for workshop in workshops:
        minutes = sum(s.planned_minutes for s in workshop.sequence_templates.all())
        assert minutes == workshop.duration_minutes == 120
    peer = [s.activity for s in workshops[0].sequence_templates.order_by("order")]
    assert peer == [Activity.QUALITIES, Activity.POSITIONING, Activity.PROPOSALS]
    mixed = {s.activity: s for s in workshops[2].sequence_templates.all()}
    assert mixed[Activity.VOTE_QUALITIES].points_per_participant == 5
    assert mixed[Activity.VOTE_PROPOSALS].points_per_participant == 5
    assert "relation idéale" in workshops[0].sequence_templates.first().prompt


def test_creating_a_concertation_instantiates_panels_workshops_and_sequences(facilitator):
    concertation = factories.territorial_concertation(facilitators=[facilitator], services=4)

    workshops = list(concertation.workshops.select_related("panel").order_by("order"))
    assert [w.panel.kind for w in workshops] == ["agents", "users", "mixed"]
    assert [w.title for w in workshops] == [
        "Atelier 1 — panel agents",
        "Atelier 2 — panel usagers",
        "Atelier 3 — panel mixte",
    ]
    assert [w.sequences.count() for w in workshops] == [3, 3, 3]
    assert len({w.join_code for w in workshops}) == 3
    assert concertation.services.count() == 4
    assert list(concertation.facilitators.all()) == [facilitator]


def test_a_copied_template_can_be_adapted_without_touching_the_default(facilitator):
    original = default_method()
    copy = method_template_copy(template=original, name="Accueil des nouveaux arrivants")
    SequenceTemplate.objects.filter(
        workshop_template__method=copy, activity=Activity.VOTE_PROPOSALS
    ).update(points_per_participant=3, prompt="Choisissez trois priorités.")

    concertation = factories.territorial_concertation(facilitators=[facilitator])
    adapted = concertation_create(
        title="Accueil",
        scope="thematic",
        services=[factories.ServiceFactory()],
        method=copy,
    )

    vote = adapted.workshops.get(order=3).sequences.get(activity=Activity.VOTE_PROPOSALS)
    assert (vote.points_per_participant, vote.prompt) == (3, "Choisissez trois priorités.")
    untouched = concertation.workshops.get(order=3).sequences.get(
        activity=Activity.VOTE_PROPOSALS
    )
    assert untouched.points_per_participant == 5
    assert copy.copied_from == original
    assert MethodTemplate.objects.get(is_default=True) == original
