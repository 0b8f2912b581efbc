"""precompiled.instance: a row read by the tablets' precompiled SQL becomes a model instance that
behaves as one the ORM loaded with ``only()``: values converted as the ORM converts them, other
fields loaded on access, ``save()`` writing only what it is told."""

import pytest
from django.db import connection
from django.db.models.signals import post_init

from tests.workshops import live_data
from workshops import precompiled, services
from workshops.models import Attendance, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def attendance(concertation):
    workshop = live_data.workshop(concertation, 1)
    participant = live_data.people(concertation, "agents", ["Aline"])[0]
    return services.attendance_join(workshop=workshop, participant=participant)


def raw_row(attendance: Attendance, columns: list[str]) -> tuple:
    """The row as the database driver gives it, before any converter (on SQLite, a date is text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {Attendance._meta.db_table} WHERE id = %s", [attendance.pk]
        )
        return cursor.fetchone()


def test_an_instance_built_from_a_row_is_the_one_the_orm_loads(attendance, django_assert_num_queries):
    columns = ["id", "workshop_id", "joined_at"]
    built = precompiled.instance(Attendance, columns, raw_row(attendance, columns))
    loaded = Attendance.objects.only(*columns).get(pk=attendance.pk)
    assert built == loaded and built.workshop_id == loaded.workshop_id
    assert built.joined_at == loaded.joined_at and built.joined_at.utcoffset() is not None
    assert built.get_deferred_fields() == loaded.get_deferred_fields() == {
        "participant_id", "walk_in_name", "mode", "token"
    }
    with django_assert_num_queries(1):  # the deferred field, on first access only
        assert built.token == attendance.token
        assert built.token == attendance.token
    assert built.get_mode_display() == "Sa propre tablette"


def test_an_instance_built_from_a_row_saves_only_what_it_is_told(attendance):
    columns = ["id", "workshop_id", "participant_id"]
    built = precompiled.instance(Attendance, columns, raw_row(attendance, columns))
    built.walk_in_name = "Zoé"
    built.save(update_fields=["walk_in_name"])
    attendance.refresh_from_db()
    assert attendance.walk_in_name == "Zoé" and attendance.mode == Attendance.Mode.TABLET


def test_a_related_instance_built_from_a_row_can_be_attached(attendance):
    workshop = precompiled.instance(Workshop, ["id", "title"], (attendance.workshop_id, "Atelier des agents"))
    place = precompiled.instance(Attendance, ["id"], (attendance.pk,))
    place.workshop = workshop
    assert place.workshop_id == attendance.workshop_id and place.workshop.title == "Atelier des agents"


def test_a_model_listened_to_at_init_is_refused_rather_than_built_silently(attendance):
    """Instances are built without Model.__init__: for a model whose pre_init or post_init has a
    receiver, that receiver would never be called, so such a model is refused."""
    def receiver(**kwargs):
        """Would set up the instance, if it were ever called."""

    post_init.connect(receiver, sender=Attendance)
    precompiled._converters.cache_clear()
    try:
        with pytest.raises(TypeError, match="init signals"):
            precompiled.instance(Attendance, ["id"], (attendance.pk,))
    finally:
        post_init.disconnect(receiver, sender=Attendance)
        precompiled._converters.cache_clear()
    assert precompiled.instance(Attendance, ["id"], (attendance.pk,)).pk == attendance.pk
