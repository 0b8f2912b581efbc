"""Writes that span several models: creating a concertation from a method template, and the
live session (joining, facilitator gestures, participants' submissions)."""

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panels.models import Panel, Participant
from workshops import precompiled, room_state
from workshops.models import (
    Activity,
    Attendance,
    BallotItem,
    Carrier,
    Concertation,
    MethodTemplate,
    PanelKind,
    Pole,
    Position,
    Proposal,
    Quality,
    Sequence,
    SequenceTemplate,
    Service,
    Site,
    Submission,
    Vote,
    Workshop,
    WorkshopTemplate,
    new_public_token,
)

SEQUENCE_FIELDS = (
    "order",
    "activity",
    "title",
    "prompt",
    "planned_minutes",
    "points_per_participant",
    "max_points_per_item",
)


def _sequence_fields(template: SequenceTemplate) -> dict:
    return {name: getattr(template, name) for name in SEQUENCE_FIELDS}


def default_method() -> MethodTemplate:
    return MethodTemplate.objects.get(is_default=True)


@transaction.atomic
def concertation_create(
    *,
    title: str,
    scope: str,
    services: Iterable[Service],
    method: MethodTemplate,
    facilitators: Iterable = (),
    site: Site | None = None,
    sponsor: str = "",
    project_lead: str = "",
    objectives: str = "",
) -> Concertation:
    """Create the concertation, then one panel and one workshop (with its sequences) per
    workshop of the method template, so the facilitator starts from the whole run-of-show."""
    concertation = Concertation.objects.create(
        title=title,
        scope=scope,
        site=site,
        method=method,
        sponsor=sponsor,
        project_lead=project_lead,
        objectives=objectives,
    )
    concertation.services.set(services)
    concertation.facilitators.set(facilitators)
    workshop_templates = list(
        WorkshopTemplate.objects.filter(method=method).prefetch_related("sequence_templates")
    )
    panels = Panel.objects.bulk_create(
        [Panel(concertation=concertation, kind=wt.panel_kind) for wt in workshop_templates]
    )
    for template, panel in zip(workshop_templates, panels, strict=True):
        workshop = Workshop.objects.create(
            concertation=concertation,
            panel=panel,
            order=template.order,
            title=template.title,
            duration_minutes=template.duration_minutes,
        )
        Sequence.objects.bulk_create(
            [
                Sequence(workshop=workshop, **_sequence_fields(st))
                for st in template.sequence_templates.all()
            ]
        )
    return concertation


@transaction.atomic
def method_template_copy(*, template: MethodTemplate, name: str) -> MethodTemplate:
    """A copy the organisation can adapt (prompts, durations, vote rules) without code changes."""
    copy = MethodTemplate.objects.create(
        name=name, description=template.description, copied_from=template
    )
    for workshop_template in template.workshop_templates.prefetch_related("sequence_templates"):
        new_workshop = WorkshopTemplate.objects.create(
            method=copy,
            order=workshop_template.order,
            panel_kind=workshop_template.panel_kind,
            title=workshop_template.title,
            duration_minutes=workshop_template.duration_minutes,
        )
        SequenceTemplate.objects.bulk_create(
            [
                SequenceTemplate(workshop_template=new_workshop, **_sequence_fields(st))
                for st in workshop_template.sequence_templates.all()
            ]
        )
    return copy


# --- End of a concertation -------------------------------------------------------------------------


def concertation_stage_from_data(*, concertation: Concertation) -> str:
    """The stage of the method that what has been done shows: where a reopened concertation
    resumes."""
    from posters.services import latest_validated

    if concertation.roadmaps.exists():
        return Concertation.Status.FOLLOW_UP
    if latest_validated(concertation) is not None:
        return Concertation.Status.POSTER_VALIDATED
    if concertation.workshops.exclude(status=Workshop.Status.PLANNED).exists():
        return Concertation.Status.WORKSHOPS
    if Participant.objects.filter(home_panel__concertation=concertation).exists():
        return Concertation.Status.RECRUITING
    return Concertation.Status.DRAFT


@transaction.atomic
def concertation_close(*, concertation: Concertation, by: AbstractBaseUser | None) -> Concertation:
    """The last stage of the method: pages, poster and roadmaps stay as they are, and the
    retention period of participants' personal data starts (``manage.py purge_personal_data``
    erases them once it is over). Refused while a workshop is live. A concertation marked closed
    without a date (from the admin) gets one, so that its retention period starts too."""
    concertation = Concertation.objects.select_for_update().get(pk=concertation.pk)
    if concertation.status == Concertation.Status.CLOSED and concertation.closed_at is not None:
        return concertation
    if concertation.workshops.filter(status=Workshop.Status.LIVE).exists():
        raise ValidationError(_(
            "Un atelier est en cours : terminez-le depuis sa console avant de clôturer la démarche."
        ))
    return _concertation_stage_set(
        concertation, Concertation.Status.CLOSED, closed_at=timezone.now(), by=by
    )


