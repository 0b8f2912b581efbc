"""Writes on posters and roadmaps that span several models."""

from django.db import transaction

from panels.models import Participant
from posters.models import PosterValidation, PosterVersion


class PosterFrozen(Exception):
    """A validated version never changes: edit a new draft instead."""


@transaction.atomic
def poster_validation_record(
    *, version: PosterVersion, participant: Participant, approves: bool, remark: str = ""
) -> PosterValidation:
    """A participant's « je valide / je ne valide pas » on the draft shown at the end of the
    mixed workshop; they can change their mind until the facilitator seals the version."""
    version = PosterVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise PosterFrozen
    validation, _created = PosterValidation.objects.update_or_create(
        version=version,
        participant=participant,
        defaults={"approves": approves, "remark": remark.strip()},
    )
    return validation
