"""Who sees and changes which concertation, tested from the outside."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from tests import factories
from workshops.models import Concertation
from workshops.permissions import (
    can_create_concertation,
    can_lead_concertation,
    can_update_roadmap,
    can_view_concertation,
    led_workshop_or_404,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(concertation):
    return factories.service_manager(concertation.services.first(), username="resp.service")


def test_rules(concertation, facilitator, other_facilitator, manager, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.fr", "x")
    anonymous = AnonymousUser()
    served, other_service = concertation.services.order_by("pk")

    assert can_view_concertation(facilitator, concertation)
    assert can_lead_concertation(facilitator, concertation)
    assert not can_view_concertation(other_facilitator, concertation)
    assert not can_lead_concertation(other_facilitator, concertation)
    assert can_view_concertation(manager, concertation)
    assert not can_lead_concertation(manager, concertation)
    assert can_update_roadmap(manager, concertation=concertation, service_id=served.pk)
    assert not can_update_roadmap(manager, concertation=concertation, service_id=other_service.pk)
    assert can_update_roadmap(facilitator, concertation=concertation, service_id=other_service.pk)
    assert can_lead_concertation(admin, concertation)
    assert can_create_concertation(facilitator)
    assert not can_create_concertation(manager)
    assert not Concertation.objects.visible_to(anonymous).exists()


def test_inactive_accounts_see_nothing(concertation, facilitator):
    facilitator.is_active = False
    facilitator.save()
    assert not can_view_concertation(facilitator, concertation)


def test_anonymous_is_sent_to_login(client, concertation):
    for url in [reverse("workshops:home"), reverse("workshops:concertation", args=[concertation.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_another_facilitator_cannot_see_the_concertation(client, concertation, other_facilitator):
    client.force_login(other_facilitator)
    assert client.get(reverse("workshops:concertation", args=[concertation.pk])).status_code == 404
    home = client.get(reverse("workshops:home"))
    assert concertation.title not in home.content.decode()


def test_team_and_service_manager_see_it(client, concertation, facilitator, manager):
    for user in (facilitator, manager):
        client.force_login(user)
        page = client.get(reverse("workshops:concertation", args=[concertation.pk]))
        assert page.status_code == 200
        assert "Atelier 3 — panel mixte" in page.content.decode()


def test_a_workshop_is_led_by_its_team_and_the_administrator_only(
    concertation, facilitator, other_facilitator, manager, django_user_model, django_assert_num_queries
):
    """The console's and projector's check (asked every 2 s): the workshop comes with its
    concertation and panel, its dates as the ORM gives them, in one query."""
    workshop = concertation.workshops.order_by("order").first()
    workshop.starts_at = datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    workshop.save()
    admin = django_user_model.objects.create_superuser("root", "root@example.fr", "x")
    panel_kind = workshop.panel.kind
    for user in (facilitator, admin):
        with django_assert_num_queries(1):
            led = led_workshop_or_404(user, workshop.pk)
            assert led.concertation.title == concertation.title and led.panel.kind == panel_kind
        assert led.starts_at == workshop.starts_at and led.starts_at.tzinfo is not None
    elsewhere = factories.territorial_concertation(facilitators=[other_facilitator], title="Ailleurs")
    inactive = factories.facilitator(username="partie", is_active=False)
    concertation.facilitators.add(inactive)
    refused = [
        (other_facilitator, workshop.pk), (manager, workshop.pk), (AnonymousUser(), workshop.pk),
        (inactive, workshop.pk), (facilitator, elsewhere.workshops.first().pk), (admin, 10**17),
    ]
    for user, pk in refused:
        with pytest.raises(Http404):
            led_workshop_or_404(user, pk)