@transaction.atomic
def concertation_reopen(*, concertation: Concertation, by: AbstractBaseUser | None) -> Concertation:
    """Back to the stage its data show; the retention period stops until it is closed again."""
    concertation = Concertation.objects.select_for_update().get(pk=concertation.pk)
    if concertation.status != Concertation.Status.CLOSED:
        return concertation
    return _concertation_stage_set(
        concertation, concertation_stage_from_data(concertation=concertation), closed_at=None, by=by
    )


def _concertation_stage_set(
    concertation: Concertation, stage: str, *, closed_at: datetime | None, by: AbstractBaseUser | None
) -> Concertation:
    """The change, in the concertation's journal (the one of its poster and roadmaps)."""
    from posters import audit
    from posters.models import AuditEntry

    before = audit.snapshot(concertation, ["status", "closed_at"])
    concertation.status, concertation.closed_at = stage, closed_at
    concertation.save(update_fields=["status", "closed_at"])
    audit.record(
        by=by, concertation=concertation, obj=concertation, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(concertation, ["status", "closed_at"])),
    )
    return concertation


# --- Live session ----------------------------------------------------------------------------------
#
# Every facilitator gesture bumps ``Workshop.state_version`` (tablets follow it) and every
# contribution bumps ``Workshop.content_version`` (projector and console follow it): the polling
# endpoints answer 304 from one indexed read, on any app server, without in-process state.
# A participant's writes lock their Attendance row first, then the workshop row, always in that
# order: one participant's simultaneous requests (two devices, a double tap) are serialised, and
# a sequence closed by the facilitator is seen closed by any write that commits after it.


class LiveError(Exception):
    """A refused live action; ``message`` is French, ready to show on the tablet or the console."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalize_join_code(raw: str) -> str:
    """Case, spaces and dashes do not matter: « abc 23-4 » is « ABC234 »."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def workshop_for_code(raw: str) -> Workshop | None:
    """The workshop a code opens; a finished workshop can no longer be joined."""
    code = normalize_join_code(raw)
    if not code:
        return None
    return (
        Workshop.objects.select_related("panel", "concertation")
        .exclude(status=Workshop.Status.DONE)
        .filter(join_code=code)
        .first()
    )


def _bump(workshop_id: int, *, state: bool = False, content: bool = False) -> None:
    """Tell tablets (state) and the console and projector (content) that the room changed."""
    precompiled.batch(_bump_statement(workshop_id, state=state, content=content))
    if state:
        room_state.forget(workshop_id)


def _bump_statement(workshop_id: int, *, state: bool = False, content: bool = False) -> tuple[str, list]:
    """Plain SQL: it ends every participant's submission, where the ORM's compilation cost more
    CPU than the update."""
    return _bump_sql(state, content), [workshop_id]


@functools.cache
def _bump_sql(state: bool, content: bool) -> str:
    quote = connection.ops.quote_name
    bumps = (("state_version", state), ("content_version", content))
    columns = [quote(name) for name, bumped in bumps if bumped]
    return (
        f"UPDATE {quote(Workshop._meta.db_table)} SET "
        + ", ".join(f"{column} = {column} + 1" for column in columns)
        + " WHERE id = %s"
    )


@transaction.atomic
def attendance_join(
    *,
    workshop: Workshop,
    participant: Participant | None = None,
    walk_in_name: str = "",
    mode: str = Attendance.Mode.TABLET,
) -> Attendance:
    """A participant picks their name from the panel list (rejoining gives back the same place,
    so a second device or a refreshed one carries on), or a walk-in gives a first name and waits
    for the facilitator to admit them."""
    if workshop.status == Workshop.Status.DONE:
        raise LiveError(_("Cet atelier est terminé : il n'est plus possible de le rejoindre."))
    if participant is not None:
        if not Participant.objects.in_panel(workshop.panel).filter(pk=participant.pk).exists():
            raise LiveError(_("Ce nom ne figure pas dans le panel de cet atelier."))
        attendance, _created = Attendance.objects.get_or_create(
            workshop=workshop, participant=participant, defaults={"mode": mode}
        )
        if attendance.mode != mode and attendance.mode != Attendance.Mode.PAPER:
            attendance.mode = mode
            attendance.save(update_fields=["mode"])
    else:
        name = plain_words(walk_in_name)[:100]
        if not name:
            raise LiveError(_("Indiquez votre prénom pour que l'animation vous accueille."))
        attendance = Attendance.objects.create(workshop=workshop, walk_in_name=name, mode=mode)
    _bump(workshop.pk, content=True)
    return attendance


