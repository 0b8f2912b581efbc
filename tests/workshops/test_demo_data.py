import pytest
from django.core.management import call_command

from panels.models import Participant
from posters.models import PosterVersion, Roadmap
from workshops.models import Concertation, Position, Proposal, Quality, Vote

pytestmark = pytest.mark.django_db


def test_demo_is_a_real_territorial_case_and_loads_twice_without_duplicates():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    hautepierre = Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")
    assert hautepierre.scope == Concertation.Scope.TERRITORIAL
    assert hautepierre.services.count() == 4
    for panel in hautepierre.panels.all():
        size = Participant.objects.in_panel(panel).count()
        assert 6 <= size <= 10, (panel.kind, size)
    assert Quality.objects.filter(sequence__workshop__concertation=hautepierre).count() > 20
    assert Position.objects.filter(sequence__workshop__concertation=hautepierre).count() == 15
    assert Proposal.objects.filter(sequence__workshop__concertation=hautepierre).count() == 10
    # Every mixed-panel participant spent exactly the 5 points of each vote.
    for participant in Participant.objects.in_panel(hautepierre.panels.get(kind="mixed")):
        spent = Vote.objects.filter(participant=participant).values_list("points", flat=True)
        assert sum(spent) == 10
    poster = PosterVersion.objects.get(poster__concertation=hautepierre)
    assert poster.is_frozen and poster.commitments.count() == 7
    assert Roadmap.objects.filter(concertation=hautepierre).count() == 4
    assert Concertation.objects.count() == 2


def test_demo_can_be_reset():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", reset=True, verbosity=0)
    assert Concertation.objects.filter(title__startswith="Vivre ensemble à la Maison").count() == 1
