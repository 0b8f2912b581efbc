"""Factories for the method's objects; a concertation is always built from a method template."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from panels.models import Panel, Participant
from workshops.models import Concertation, Service, Site
from workshops.roles import FACILITATORS, SERVICE_MANAGERS
from workshops.services import concertation_create, default_method


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fr")
    password = factory.django.Password("mot-de-passe-test")


def facilitator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=FACILITATORS))
    return user


def service_manager(*services, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=SERVICE_MANAGERS))
    user.managed_services.add(*services)
    return user


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Maison de quartier n°{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service n°{n}")


def territorial_concertation(*, facilitators=(), services=2, title="Démarche test"):
    site = SiteFactory()
    return concertation_create(
        title=title,
        scope=Concertation.Scope.TERRITORIAL,
        site=site,
        services=[ServiceFactory(site=site) for _ in range(services)],
        method=default_method(),
        facilitators=facilitators,
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    display_name = factory.Faker("first_name", locale="fr_FR")
    sex = factory.Iterator(["f", "m"])
    age_band = factory.Iterator(["25-39", "40-54", "55-64"])


def panel(concertation: Concertation, kind: str) -> Panel:
    return concertation.panels.get(kind=kind)