@transaction.atomic
def attendance_admit(*, attendance: Attendance, home_panel_kind: str | None = None) -> Attendance:
    """The facilitator admits a walk-in: they join the panel (in the mixed workshop, the agents'
    or the users' side, as the facilitator says) and their tablet carries on by itself."""
    attendance = Attendance.objects.select_for_update().select_related("workshop__panel").get(
        pk=attendance.pk
    )
    if attendance.participant_id is not None:
        return attendance
    panel = attendance.workshop.panel
    fields = {}
    if panel.kind == PanelKind.MIXED:
        if home_panel_kind not in (PanelKind.AGENTS, PanelKind.USERS):
            raise LiveError(_("Dites si cette personne rejoint l'atelier mixte comme agent ou comme usager."))
        panel = Panel.objects.get(concertation_id=panel.concertation_id, kind=home_panel_kind)
        fields = {"mixed_volunteer": True, "in_mixed_panel": True}
    attendance.participant = Participant.objects.create(
        home_panel=panel, display_name=attendance.walk_in_name, **fields
    )
    attendance.save(update_fields=["participant"])
    _bump(attendance.workshop_id, state=True, content=True)
    return attendance


@transaction.atomic
def attendance_refuse(*, attendance: Attendance) -> None:
    """Turn away a pending walk-in (e.g. someone who typed a wrong code); nobody admitted is touched."""
    Attendance.objects.filter(pk=attendance.pk, participant__isnull=True).delete()
    _bump(attendance.workshop_id, state=True, content=True)


@transaction.atomic
def attendance_for_paper(*, workshop: Workshop, participant: Participant) -> Attendance:
    """The place of someone without a tablet, whose answers the facilitator types in."""
    if not Participant.objects.in_panel(workshop.panel).filter(pk=participant.pk).exists():
        raise LiveError(_("Ce nom ne figure pas dans le panel de cet atelier."))
    attendance, _created = Attendance.objects.get_or_create(
        workshop=workshop, participant=participant, defaults={"mode": Attendance.Mode.PAPER}
    )
    return attendance


# Facilitator gestures --------------------------------------------------------------------------


def _locked_sequence(sequence: Sequence) -> tuple[Workshop, Sequence]:
    workshop = Workshop.objects.select_for_update().get(pk=sequence.workshop_id)
    return workshop, Sequence.objects.select_for_update().get(pk=sequence.pk)


def _stop_clock(sequence: Sequence, now) -> None:
    sequence.elapsed_seconds = sequence.elapsed(now)
    sequence.running_since = None


@transaction.atomic
def sequence_open(*, sequence: Sequence) -> Sequence:
    """Open (or resume, or reopen) a sequence: it becomes the one every tablet shows. The
    sequence running before it is closed first, so only one is ever live."""
    workshop, sequence = _locked_sequence(sequence)
    if workshop.status == Workshop.Status.DONE:
        raise LiveError(_("L'atelier est terminé."))
    # Locked, so that closing the concertation (concertation_close) waits for this gesture and
    # then sees the workshop live.
    stage = Concertation.objects.select_for_update().values_list("status", flat=True).get(
        pk=workshop.concertation_id
    )
    if stage == Concertation.Status.CLOSED:
        raise LiveError(_("La démarche est clôturée : rouvrez-la depuis sa page pour animer cet atelier."))
    now = timezone.now()
    for other in workshop.sequences.select_for_update().filter(
        status__in=[Sequence.Status.OPEN, Sequence.Status.PAUSED]
    ).exclude(pk=sequence.pk):
        _stop_clock(other, now)
        other.status = Sequence.Status.CLOSED
        other.closed_at = now
        other.save(update_fields=["status", "closed_at", "elapsed_seconds", "running_since"])
    if sequence.status != Sequence.Status.OPEN:
        sequence.status = Sequence.Status.OPEN
        sequence.opened_at = sequence.opened_at or now
        sequence.closed_at = None
        sequence.running_since = now
        if sequence.activity == Activity.QUALITIES and not sequence.pole:
            sequence.pole = Pole.IDEAL
        sequence.save(
            update_fields=["status", "opened_at", "closed_at", "running_since", "pole"]
        )
    workshop.current_sequence = sequence
    workshop.status = Workshop.Status.LIVE
    workshop.live_started_at = workshop.live_started_at or now
    workshop.save(update_fields=["current_sequence", "status", "live_started_at"])
    if stage in (Concertation.Status.DRAFT, Concertation.Status.RECRUITING):
        Concertation.objects.filter(pk=workshop.concertation_id).update(status=Concertation.Status.WORKSHOPS)
    _bump(workshop.pk, state=True, content=True)
    return sequence


