import pytest
from django.core.management import call_command

from posters.models import PosterVersion
from tests import factories


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)


@pytest.fixture
def demo_version(demo) -> PosterVersion:
    return PosterVersion.objects.get(
        poster__concertation__title="Vivre ensemble à la Maison de Hautepierre"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager(concertation):
    return factories.service_manager(concertation.services.first(), username="responsable.test")
