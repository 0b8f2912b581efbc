"""Creating and editing a concertation, the « where it stands » page, calendar, run-of-show."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests import factories
from workshops.calendar import feed_token
from workshops.models import Concertation, Sequence, Service, Site
from workshops.roles import SERVICE_MANAGERS

pytestmark = pytest.mark.django_db


def test_create_a_territorial_concertation_with_a_new_site_and_services(client, facilitator):
    colleague = factories.facilitator(username="collegue")
    client.force_login(facilitator)
    response = client.get(reverse("workshops:concertation_create"))
    assert response.status_code == 200
    response = client.post(reverse("workshops:concertation_create"), {
        "title": "Vivre ensemble à la Maison du Neuhof", "scope": "territorial",
        "new_site": "Maison du Neuhof",
        "new_services": "Médiathèque\nMairie de quartier\n", "sponsor": "Direction de proximité",
        "project_lead": "Mme Schmitt", "objectives": "Améliorer l'accueil",
        "facilitators": [facilitator.pk, colleague.pk], "method": factories.default_method().pk,
    })
    concertation = Concertation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workshops:concertation", args=[concertation.pk])
    assert concertation.site.name == "Maison du Neuhof"
    assert sorted(s.name for s in concertation.services.all()) == ["Mairie de quartier", "Médiathèque"]
    assert set(concertation.facilitators.all()) == {facilitator, colleague}
    assert concertation.workshops.count() == 3
    assert Sequence.objects.filter(workshop__concertation=concertation).count() >= 8
    html = client.get(response["Location"]).content.decode()
    assert "Recruter le panel agents : 0 personne sur les 8 visées." in html


def test_scope_rules_are_explained(client, facilitator):
    site = factories.SiteFactory(name="Maison A")
    elsewhere = factories.ServiceFactory(name="CMS", site=factories.SiteFactory(name="Maison B"))
    client.force_login(facilitator)
    url = reverse("workshops:concertation_create")
    base = {"title": "T", "method": factories.default_method().pk, "facilitators": [facilitator.pk]}
    html = client.post(url, base | {"scope": "territorial"}).content.decode()
    assert "Une démarche territoriale porte sur un équipement" in html
    html = client.post(url, base | {"scope": "territorial", "site": site.pk,
                                    "services": [elsewhere.pk]}).content.decode()
    assert "rattachés à un autre équipement : CMS" in html
    html = client.post(url, base | {"scope": "thematic", "new_services": "A\nB"}).content.decode()
    assert "Une démarche thématique porte sur un seul service" in html
    assert not Concertation.objects.exists()
    client.post(url, base | {"scope": "thematic", "new_services": "Service funéraire"})
    assert Concertation.objects.get().services.get().name == "Service funéraire"


def test_only_facilitators_may_create(client, concertation):
    manager = factories.service_manager(*concertation.services.all())
    client.force_login(manager)
    assert client.get(reverse("workshops:concertation_create")).status_code == 404
    assert "Nouvelle démarche" not in client.get(reverse("workshops:home")).content.decode()


def test_edit_and_assign_service_managers(client, facilitator, concertation):
    manager = factories.UserFactory(username="resp")
    manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS))
    client.force_login(facilitator)
    service = concertation.services.first()
    response = client.post(reverse("workshops:concertation_managers", args=[concertation.pk]),
                           {f"service_{service.pk}": [manager.pk]})
    assert response.status_code == 302
    assert list(service.managers.all()) == [manager]
    data = {"title": "Nouveau titre", "scope": "territorial", "site": concertation.site_id,
            "services": [s.pk for s in concertation.services.all()], "facilitators": [facilitator.pk],
            "method": concertation.method_id}
    client.post(reverse("workshops:concertation_edit", args=[concertation.pk]), data)
    concertation.refresh_from_db()
    assert concertation.title == "Nouveau titre"


def test_another_facilitator_cannot_see_or_change_the_concertation(client, other_facilitator, concertation):
    workshop = concertation.workshops.first()
    workshop.starts_at = timezone.now() + timedelta(days=3)
    workshop.save()
    sequence = workshop.sequences.first()
    urls = [
        reverse("workshops:concertation", args=[concertation.pk]),
        reverse("workshops:concertation_edit", args=[concertation.pk]),
        reverse("workshops:concertation_managers", args=[concertation.pk]),
        reverse("workshops:schedule", args=[concertation.pk]),
        reverse("workshops:workshop_ics", args=[workshop.pk]),
        reverse("workshops:run_of_show", args=[workshop.pk]),
        reverse("workshops:sequence_edit", args=[sequence.pk]),
    ]
    client.force_login(other_facilitator)
    for url in urls:
        assert client.get(url).status_code == 404, url
        data = {"title": "Piraté", "planned_minutes": 5, "prompt": "x"}
        assert client.post(url, data).status_code == 404, url
    concertation.refresh_from_db()
    sequence.refresh_from_db()
    assert concertation.title != "Piraté" and sequence.title != "Piraté"
    assert concertation.title not in client.get(reverse("workshops:calendar")).content.decode()
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302


def test_ics_per_workshop_and_signed_feed(client, facilitator, concertation, other_facilitator):
    workshop = concertation.workshops.get(order=1)
    workshop.starts_at = timezone.now() + timedelta(days=10)
    workshop.place = "Salle 2"
    workshop.save()
    client.force_login(facilitator)
    response = client.get(reverse("workshops:workshop_ics", args=[workshop.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Salle 2"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=120)
    html = client.get(reverse("workshops:calendar")).content.decode()
    assert concertation.title in html and feed_token(facilitator) in html
    client.logout()
    feed = client.get(reverse("workshops:calendar_feed", args=[feed_token(facilitator)]))
    assert feed.status_code == 200 and len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    other = client.get(reverse("workshops:calendar_feed", args=[feed_token(other_facilitator)]))
    assert Calendar.from_ical(other.content).walk("VEVENT") == []
    forged = feed_token(facilitator).replace(str(facilitator.pk) + ":", str(other_facilitator.pk) + ":")
    assert client.get(reverse("workshops:calendar_feed", args=[forged])).status_code == 404


def test_run_of_show_edit_inline_and_warn_over_two_hours(client, facilitator, concertation):
    workshop = concertation.workshops.get(order=1)
    sequence = workshop.sequences.first()
    client.force_login(facilitator)
    url = reverse("workshops:sequence_edit", args=[sequence.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'name="planned_minutes"' in html
    others = sum(s.planned_minutes for s in workshop.sequences.exclude(pk=sequence.pk))
    response = client.post(url, {"title": "Idéal et chaotique", "planned_minutes": 130 - others,
                                 "prompt": "Imaginez"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Total : 130 minutes sur 120" in html and "plus que les 120" in html
    response = client.post(url, {"title": "", "planned_minutes": 0, "prompt": ""})
    assert response.status_code == 200
    sequence.refresh_from_db()
    assert sequence.title == "Idéal et chaotique"


@pytest.mark.parametrize("size", [2, 30])
def test_calendar_query_count_does_not_grow(client, facilitator, django_assert_num_queries, size):
    for i in range(size):
        c = factories.territorial_concertation(facilitators=[facilitator], title=f"D{i}")
        w = c.workshops.get(order=1)
        w.starts_at = timezone.now() + timedelta(days=i + 1)
        w.save()
    client.force_login(facilitator)
    # session, user, user and group permissions (nav), upcoming workshops with their concertation,
    # the generation of the subscription address
    with django_assert_num_queries(6):
        response = client.get(reverse("workshops:calendar"))
    assert response.content.decode().count("Ajouter à mon agenda") == size


def test_sites_and_services_created_inline_are_reusable(client, facilitator):
    client.force_login(facilitator)
    base = {"title": "T", "scope": "territorial", "method": factories.default_method().pk}
    url = reverse("workshops:concertation_create")
    client.post(url, base | {"new_site": "Maison X", "new_services": "A"})
    html = client.post(reverse("workshops:concertation_create"), base | {"new_site": "maison x",
                                                                       "new_services": "B"}).content.decode()
    assert "existe déjà" in html
    assert Site.objects.count() == 1 and Service.objects.count() == 1


@pytest.mark.parametrize("size", [2, 30])
def test_preparation_pages_query_counts_do_not_grow_with_the_panels(
    client, facilitator, concertation, django_assert_num_queries, size
):
    for kind in ("agents", "users"):
        factories.ParticipantFactory.create_batch(size, home_panel=factories.panel(concertation, kind),
                                                  mixed_volunteer=True, in_mixed_panel=True)
    workshop = concertation.workshops.get(order=3)
    client.force_login(facilitator)
    # session, user, user and group permissions (nav), concertation (team), workshops with minutes
    with django_assert_num_queries(6):
        assert client.get(reverse("workshops:schedule", args=[concertation.pk])).status_code == 200
    # session, user, user and group permissions (nav), workshop (team), sequences
    with django_assert_num_queries(6):
        assert client.get(reverse("workshops:run_of_show", args=[workshop.pk])).status_code == 200
    # session, user, workshop (team), mixed panel members
    with django_assert_num_queries(4):
        response = client.get(reverse("panels:signin_sheet", args=[workshop.pk]))
    assert response["Content-Type"] == "application/pdf"