@transaction.atomic
def sequence_pause(*, sequence: Sequence) -> Sequence:
    """Stop the clock; tablets say « en pause » and keep what participants typed."""
    _workshop, sequence = _locked_sequence(sequence)
    if sequence.status != Sequence.Status.OPEN:
        raise LiveError(_("Seule une séquence ouverte peut être mise en pause."))
    _stop_clock(sequence, timezone.now())
    sequence.status = Sequence.Status.PAUSED
    sequence.save(update_fields=["status", "elapsed_seconds", "running_since"])
    _bump(sequence.workshop_id, state=True, content=True)
    return sequence


@transaction.atomic
def sequence_close(*, sequence: Sequence) -> Sequence:
    """Nothing more can be submitted to a closed sequence; it can be reopened if closed too soon."""
    _workshop, sequence = _locked_sequence(sequence)
    if sequence.status not in (Sequence.Status.OPEN, Sequence.Status.PAUSED):
        raise LiveError(_("Cette séquence n'est pas ouverte."))
    now = timezone.now()
    _stop_clock(sequence, now)
    sequence.status = Sequence.Status.CLOSED
    sequence.closed_at = now
    sequence.save(update_fields=["status", "closed_at", "elapsed_seconds", "running_since"])
    _bump(sequence.workshop_id, state=True, content=True)
    return sequence


def screen_token_renew(*, workshop: Workshop) -> Workshop:
    """A new address for the room's projection: the old one stops answering at once (a link
    that went further than the room, a computer left on after the workshop)."""
    workshop.screen_token = new_public_token()
    workshop.save(update_fields=["screen_token"])
    return workshop


@transaction.atomic
def sequence_pole_set(*, sequence: Sequence, pole: str) -> Sequence:
    """Qualities: the facilitator moves every tablet from the ideal to the chaotic relationship."""
    _workshop, sequence = _locked_sequence(sequence)
    if sequence.activity != Activity.QUALITIES or pole not in Pole.values:
        raise LiveError(_("Cette séquence ne recueille pas de qualités."))
    sequence.pole = pole
    sequence.save(update_fields=["pole"])
    _bump(sequence.workshop_id, state=True, content=True)
    return sequence


@transaction.atomic
def results_reveal(*, sequence: Sequence, revealed: bool = True) -> Sequence:
    """Vote results stay hidden (projector and tablets) until the facilitator decides."""
    _workshop, sequence = _locked_sequence(sequence)
    sequence.results_revealed = revealed
    sequence.save(update_fields=["results_revealed"])
    _bump(sequence.workshop_id, state=True, content=True)
    return sequence


