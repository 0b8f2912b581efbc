"""Personal data of participants (RGPD): export, erasure, and purge after the retention period.

Erasure keeps the participant row, anonymised, so that contributions, positions and votes stay
counted (totals of a vote never change after the fact) while nothing identifies the person.
The consent date and method are kept with the erasure date and author: a non-identifying trace
that consent was given and that the data was erased."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panels.models import Participant
from posters.models import PosterValidation
from workshops.models import Attendance, Concertation, Position, Proposal, Quality, Vote

ANONYMOUS_NAME = gettext_lazy("Participant·e anonymisé·e")
IDENTITY_FIELDS = ["display_name", "email", "phone"]
ATTRIBUTE_FIELDS = ["sex", "age_band", "admin_category", "job_family", "profile"]


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def participant_export(participant: Participant) -> dict:
    """Everything the app holds about one person, in plain values (JSON-ready)."""
    attendances = Attendance.objects.filter(participant=participant).select_related("workshop")
    qualities = Quality.objects.filter(participant=participant).select_related("sequence__workshop")
    proposals = Proposal.objects.filter(participant=participant).select_related("sequence__workshop")
    positions = Position.objects.filter(participant=participant).select_related("sequence__workshop")
    votes = Vote.objects.filter(participant=participant).select_related("ballot_item__sequence__workshop")
    opinions = PosterValidation.objects.filter(participant=participant).select_related("version")
    panel = participant.home_panel
    return {
        "identity": {
            "id": participant.pk,
            "display_name": participant.display_name,
            "email": participant.email,
            "phone": participant.phone,
            "panel": panel.get_kind_display(),
            "concertation": panel.concertation.title,
            "created_at": _when(participant.created_at),
            "invited_at": _when(participant.invited_at),
        },
        "attributes": {name: getattr(participant, name) for name in ATTRIBUTE_FIELDS}
        | {"mixed_volunteer": participant.mixed_volunteer, "in_mixed_panel": participant.in_mixed_panel},
        "consent": {
            "given_on": _when(participant.consent_on),
            "method": participant.get_consent_method_display() if participant.consent_method else "",
            "accepts_contact": participant.consent_contact,
            "scope": participant.consent_scope,
        },
        "erasure": {
            "erased_at": _when(participant.erased_at),
            "erased_by": participant.erased_by_label,
        },
        "attendances": [
            {"workshop": a.workshop.title, "joined_at": _when(a.joined_at), "mode": a.get_mode_display()}
            for a in attendances
        ],
        "qualities": [
            {"workshop": q.sequence.workshop.title, "sequence": q.sequence.title,
             "pole": q.get_pole_display(), "text": q.text, "original_text": q.original_text,
             "hidden": q.hidden, "created_at": _when(q.created_at)}
            for q in qualities
        ],
        "proposals": [
            {"workshop": p.sequence.workshop.title, "sequence": p.sequence.title,
             "carried_by": p.get_carried_by_display(), "text": p.text, "original_text": p.original_text,
             "hidden": p.hidden, "created_at": _when(p.created_at)}
            for p in proposals
        ],
        "positions": [
            {"workshop": p.sequence.workshop.title, "sequence": p.sequence.title, "value": p.value,
             "updated_at": _when(p.updated_at)}
            for p in positions
        ],
        "votes": [
            {"workshop": v.ballot_item.sequence.workshop.title, "sequence": v.ballot_item.sequence.title,
             "item": v.ballot_item.text, "points": v.points, "updated_at": _when(v.updated_at)}
            for v in votes
        ],
        "poster_opinions": [
            {"poster_version": o.version.number, "approves": o.approves, "remark": o.remark,
             "created_at": _when(o.created_at)}
            for o in opinions
        ],
    }


def _erase(participant: Participant, *, at: datetime, by, label: str) -> None:
    participant.display_name = str(ANONYMOUS_NAME)
    participant.email = ""
    participant.phone = ""
    for name in ATTRIBUTE_FIELDS:
        setattr(participant, name, "")
    participant.consent_contact = False
    participant.consent_scope = ""
    participant.invited_at = None
    participant.erased_at = at
    participant.erased_by = by
    participant.erased_by_label = label
    participant.save()
    Attendance.objects.filter(participant=participant).exclude(walk_in_name="").update(walk_in_name="")


@transaction.atomic
def participant_erase(*, participant: Participant, by) -> Participant:
    """« Droit à l'effacement »: identity and attributes go; contributions and votes stay, unnamed."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.is_erased:
        return participant
    _erase(participant, at=timezone.now(), by=by, label=by.get_full_name() or by.get_username())
    return participant


@transaction.atomic
def participant_withdraw(*, participant: Participant, by) -> bool:
    """« Retirer du panel ». Someone who has not taken part yet is deleted, with all they gave
    the team. Someone who has is erased instead, and leaves the mixed panel: deleting them would
    also delete their votes and positions, changing results that others saw and validated.
    True when the person was deleted."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not participant.attendances.exists():
        participant.delete()
        return True
    if not participant.is_erased:
        _erase(participant, at=timezone.now(), by=by, label=by.get_full_name() or by.get_username())
    Participant.objects.filter(pk=participant.pk).update(in_mixed_panel=False, mixed_volunteer=False)
    return False


def purge_day(closed_at: datetime) -> date:
    """The day from which the personal data of a concertation closed at that moment are erased:
    the retention period in calendar days after the (local) day of closing, as the privacy page
    and the closing page say it; the daily ``purge_personal_data`` erases them on its first run
    that day or after."""
    return timezone.localdate(closed_at) + timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def concertations_past_retention(now: datetime | None = None) -> QuerySet[Concertation]:
    """Closed concertations whose purge day (``purge_day``) has come: closed before the local
    midnight that starts the day ``retention period - 1`` days before today."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    first_kept_day = timezone.localdate(now or timezone.now()) - timedelta(days=days - 1)
    first_kept = timezone.make_aware(datetime.combine(first_kept_day, time.min))
    return Concertation.objects.filter(
        status=Concertation.Status.CLOSED, closed_at__isnull=False, closed_at__lt=first_kept
    )


@dataclass(frozen=True)
class PurgeResult:
    concertations: int
    participants: int
    walk_ins: int


@transaction.atomic
def personal_data_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Anonymise every participant of concertations past retention and drop unadmitted walk-ins
    (a first name only, no contribution); a dry run counts without changing anything."""
    now = now or timezone.now()
    concertations = list(concertations_past_retention(now).values_list("pk", flat=True))
    people = Participant.objects.filter(home_panel__concertation__in=concertations, erased_at__isnull=True)
    walk_ins = Attendance.objects.filter(workshop__concertation__in=concertations, participant__isnull=True)
    result = PurgeResult(
        concertations=len(concertations), participants=people.count(), walk_ins=walk_ins.count()
    )
    if not dry_run:
        label = _("Purge automatique (durée de conservation dépassée)")
        for participant in people.select_for_update():
            _erase(participant, at=now, by=None, label=label)
        walk_ins.delete()
    return result