@transaction.atomic
def workshop_finish(*, workshop: Workshop) -> Workshop:
    """End the session: the live sequence is closed and the join code stops working."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    live = workshop.sequences.filter(status__in=[Sequence.Status.OPEN, Sequence.Status.PAUSED]).first()
    if live is not None:
        sequence_close(sequence=live)
    workshop.status = Workshop.Status.DONE
    workshop.save(update_fields=["status"])
    _bump(workshop.pk, state=True, content=True)
    return workshop


def contributions_changed(*, workshop: Workshop) -> None:
    """After live moderation (hide, reword, merge): the projector redraws."""
    _bump(workshop.pk, content=True)


# Participant submissions ------------------------------------------------------------------------


PLACE_LOST = gettext_lazy(
    "Votre place dans l'atelier n'est pas reconnue. Rien de ce que vous avez déjà envoyé n'est "
    "perdu : rejoignez à nouveau l'atelier avec son code."
)
POINTS_INVALID = gettext_lazy("Nombre de points invalide.")
NOT_ON_THIS_BALLOT = gettext_lazy("Cet élément ne fait pas partie de ce vote : rien n'a été enregistré.")

SEQUENCE_REFUSALS = {
    Sequence.Status.PENDING: gettext_lazy("Cette séquence n'a pas encore commencé."),
    Sequence.Status.PAUSED: gettext_lazy(
        "La séquence est en pause : réessayez quand l'animation la relance."
    ),
    Sequence.Status.CLOSED: gettext_lazy("Cette séquence est close : il n'est plus possible d'y répondre."),
}


LOCKED_ATTENDANCE_FIELDS = precompiled.loaded_fields(Attendance, ["id", "workshop_id", "participant_id"])


@precompiled.precompiled
def _locked_attendance_sql(pk):
    return Attendance.objects.select_for_update().filter(pk=pk).values_list(*LOCKED_ATTENDANCE_FIELDS)


def _locked(row: tuple | None) -> Attendance:
    if row is None:
        raise LiveError(str(PLACE_LOST))
    attendance = precompiled.instance(Attendance, LOCKED_ATTENDANCE_FIELDS, row)
    if attendance.participant_id is None:
        raise LiveError(_("L'animation n'a pas encore validé votre arrivée : patientez un instant."))
    return attendance


def _room_changed(attendance: Attendance) -> None:
    """Bump the workshop's content version so projector and console redraw. Last statement of
    each submission: the workshop row stays locked only until the commit, so a room's voters are
    not queued behind each other for the whole transaction."""
    _bump(attendance.workshop_id, content=True)


def _check_sequence(*, attendance: Attendance, sequence: Sequence | None, activities: set[str]) -> Sequence:
    if sequence is None or sequence.workshop_id != attendance.workshop_id:
        raise LiveError(_("Cette activité n'appartient pas à votre atelier : rien n'a été enregistré."))
    if sequence.activity not in activities:
        raise LiveError(_("Cette réponse ne correspond pas à l'activité en cours."))
    if sequence.status != Sequence.Status.OPEN:
        raise LiveError(str(SEQUENCE_REFUSALS[sequence.status]))
    return sequence


def _key_statement(*, key: str, attendance: Attendance | None = None, place: str = "") -> tuple[str, list]:
    """Record the idempotency key of a submission from this place (found by its attendance, or
    by its token): INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL, SQLite ≥
    3.35). No row back when the key was there already (a double tap, a retry), and nothing
    written for an unknown place; no savepoint, insert and release: this sits on every tablet
    submission."""
    key = (key or "").strip()
    if not key or len(key) > 64 or "\x00" in key:  # PostgreSQL stores no NUL
        raise LiveError(_("Le formulaire a expiré : réessayez."))
    if attendance is not None:
        return _key_sql("id"), [key, timezone.now(), attendance.pk]
    return _key_sql("token"), [key, timezone.now(), place]


@functools.cache
def _key_sql(place_column: str) -> str:
    quote = connection.ops.quote_name
    table, column = quote(Submission._meta.db_table), quote("key")
    return (
        f"INSERT INTO {table} ({column}, attendance_id, created_at) "
        f"SELECT %s, id, %s FROM {quote(Attendance._meta.db_table)} WHERE {place_column} = %s "
        f"ON CONFLICT ({column}) DO NOTHING RETURNING id"
    )


SEQUENCE_COLUMNS = [field.attname for field in Sequence._meta.concrete_fields]


@precompiled.precompiled
def _sequence_sql(pk):
    return Sequence.objects.filter(pk=pk).values_list(*SEQUENCE_COLUMNS)


def _admit_submission(
    *, attendance: Attendance, sequence_id: int, activities: set[str], key: str
) -> tuple[Attendance, Sequence, bool]:
    """Lock the participant (their devices are serialised, not the room), read the sequence
    after the lock and record the idempotency key, in one round trip on PostgreSQL; check the
    sequence is theirs and open. Returns (attendance, sequence, already_applied)."""
    locked, sequence, inserted = precompiled.batch(
        _locked_attendance_sql().bind(pk=attendance.pk),
        _sequence_sql().bind(pk=sequence_id),
        _key_statement(attendance=attendance, key=key),
    )
    attendance = _locked(next(iter(locked), None))
    sequence = _check_sequence(
        attendance=attendance,
        sequence=next((precompiled.instance(Sequence, SEQUENCE_COLUMNS, row) for row in sequence), None),
        activities=activities,
    )
    return attendance, sequence, not inserted


JOINERS = {"\u200c", "\u200d"}  # keep 👩🏽‍🚒 and scripts that need (non-)joiners whole


def plain_words(text: str) -> str:
    """Words as they will be read aloud: invisible format characters (zero-width spaces,
    right-to-left overrides) and control characters removed, spaces collapsed — so a blank or
    reversed-looking contribution can never be stored."""
    visible = "".join(
        char
        for char in (text or "")
        if char.isspace() or char in JOINERS or unicodedata.category(char) not in {"Cf", "Cc"}
    )
    words = " ".join(visible.split())
    return words if words.strip("".join(JOINERS) + " ") else ""


def _clean_words(text: str, *, max_length: int = 300) -> str:
    cleaned = plain_words(text)
    if not cleaned:
        raise LiveError(_("Écrivez quelques mots avant d'envoyer."))
    if len(cleaned) > max_length:
        raise LiveError(
            _("Pas plus de %(max)d caractères, s'il vous plaît.") % {"max": max_length}
        )
    return cleaned


def _own(model, *, attendance: Attendance, pk: int):
    """One of the participant's own contributions, in their workshop; never someone else's."""
    found = (
        model.objects.select_related("sequence")
        .filter(pk=pk, participant_id=attendance.participant_id, sequence__workshop_id=attendance.workshop_id)
        .first()
    )
    if found is None or attendance.participant_id is None:
        raise LiveError(_("Cette contribution n'est pas la vôtre : rien n'a été modifié."))
    if found.hidden or found.merged_into_id is not None:
        raise LiveError(
            _("L'animation a déjà repris cette contribution : elle ne peut plus être modifiée ici.")
        )
    return found


@transaction.atomic
def quality_add(
    *, attendance: Attendance, sequence: Sequence, text: str, key: str, by_facilitator: bool = False
) -> Quality | None:
    """Add a quality to the pole the facilitator shows; None when the key was already applied."""
    attendance, sequence, done = _admit_submission(
        attendance=attendance, sequence_id=sequence.pk, activities={Activity.QUALITIES}, key=key
    )
    text = _clean_words(text, max_length=120)
    if done:
        return None
    quality = Quality.objects.create(
        sequence=sequence,
        participant_id=attendance.participant_id,
        pole=sequence.pole or Pole.IDEAL,
        text=text,
        entered_by_facilitator=by_facilitator,
    )
    _room_changed(attendance)
    return quality


@transaction.atomic
def proposal_add(
    *,
    attendance: Attendance,
    sequence: Sequence,
    text: str,
    carried_by: str,
    key: str,
    by_facilitator: bool = False,
) -> Proposal | None:
    attendance, sequence, done = _admit_submission(
        attendance=attendance, sequence_id=sequence.pk, activities={Activity.PROPOSALS}, key=key
    )
    text = _clean_words(text)
    if carried_by not in Carrier.values:
        raise LiveError(_("Dites qui porterait cette action : les agents, les usagers ou les deux."))
    if done:
        return None
    proposal = Proposal.objects.create(
        sequence=sequence,
        participant_id=attendance.participant_id,
        carried_by=carried_by,
        text=text,
        entered_by_facilitator=by_facilitator,
    )
    _room_changed(attendance)
    return proposal


@transaction.atomic
def contribution_edit(
    *, attendance: Attendance, model, pk: int, text: str, key: str, carried_by: str | None = None
):
    """A participant fixes their own words while the sequence is open (their words stay theirs:
    the original text follows, since nobody has curated them yet)."""
    contribution = _own(model, attendance=attendance, pk=pk)
    _attendance, _sequence, done = _admit_submission(
        attendance=attendance,
        sequence_id=contribution.sequence_id,
        activities={Activity.QUALITIES if model is Quality else Activity.PROPOSALS},
        key=key,
    )
    text = _clean_words(text, max_length=120 if model is Quality else 300)
    if carried_by is not None and carried_by not in Carrier.values:
        raise LiveError(_("Dites qui porterait cette action : les agents, les usagers ou les deux."))
    if done:
        return contribution
    contribution.text = contribution.original_text = text
    fields = ["text", "original_text"]
    if carried_by is not None:
        contribution.carried_by = carried_by
        fields.append("carried_by")
    contribution.save(update_fields=fields)
    _room_changed(attendance)
    return contribution


@transaction.atomic
def contribution_delete(*, attendance: Attendance, model, pk: int, key: str) -> None:
    """A participant withdraws their own words while the sequence is open."""
    contribution = _own(model, attendance=attendance, pk=pk)
    _attendance, _sequence, done = _admit_submission(
        attendance=attendance,
        sequence_id=contribution.sequence_id,
        activities={Activity.QUALITIES if model is Quality else Activity.PROPOSALS},
        key=key,
    )
    if not done:
        contribution.delete()
        _room_changed(attendance)


@transaction.atomic
def position_set(*, attendance: Attendance, sequence: Sequence, value: int, key: str) -> Position:
    """Place (or move) oneself on the 0 (chaotic) – 10 (ideal) scale. A late retry of an older
    choice (same key) does not undo a newer one."""
    attendance, sequence, done = _admit_submission(
        attendance=attendance, sequence_id=sequence.pk, activities={Activity.POSITIONING}, key=key
    )
    if not isinstance(value, int) or not Position.MIN <= value <= Position.MAX:
        raise LiveError(_("Choisissez une position entre 0 et 10."))
    current = Position.objects.filter(sequence=sequence, participant_id=attendance.participant_id).first()
    if done and current is not None:
        return current
    position, _created = Position.objects.update_or_create(
        sequence=sequence,
        participant_id=attendance.participant_id,
        defaults={"value": value, "updated_at": timezone.now()},
    )
    _room_changed(attendance)
    return position


@dataclass(frozen=True)
class Ballot:
    """What one participant sees of a vote: their points per item and what is left to spend."""

    sequence_id: int
    budget: int
    max_per_item: int
    mine: dict[int, int]

    @property
    def used(self) -> int:
        return sum(self.mine.values())

    @property
    def left(self) -> int:
        return self.budget - self.used


@precompiled.precompiled
def _ballot_sql(sequence_id, participant_id):
    votes = Vote.objects.filter(ballot_item__sequence_id=sequence_id, participant_id=participant_id)
    return votes.values_list("ballot_item_id", "points")


def ballot_for(*, sequence: Sequence, participant_id: int | None) -> Ballot:
    mine = (
        _ballot_sql().fetchall(sequence_id=sequence.pk, participant_id=participant_id)
        if participant_id is not None
        else []
    )
    return _ballot(sequence, mine)


def _ballot(sequence: Sequence, mine: Iterable[tuple[int, int]]) -> Ballot:
    return Ballot(
        sequence_id=sequence.pk,
        budget=sequence.points_per_participant,
        max_per_item=sequence.max_points_per_item,
        mine=dict(mine),
    )


@precompiled.precompiled
def _ballot_of_place_sql(token, item_id):
    """The ballot of whoever holds this place, in the vote of this item: read by what a vote is
    given, so it can go with the lock instead of waiting for the lock's answer."""
    return Vote.objects.filter(
        participant_id=Subquery(Attendance.objects.filter(token=token).values("participant_id")),
        ballot_item__sequence_id=Subquery(BallotItem.objects.filter(pk=item_id).order_by().values("sequence_id")),
    ).values_list("ballot_item_id", "points")


@precompiled.precompiled
def _locked_place_sql(token):
    """The place with its workshop's current sequence, the place's row locked."""
    return (
        Attendance.objects.select_for_update(of=("self",))
        .filter(token=token)
        .values_list(*LOCKED_ATTENDANCE_FIELDS, "workshop__current_sequence_id")
    )


BALLOT_ITEM_FIELDS = precompiled.loaded_fields(
    BallotItem, ["id", "sequence_id", "order", "text", "carried_by"]
)
VOTE_SEQUENCE_FIELDS = precompiled.loaded_fields(
    Sequence, ["id", "workshop_id", "activity", "status", "points_per_participant", "max_points_per_item"]
)


@precompiled.precompiled
def _ballot_item_sql(pk):
    return BallotItem.objects.filter(pk=pk).order_by().values_list(
        *BALLOT_ITEM_FIELDS, *(f"sequence__{name}" for name in VOTE_SEQUENCE_FIELDS)
    )


def _ballot_item(row: tuple | None) -> BallotItem | None:
    """The item and what a vote checks of its sequence, from one narrow query."""
    if row is None:
        return None
    item = precompiled.instance(BallotItem, BALLOT_ITEM_FIELDS, row[: len(BALLOT_ITEM_FIELDS)])
    item.sequence = precompiled.instance(Sequence, VOTE_SEQUENCE_FIELDS, row[len(BALLOT_ITEM_FIELDS) :])
    return item


def _vote_statement(*, item_id: int, participant_id: int, points: int) -> tuple[str, list]:
    """One statement: put the points (insert or update, the pair is unique) or take them back."""
    if points:
        return _vote_sql(put=True), [item_id, participant_id, points, timezone.now()]
    return _vote_sql(put=False), [item_id, participant_id]


@functools.cache
def _vote_sql(*, put: bool) -> str:
    table = connection.ops.quote_name(Vote._meta.db_table)
    if put:
        return (
            f"INSERT INTO {table} (ballot_item_id, participant_id, points, updated_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (ballot_item_id, participant_id) "
            "DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at"
        )
    return f"DELETE FROM {table} WHERE ballot_item_id = %s AND participant_id = %s"


@dataclass(frozen=True)
class VoteReceipt:
    """A vote's outcome for the tablet: the ballot after it, the item voted on, what was left
    before, and the sequence the workshop shows now. Only that item's row changes on screen,
    unless spending the last point (or getting one back) changes what every other item allows,
    or the facilitator has moved the room on."""

    ballot: Ballot
    item: BallotItem
    left_before: int
    current_sequence_id: int | None

    @property
    def other_items_changed(self) -> bool:
        return (self.left_before == 0) != (self.ballot.left == 0)


def vote_cast(
    *, place: str, item_id: int, points: int, key: str, sequence_id: int | None = None
) -> VoteReceipt:
    """Put ``points`` (0 takes them back) on one ballot item. The participant's Attendance row is
    locked first, so two devices voting at once are serialised and the budget always holds; the
    idempotency key makes a double tap or a retried request count once (and a late retry never
    overrides a newer choice). Changing one's mind is allowed until the sequence closes.

    ``place`` is the place's token, as its tablet holds it; ``sequence_id``, when given, is the
    vote the tablet showed, and an item of another one is refused. The place, the item and its
    sequence are read after the lock, so a vote racing the facilitator's « close » is refused.

    Two round trips on PostgreSQL (``precompiled.transaction``): BEGIN, the lock, the item, the
    key and the ballot, which run in that order; then the write, the room's version and COMMIT. A
    refusal between them rolls the key back with the rest."""
    with precompiled.transaction() as unit:
        locked, item_row, inserted, mine = unit.batch(
            _locked_place_sql().bind(token=place),
            _ballot_item_sql().bind(pk=item_id),
            _key_statement(place=place, key=key),
            _ballot_of_place_sql().bind(token=place, item_id=item_id),
        )
        locked_row = next(iter(locked), None)
        attendance = _locked(locked_row[: len(LOCKED_ATTENDANCE_FIELDS)] if locked_row else None)
        current_sequence_id = locked_row[-1]
        item = _ballot_item(next(iter(item_row), None))
        if item is None or (sequence_id is not None and item.sequence_id != sequence_id):
            raise LiveError(str(NOT_ON_THIS_BALLOT))
        sequence = _check_sequence(
            attendance=attendance, sequence=item.sequence, activities=Activity.voting()
        )
        ballot = _ballot(sequence, mine)
        receipt = VoteReceipt(
            ballot=ballot, item=item, left_before=ballot.left, current_sequence_id=current_sequence_id
        )
        if not inserted:
            return receipt
        if not isinstance(points, int) or points < 0:
            raise LiveError(str(POINTS_INVALID))
        if sequence.max_points_per_item and points > sequence.max_points_per_item:
            raise LiveError(
                ngettext(
                    "Au plus %(max)d point par élément.", "Au plus %(max)d points par élément.",
                    sequence.max_points_per_item,
                )
                % {"max": sequence.max_points_per_item}
            )
        others = ballot.used - ballot.mine.get(item.pk, 0)
        if others + points > sequence.points_per_participant:
            raise LiveError(_(
                "Vous avez déjà réparti tous vos points : retirez-en d'un autre élément pour changer d'avis."
            ))
        # The Attendance lock makes the ballot just read authoritative: no one else writes these rows.
        unit.batch(
            _vote_statement(item_id=item.pk, participant_id=attendance.participant_id, points=points),
            _bump_statement(attendance.workshop_id, content=True),
            last=True,
        )
    if points:
        ballot.mine[item.pk] = points
    else:
        ballot.mine.pop(item.pk, None)
    return receipt


@transaction.atomic
def poster_opinion_record(
    *, attendance: Attendance, sequence: Sequence, version, approves: bool, remark: str, key: str
):
    """« Je valide / je ne valide pas » the draft poster, through the posters service."""
    from posters.services import PosterFrozen, poster_validation_record

    attendance, sequence, done = _admit_submission(
        attendance=attendance, sequence_id=sequence.pk, activities={Activity.POSTER_VALIDATION}, key=key
    )
    if version.poster.concertation_id != attendance.workshop.concertation_id:
        raise LiveError(_("Cette affiche n'est pas celle de votre démarche."))
    if done:
        return None
    try:
        validation = poster_validation_record(
            version=version, participant=attendance.participant, approves=approves, remark=remark[:500]
        )
    except PosterFrozen:
        raise LiveError(_("Cette affiche a déjà été validée : votre avis ne peut plus changer.")) from None
    _room_changed(attendance)
    return validation
