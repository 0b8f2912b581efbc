"""The live session: tablets (no account, a signed cookie holds the place), the facilitator's
console and the projector. Tablets, console and projector follow the workshop by polling small
fragments with If-None-Match: an unchanged state answers 304 from a single indexed read."""

import functools
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panels.models import Participant
from posters.models import PosterValidation, PosterVersion
from vivreensemble.throttle import failure_record, failures_exceeded
from workshops import charts, curation, live_forms, precompiled, room_state, services
from workshops.models import (
    Activity,
    Attendance,
    BallotItem,
    Carrier,
    PanelKind,
    Pole,
    Position,
    Proposal,
    Quality,
    Sequence,
    Vote,
    Workshop,
)
from workshops.permissions import led_workshop_or_404

COOKIE = "ve_place"
COOKIE_SALT = "workshops.live.place"
COOKIE_MAX_AGE = 12 * 3600
SHARED_COOKIE = "ve_tablette_partagee"
MIN_GROUP = 3  # results by panel of origin hide any group smaller than this


# --- Conditional polling ---------------------------------------------------------------------------


def _sent_tags(request: HttpRequest) -> list[str]:
    """The ETags the polling element sent back (If-None-Match)."""
    return [tag.strip() for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")]


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    return etag in _sent_tags(request)


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _etag_header(etag: str) -> str:
    """The hx-headers JSON the polling element sends back (If-None-Match)."""
    return json.dumps({"If-None-Match": etag})


# --- Tablet: the participant's place ----------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _verified_place(signed: str) -> tuple[str, int] | None:
    """The token and signing time of a place cookie whose signature checks out (as
    ``get_signed_cookie`` does). Each tablet sends the same cookie every 2 s: the signature is
    checked once per process, keyed by the exact signed string, so only a string that verified
    can be found here. The age is checked on every request, by the caller."""
    alone = HttpRequest()
    alone.COOKIES[COOKIE] = signed
    token = alone.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    if token is None:
        return None
    return token, signing.b62_decode(signed.rsplit(":", 2)[1])


def _place_token(request: HttpRequest) -> str | None:
    """The place this device holds, from the signed cookie (a forged or stale one gives None)."""
    verified = _verified_place(request.COOKIES.get(COOKIE, ""))
    if verified is None or time.time() - verified[1] > COOKIE_MAX_AGE:
        return None
    return verified[0]


_all_fields = precompiled.all_fields

# A tablet shows its participant's name, nothing else of their personal data.
PLACE = precompiled.Joined.of(
    (Attendance, "", None),
    (Workshop, "workshop", None),
    (Sequence, "workshop__current_sequence", None),
    (Participant, "participant", ["id", "display_name"]),
)


@precompiled.precompiled
def _place_sql(token):
    return Attendance.objects.filter(token=token).values_list(*PLACE.columns)[:1]


def _attendance(request: HttpRequest) -> Attendance | None:
    """The device's place with its workshop, the workshop's current sequence and the
    participant's name: every tablet screen starts here, so the ORM's compilation of this JOIN
    (more CPU than PostgreSQL spends running it) is done once per process."""
    token = _place_token(request)
    row = _place_sql().fetchone(token=token) if token else None
    if row is None:
        return None
    attendance, workshop, sequence, participant = PLACE.instances(row)
    workshop.current_sequence = sequence
    attendance.workshop, attendance.participant = workshop, participant
    return attendance


def _place_lost(request: HttpRequest) -> HttpResponse:
    """A forged, expired or removed place: say so plainly; what was saved stays saved."""
    message = str(services.PLACE_LOST)
    if request.htmx:
        response = render(request, "workshops/live/_alert.html", {"alert": message}, status=403)
        response["HX-Retarget"] = "#live-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, message)
    response = redirect("workshops:live_join")
    response.delete_cookie(COOKIE)
    return response


@dataclass(frozen=True)
class TabletState:
    """The few facts that decide what a tablet shows: all a poll reads when nothing changed."""

    attendance_id: int
    workshop_id: int
    state_version: int
    workshop_status: str
    participant_id: int | None
    sequence_id: int | None
    pole: str | None

    FIELDS = (
        "id",
        "workshop_id",
        "workshop__state_version",
        "workshop__status",
        "participant_id",
        "workshop__current_sequence_id",
        "workshop__current_sequence__pole",
    )

    @classmethod
    def of(cls, attendance: Attendance) -> "TabletState":
        workshop, sequence = attendance.workshop, attendance.workshop.current_sequence
        return cls(
            attendance.pk,
            workshop.pk,
            workshop.state_version,
            workshop.status,
            attendance.participant_id,
            sequence.pk if sequence else None,
            sequence.pole if sequence else None,
        )

    @classmethod
    def for_token(cls, token: str) -> "TabletState | None":
        """At most one narrow query (seven columns), no model instances: the 304 path of every
        poll, which every tablet calls every 2 s (workshops/room_state.py keeps its answer a
        moment)."""
        row = room_state.recall(token)
        if row is None:
            row = _tablet_state_sql().fetchone(token=token)
            if row is None:
                return None
            room_state.remember(token, row)
        return cls(*row)

    @property
    def activity_key(self) -> str:
        """What the activity area shows; it is swapped only when this changes (never on a mere
        pause, so nothing a participant is typing is wiped)."""
        if self.participant_id is None:
            return "waiting"
        if self.workshop_status == Workshop.Status.DONE:
            return "done"
        if self.sequence_id is None:
            return "welcome"
        return f"{self.sequence_id}-{self.pole}"

    @property
    def etag(self) -> str:
        return f'"t{self.workshop_id}-{self.state_version}-{int(self.participant_id is not None)}"'


def _tablet_state(request: HttpRequest) -> TabletState | None:
    token = _place_token(request)
    return TabletState.for_token(token) if token else None


@precompiled.precompiled
def _tablet_state_sql(token):
    return Attendance.objects.filter(token=token).values_list(*TabletState.FIELDS)[:1]


def _activity_key(attendance: Attendance) -> str:
    return TabletState.of(attendance).activity_key


def _status_context(request: HttpRequest, attendance: Attendance) -> dict:
    etag = TabletState.of(attendance).etag
    return {
        "attendance": attendance,
        "workshop": attendance.workshop,
        "sequence": attendance.workshop.current_sequence,
        "etag_header": _etag_header(etag),
        "activity_key": _activity_key(attendance),
        "shown_key": request.GET.get("shown"),
        "shared": attendance.mode == Attendance.Mode.SHARED,
    }


PK_SLOT = 2_147_483_647  # stands for each row's pk in a URL reversed once for a whole list


def _url_by_pk(name: str, *args) -> Callable[[int], str]:
    """The URL of each row of a list, from one ``reverse``: rows differ only by their pk, and a
    participant's list is redrawn after each word they add."""
    before, after = reverse(name, args=[*args, PK_SLOT]).split(str(PK_SLOT))
    return lambda pk: f"{before}{pk}{after}"


@precompiled.precompiled
def _own_qualities_sql(sequence_id, participant_id, pole):
    mine = Quality.objects.filter(sequence_id=sequence_id, participant_id=participant_id, pole=pole)
    return mine.order_by("created_at", "pk").values_list(*_all_fields(Quality))


@precompiled.precompiled
def _own_proposals_sql(sequence_id, participant_id):
    mine = Proposal.objects.filter(sequence_id=sequence_id, participant_id=participant_id)
    return mine.order_by("created_at", "pk").values_list(*_all_fields(Proposal))


def _own_contributions(model, attendance: Attendance, sequence: Sequence, **filters):
    """The participant's own words in this sequence (of a pole, for qualities), each with its
    links and a fresh key for « Retirer ». Redrawn after every word they add."""
    statement = _own_qualities_sql if model is Quality else _own_proposals_sql
    rows = statement().fetchall(sequence_id=sequence.pk, participant_id=attendance.participant_id, **filters)
    kind, names = CONTRIBUTION_KINDS[model], _all_fields(model)
    edit_url, delete_url = _url_by_pk("workshops:live_edit", kind), _url_by_pk("workshops:live_delete", kind)
    mine = [precompiled.instance(model, names, row) for row in rows]
    for item in mine:
        item.delete_key = live_forms.new_key()
        item.edit_url, item.delete_url = edit_url(item.pk), delete_url(item.pk)
    return mine


def _draft_poster(workshop: Workshop) -> PosterVersion | None:
    return (
        PosterVersion.objects.filter(
            poster__concertation_id=workshop.concertation_id, status=PosterVersion.Status.DRAFT
        )
        .prefetch_related("qualities", "commitments")
        .first()
    )


def _activity_context(
    attendance: Attendance, *, form=None, alert: str = "", ballot=None, csrf_field: str = ""
) -> dict:
    """Everything the activity area needs for the sequence the facilitator shows. ``csrf_field``:
    for a page drawn without htmx, whose forms post without it."""
    workshop = attendance.workshop
    sequence = workshop.current_sequence
    context = {
        "attendance": attendance,
        "workshop": workshop,
        "sequence": sequence,
        "activity_key": _activity_key(attendance),
        "alert": alert,
        "form": form,
    }
    key = context["activity_key"]
    if key in ("waiting", "done", "welcome"):
        return context
    activity = sequence.activity
    if activity == Activity.QUALITIES:
        pole = sequence.pole or Pole.IDEAL
        context["pole"] = pole
        context["pole_label"] = Pole(pole).label
        context["mine"] = _own_contributions(Quality, attendance, sequence, pole=pole)
        context["form"] = form or live_forms.QualityForm()
    elif activity == Activity.PROPOSALS:
        context["mine"] = _own_contributions(Proposal, attendance, sequence)
        context["form"] = form or live_forms.ProposalForm()
    elif activity == Activity.POSITIONING:
        current = Position.objects.filter(sequence=sequence, participant_id=attendance.participant_id).first()
        context["current"] = current
        context["form"] = form or live_forms.PositionForm(
            initial={"value": current.value if current else None}
        )
    elif activity in Activity.voting():
        ballot = ballot or services.ballot_for(sequence=sequence, participant_id=attendance.participant_id)
        context["points_left"] = _points_left(ballot)
        vote_url = _vote_url(sequence.pk)
        context["rows"] = [
            _ballot_row(_ballot_item(row), ballot, vote_url, csrf_field=csrf_field)
            for row in _ballot_items_sql().fetchall(sequence_id=sequence.pk)
        ]
    elif activity == Activity.POSTER_VALIDATION:
        version = _draft_poster(workshop)
        context["version"] = version
        if version is not None:
            context["commitment_groups"] = [
                (label, [c for c in version.commitments.all() if c.party == party])
                for party, label in (
                    (Carrier.AGENTS, _("Les agents s'engagent à…")),
                    (Carrier.USERS, _("Les usagers s'engagent à…")),
                    (Carrier.BOTH, _("Ensemble, nous nous engageons à…")),
                )
            ]
            mine = PosterValidation.objects.filter(
                version=version, participant_id=attendance.participant_id
            ).first()
            context["mine"] = mine
            initial = {"approves": "yes" if mine.approves else "no", "remark": mine.remark} if mine else {}
            context["form"] = form or live_forms.PosterOpinionForm(initial=initial)
    return context


@functools.lru_cache(maxsize=1024)
def _vote_url(sequence_id: int) -> str:
    return reverse("workshops:live_vote", args=[sequence_id])


BALLOT_ITEM_COLUMNS = ["id", "sequence_id", "order", "text", "carried_by"]


@precompiled.precompiled
def _ballot_items_sql(sequence_id):
    items = BallotItem.objects.filter(sequence_id=sequence_id).order_by("order", "pk")
    return items.values_list(*BALLOT_ITEM_COLUMNS)


def _ballot_item(row: tuple) -> BallotItem:
    return precompiled.instance(BallotItem, BALLOT_ITEM_COLUMNS, row)


KEY_REMOVE, KEY_ADD, CSRF_FIELD = "\x00remove\x00", "\x00add\x00", "\x00csrf\x00"  # never in stored text


def _ballot_row(item: BallotItem, ballot: services.Ballot, vote_url: str, *, csrf_field: str = "") -> str:
    """One item of a participant's ballot, with fresh keys for its « − » and « + ». Drawn after
    every tap, and a whole ballot after the last point is spent: each distinct row is rendered
    once per process (``_rendered_row``), then its keys (and the CSRF field of a page drawn
    without htmx) are filled in."""
    points = ballot.mine.get(item.pk, 0)
    html = _rendered_row(
        get_language(),
        item.pk,
        item.text,
        item.carried_by,
        points,
        ballot.left > 0 and (not ballot.max_per_item or points < ballot.max_per_item),
        vote_url,
    )
    filled = html.replace(KEY_REMOVE, live_forms.new_key()).replace(KEY_ADD, live_forms.new_key())
    return mark_safe(filled.replace(CSRF_FIELD, csrf_field))  # noqa: S308 (keys and field are ours)


@functools.lru_cache(maxsize=4096)
def _rendered_row(
    language: str, pk: int, text: str, carried_by: str, points: int, can_add: bool, vote_url: str
) -> str:
    """A ballot row's HTML for these facts, with slots for its keys and CSRF field. The text is
    escaped by the template; the slots hold a NUL, which no stored text can contain. Who carries
    the proposal is named here, in the row's language, once per process (Django's
    ``get_FOO_display`` builds its table of choices at every call)."""
    row = {
        "pk": str(pk),  # a ready string: no id is localised
        "text": text,
        "carrier": str(dict(Carrier.choices).get(carried_by, carried_by)),
        "points": points,
        "points_label": ngettext("%(counter)s point", "%(counter)s points", points) % {"counter": points},
        "dots": "●" * points,
        "minus": str(points - 1),
        "plus": str(points + 1),
        "can_add": can_add,
        "vote_url": vote_url,
    }
    slots = {"key_remove": KEY_REMOVE, "key_add": KEY_ADD, "csrf": CSRF_FIELD}
    return render_to_string("workshops/live/_ballot_row.html", {"row": row, "slots": slots})


def _moderation_rows(request: HttpRequest, workshop: Workshop, kind: str, contributions: list) -> list[str]:
    """The console's moderation table, a row per contribution of the current sequence. The
    console page is drawn again after every gesture of the facilitator, and a room can hold
    hundreds of words: each distinct row is rendered once per process (as the ballot's rows),
    then this page's CSRF field is filled in."""
    csrf_field, language = _csrf_field(request), get_language()
    return [
        mark_safe(  # noqa: S308 (the row was escaped by its template; the field is ours)
            _rendered_moderation_row(
                language, workshop.pk, kind, contribution.pk, contribution.text, contribution.original_text,
                getattr(contribution, "pole", ""), contribution.hidden,
            ).replace(CSRF_FIELD, csrf_field)
        )
        for contribution in contributions
    ]


# A row is about 1 kB of HTML: some 20 MB per process at most, the words of a hundred rooms of 150
# words. A console draws all its rows in turn, so a cache smaller than the rooms' words together
# would lose every row before it is drawn again.
@functools.lru_cache(maxsize=16384)
def _rendered_moderation_row(
    language: str, workshop_pk: int, kind: str, pk: int, text: str, original_text: str, pole: str,
    hidden: bool,
) -> str:
    contribution = {
        "pk": str(pk),  # a ready string: no id is localised
        "text": text,
        "original_text": original_text,
        "pole_label": str(dict(Pole.choices).get(pole, pole)),
        "hidden": hidden,
        "moderate_url": reverse("workshops:live_moderate", args=[workshop_pk, kind, pk]),
    }
    return render_to_string(
        "workshops/live/_moderation_row.html", {"contribution": contribution, "slots": {"csrf": CSRF_FIELD}}
    )


def _csrf_field(request: HttpRequest) -> str:
    """What ``{% csrf_token %}`` draws."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


class PointsLeft(NamedTuple):
    left: str
    limit: str


def _points_left(ballot: services.Ballot) -> PointsLeft:
    """The « points left » line, in words: redrawn with every vote."""
    return _points_left_words(get_language(), ballot.left, ballot.budget, ballot.max_per_item)


@functools.lru_cache(maxsize=1024)
def _points_left_words(language: str, left: int, budget: int, max_per_item: int) -> PointsLeft:
    said = ngettext(
        "Il vous reste %(counter)s point sur %(budget)s.",
        "Il vous reste %(counter)s points sur %(budget)s.",
        left,
    ) % {"counter": left, "budget": budget}
    limit = ngettext(
        "Au plus %(counter)s point par choix.", "Au plus %(counter)s points par choix.", max_per_item
    ) % {"counter": max_per_item}
    return PointsLeft(left=said, limit=limit if max_per_item else "")


@functools.lru_cache(maxsize=1024)
def _points_left_swap(language: str, left: int, budget: int, max_per_item: int) -> str:
    """The « points left » line swapped out of band after a tap, drawn once per process for
    each count, as the rows are (``_rendered_row``)."""
    return render_to_string(
        "workshops/live/_vote.html#points-left",
        {"points_left": _points_left_words(language, left, budget, max_per_item), "oob": True},
    )


def _render_activity(request: HttpRequest, attendance: Attendance, *, status: int = 200, **kwargs):
    context = _activity_context(attendance, csrf_field="" if request.htmx else _csrf_field(request), **kwargs)
    if request.htmx:
        return render(request, "workshops/live/_activity.html", context, status=status)
    context.update(_status_context(request, attendance))
    return render(request, "workshops/live/tablet.html", context, status=status)


def _set_place(response: HttpResponse, attendance: Attendance) -> HttpResponse:
    response.set_signed_cookie(
        COOKIE,
        attendance.token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


# --- Joining -----------------------------------------------------------------------------------------


JOIN_FAILURES = {"group": "join-code", "rate": "30/10m"}


def _join_blocked_message() -> str:
    return _(
        "Trop de codes erronés depuis cet appareil ou ce réseau. Attendez quelques minutes, "
        "puis demandez le code à l'animation."
    )


def join(request: HttpRequest) -> HttpResponse:
    """The join page: type the code shown in the room (any case, spaces allowed). Wrong codes are
    counted per address, so guessing one cannot open a workshop."""
    form = live_forms.JoinCodeForm(request.POST or None)
    if request.method == "POST" and failures_exceeded(request, **JOIN_FAILURES):
        form.is_valid()
        form.add_error("code", _join_blocked_message())
        return render(request, "workshops/live/join.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        workshop = services.workshop_for_code(form.cleaned_data["code"])
        if workshop is not None:
            return redirect("workshops:live_join_code", code=workshop.join_code)
        failure_record(request, **JOIN_FAILURES)
        form.add_error(
            "code",
            _(
                "Ce code ne correspond à aucun atelier en cours. Vérifiez les lettres et les chiffres "
                "affichés à l'écran."
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/live/join.html", {"form": form}, status=status)


def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR target: pick one's name from the panel list, or give a first name."""
    if failures_exceeded(request, **JOIN_FAILURES):
        messages.error(request, _join_blocked_message())
        return redirect("workshops:live_join")
    workshop = services.workshop_for_code(code)
    if workshop is None:
        failure_record(request, **JOIN_FAILURES)
        messages.error(request, _("Ce code ne correspond à aucun atelier en cours."))
        return redirect("workshops:live_join")
    shared = request.COOKIES.get(SHARED_COOKIE) == "1"
    walk_in = live_forms.WalkInForm()
    error = ""
    if request.method == "POST":
        shared = request.POST.get("shared") == "on"
        mode = Attendance.Mode.SHARED if shared else Attendance.Mode.TABLET
        try:
            if "participant" in request.POST:
                participant = (
                    Participant.objects.in_panel(workshop.panel)
                    .filter(pk=live_forms.whole_number(request.POST.get("participant")))
                    .first()
                )
                if participant is None:
                    raise services.LiveError(_("Ce nom ne figure pas dans le panel de cet atelier."))
                attendance = services.attendance_join(workshop=workshop, participant=participant, mode=mode)
            else:
                walk_in = live_forms.WalkInForm(request.POST)
                if not walk_in.is_valid():
                    raise services.LiveError(_("Indiquez votre prénom pour que l'animation vous accueille."))
                attendance = services.attendance_join(
                    workshop=workshop, walk_in_name=walk_in.cleaned_data["first_name"], mode=mode
                )
        except services.LiveError as refusal:
            error = refusal.message
        else:
            response = _set_place(redirect("workshops:live_tablet"), attendance)
            if shared:
                response.set_cookie(SHARED_COOKIE, "1", max_age=COOKIE_MAX_AGE, samesite="Lax")
            else:
                response.delete_cookie(SHARED_COOKIE)
            return response
    participants = Participant.objects.in_panel(workshop.panel).order_by("display_name", "pk")
    return render(
        request,
        "workshops/live/join_name.html",
        {
            "workshop": workshop,
            "participants": participants,
            "walk_in": walk_in,
            "shared": shared,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
def next_participant(request: HttpRequest) -> HttpResponse:
    """Shared tablet: hand the device to the next person (their place and answers stay saved)."""
    attendance = _attendance(request)
    target = (
        reverse("workshops:live_join_code", args=[attendance.workshop.join_code])
        if attendance
        else reverse("workshops:live_join")
    )
    response = redirect(target)
    response.delete_cookie(COOKIE)
    return response


# --- Tablet screens ---------------------------------------------------------------------------------


def tablet(request: HttpRequest) -> HttpResponse:
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request) if COOKIE in request.COOKIES else redirect("workshops:live_join")
    return _render_activity(request, attendance)


@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    """Every 2 s from each tablet. One query (the attendance with its workshop and current
    sequence); 304 when neither the facilitator's state nor the shown screen changed."""
    state = _tablet_state(request)
    if state is None:
        return render(request, "workshops/live/_status_lost.html")
    if _etag_matches(request, state.etag) and request.GET.get("shown") == state.activity_key:
        return _not_modified(state.etag)
    attendance = _attendance(request)
    if attendance is None:
        return render(request, "workshops/live/_status_lost.html")
    etag = TabletState.of(attendance).etag
    response = render(request, "workshops/live/_status.html", _status_context(request, attendance))
    return _with_etag(response, etag)


@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    return _render_activity(request, attendance)


def _submitted(request: HttpRequest, attendance: Attendance) -> HttpResponse:
    if request.htmx:
        return _render_activity(request, attendance)
    return redirect("workshops:live_tablet")


def _refused(request: HttpRequest, attendance: Attendance, form, message: str) -> HttpResponse:
    """Re-show the form with what was typed and the reason; nothing already saved is touched."""
    form.add_error(None, message)
    return _render_activity(request, attendance, form=form, status=409)


def _sequence_of(pk: int) -> Sequence:
    """Any sequence id (even another workshop's) reaches the service, which refuses it clearly."""
    return Sequence(pk=pk)


def _tablet_submit(request: HttpRequest, form_class, submit) -> HttpResponse:
    """The shape of every tablet form: a known place, a valid form, then the service; a refusal
    re-shows the form with what was typed and the French reason."""
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_activity(request, attendance, form=form, status=422)
    try:
        submit(attendance, form.cleaned_data)
    except services.LiveError as refusal:
        return _refused(request, attendance, form, refusal.message)
    return _submitted(request, attendance)


@require_POST
def quality_add(request: HttpRequest, sequence_pk: int) -> HttpResponse:
    return _tablet_submit(
        request,
        live_forms.QualityForm,
        lambda attendance, data: services.quality_add(
            attendance=attendance, sequence=_sequence_of(sequence_pk), text=data["text"], key=data["key"]
        ),
    )


@require_POST
def proposal_add(request: HttpRequest, sequence_pk: int) -> HttpResponse:
    return _tablet_submit(
        request,
        live_forms.ProposalForm,
        lambda attendance, data: services.proposal_add(
            attendance=attendance,
            sequence=_sequence_of(sequence_pk),
            text=data["text"],
            carried_by=data["carried_by"],
            key=data["key"],
        ),
    )


CONTRIBUTION_MODELS = {"qualite": Quality, "proposition": Proposal}
CONTRIBUTION_KINDS = {model: kind for kind, model in CONTRIBUTION_MODELS.items()}


def contribution_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Fix one's own words (one thing per screen: the edit form replaces the activity)."""
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    model = CONTRIBUTION_MODELS.get(kind)
    if model is None:
        raise Http404
    form_class = live_forms.QualityForm if model is Quality else live_forms.ProposalForm
    contribution = model.objects.filter(
        pk=pk, participant_id=attendance.participant_id, sequence__workshop_id=attendance.workshop_id
    ).first()
    if contribution is None or attendance.participant_id is None:
        return _render_activity(
            request,
            attendance,
            alert=_("Cette contribution n'est pas la vôtre : rien n'a été modifié."),
            status=404,
        )
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.contribution_edit(
                    attendance=attendance,
                    model=model,
                    pk=pk,
                    text=form.cleaned_data["text"],
                    carried_by=form.cleaned_data.get("carried_by"),
                    key=form.cleaned_data["key"],
                )
            except services.LiveError as refusal:
                form.add_error(None, refusal.message)
            else:
                return _submitted(request, attendance)
        status = 409
    else:
        initial = {"text": contribution.text}
        if model is Proposal:
            initial["carried_by"] = contribution.carried_by
        form = form_class(initial=initial)
        status = 200
    context = {
        "attendance": attendance,
        "contribution": contribution,
        "kind": kind,
        "form": form,
        "activity_key": _activity_key(attendance),
        "workshop": attendance.workshop,
    }
    if request.htmx:
        return render(request, "workshops/live/_edit.html", context, status=status)
    context.update(_status_context(request, attendance))
    context["editing"] = True
    return render(request, "workshops/live/tablet.html", context, status=status)


@require_POST
def contribution_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    model = CONTRIBUTION_MODELS.get(kind)
    if model is None:
        raise Http404
    try:
        services.contribution_delete(
            attendance=attendance, model=model, pk=pk, key=request.POST.get("key", "")
        )
    except services.LiveError as refusal:
        return _render_activity(request, attendance, alert=refusal.message, status=409)
    return _submitted(request, attendance)


@require_POST
def position_set(request: HttpRequest, sequence_pk: int) -> HttpResponse:
    return _tablet_submit(
        request,
        live_forms.PositionForm,
        lambda attendance, data: services.position_set(
            attendance=attendance, sequence=_sequence_of(sequence_pk), value=data["value"], key=data["key"]
        ),
    )


def _redraw(request: HttpRequest, **kwargs) -> HttpResponse:
    """A ballot row's forms target their own row; anything else (a refusal, running out of
    points, another screen) redraws the whole activity area."""
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    response = _render_activity(request, attendance, **kwargs)
    response["HX-Retarget"] = "#activity"
    response["HX-Reswap"] = "innerHTML"
    return response


TAP_REFUSALS = {"item": services.NOT_ON_THIS_BALLOT, "points": services.POINTS_INVALID}


@require_POST
def vote(request: HttpRequest, sequence_pk: int) -> HttpResponse:
    """Add or take back a point; the form says the new total for the item (and its key). The
    answer is that item's row and the points left (swapped out of band): the rest of the ballot
    is unchanged, unless the last point was just spent or given back. The place is read by the
    vote itself, under its lock."""
    token = _place_token(request)
    if token is None:
        return _place_lost(request)
    try:
        tap = live_forms.vote_tap(request.POST)
    except live_forms.TapRefused as refused:
        return _redraw(request, alert=str(TAP_REFUSALS[refused.field]), status=422)
    try:
        receipt = services.vote_cast(
            place=token, item_id=tap.item, sequence_id=sequence_pk, points=tap.points, key=tap.key
        )
    except services.LiveError as refusal:
        return _redraw(request, alert=refusal.message, status=409)
    if not request.htmx:
        return redirect("workshops:live_tablet")
    if receipt.item.sequence_id != receipt.current_sequence_id:
        return _redraw(request)
    if receipt.other_items_changed:
        return _redraw(request, ballot=receipt.ballot)
    ballot = receipt.ballot
    row = _ballot_row(receipt.item, ballot, _vote_url(receipt.item.sequence_id))
    points_left = _points_left_swap(get_language(), ballot.left, ballot.budget, ballot.max_per_item)
    return HttpResponse(row + points_left)


@require_POST
def poster_opinion(request: HttpRequest, sequence_pk: int) -> HttpResponse:
    attendance = _attendance(request)
    if attendance is None:
        return _place_lost(request)
    form = live_forms.PosterOpinionForm(request.POST)
    if not form.is_valid():
        return _render_activity(request, attendance, form=form, status=422)
    version = _draft_poster(attendance.workshop)
    try:
        if version is None:
            raise services.LiveError(_("Il n'y a pas encore d'affiche à valider."))
        services.poster_opinion_record(
            attendance=attendance,
            sequence=_sequence_of(sequence_pk),
            version=version,
            approves=form.cleaned_data["approves"],
            remark=form.cleaned_data["remark"],
            key=form.cleaned_data["key"],
        )
    except services.LiveError as refusal:
        return _refused(request, attendance, form, refusal.message)
    return _submitted(request, attendance)


def clock_label(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _clock(sequence: Sequence, now) -> Sequence:
    """Elapsed time computed on the server from DB timestamps; a small script ticks it."""
    sequence.elapsed_now = sequence.elapsed(now)
    sequence.elapsed_label = clock_label(sequence.elapsed_now)
    sequence.over = sequence.elapsed_now > sequence.planned_minutes * 60
    return sequence


# --- Conditional refresh of the console and the projector --------------------------------------------
#
# Their ETag is « versions-digest »: the workshop's state and content versions, then a digest of the
# figures the screen shows. Same versions: nothing can have changed (the cheapest 304). Newer
# versions but the same digest (a vote by someone who had already voted, an arrival during a hidden
# vote…): still a 304, and the screen is not redrawn for a change it does not show.


def _digest(*facts) -> str:
    """Stable across processes (unlike hash()), so any app server answers the same ETag."""
    return hashlib.blake2b(repr(facts).encode(), digest_size=8).hexdigest()


def _screen_tag(request: HttpRequest, stem: str, *, versions: str = "", digest: str = "") -> str | None:
    """The tag the screen sent back, if it was drawn from these versions or shows this digest."""
    for tag in _sent_tags(request):
        if not tag.startswith(f'"{stem}-'):
            continue
        if (versions and tag.startswith(f'"{stem}-{versions}-')) or (digest and tag.endswith(f'-{digest}"')):
            return tag
    return None


def _versions(workshop: Workshop) -> str:
    return f"{workshop.state_version}.{workshop.content_version}"


def _room_tag(stem: str, workshop: Workshop, digest: str) -> str:
    """The console's or projector's ETag: « stem-versions-digest »."""
    return f'"{stem}-{_versions(workshop)}-{digest}"'


@functools.lru_cache(maxsize=128)
def _chart(language: str, draw, data: tuple, **options) -> str:
    """A chart drawn once per process for the same figures and language: the word cloud of the
    pole nobody is writing in, or a screen drawn again for an unrelated change, costs nothing."""
    return draw(data, **options)


def _chart_svg(draw, data, **options) -> str:
    return _chart(get_language(), draw, tuple(data), **options)


# --- Results (projector and console) ---------------------------------------------------------------


def _vote_totals(sequence: Sequence) -> dict:
    """Points per item, by panel of origin too, and how many people of each origin voted: the
    figures of the results, in two queries whatever the size."""
    items = list(
        BallotItem.objects.filter(sequence=sequence)
        .annotate(
            total=Sum("votes__points", default=0),
            agents=Sum(
                "votes__points", filter=Q(votes__participant__home_panel__kind=PanelKind.AGENTS), default=0
            ),
            users=Sum(
                "votes__points", filter=Q(votes__participant__home_panel__kind=PanelKind.USERS), default=0
            ),
        )
        .order_by("-total", "order", "pk")
        .values("pk", "text", "total", "agents", "users")
    )
    voters = dict(
        Vote.objects.filter(ballot_item__sequence=sequence)
        .values("participant__home_panel__kind")
        .annotate(n=Count("participant", distinct=True))
        .values_list("participant__home_panel__kind", "n")
    )
    return {"items": items, "voters": voters}


def _vote_results(workshop: Workshop, sequence: Sequence, totals: dict) -> dict:
    """The results as shown, by panel of origin only where each group counts at least MIN_GROUP
    people (so no agent can be singled out). Everyone has one origin: the groups add up."""
    items, voters = totals["items"], totals["voters"]
    return {
        "items": items,
        "voters": sum(voters.values()),
        "show_agents": voters.get(PanelKind.AGENTS, 0) >= MIN_GROUP,
        "show_users": voters.get(PanelKind.USERS, 0) >= MIN_GROUP,
        "by_origin": workshop.panel.kind == PanelKind.MIXED,
        "chart": _chart_svg(
            charts.vote_bars_svg, ((item["text"], item["total"]) for item in items), title=sequence.title
        ),
    }


@functools.cache
def _current_sequence_sql() -> str:
    """The workshop's current sequence with how many people voted in it (param: the workshop)."""
    sequence, workshop, vote, item = (
        model._meta.db_table for model in (Sequence, Workshop, Vote, BallotItem)
    )
    return (
        f"SELECT cs.*, (SELECT COUNT(DISTINCT v.participant_id) FROM {vote} v "
        f"JOIN {item} i ON i.id = v.ballot_item_id WHERE i.sequence_id = cs.id) AS voters "
        f"FROM {sequence} cs JOIN {workshop} w ON w.current_sequence_id = cs.id WHERE w.id = %s"
    )


def _board_facts(workshop: Workshop) -> dict:
    """What the projector shows, as plain figures: one statement reads the current sequence (and
    its voters), then one or two queries the figures of its activity."""
    sequence = next(iter(Sequence.objects.raw(_current_sequence_sql(), [workshop.pk])), None)
    facts = {"sequence": sequence}
    if sequence is None:
        return facts
    activity = sequence.activity
    if activity == Activity.QUALITIES:
        facts["texts"] = list(
            Quality.objects.visible().filter(sequence=sequence).order_by("pk").values_list("pole", "text")
        )
    elif activity == Activity.POSITIONING:
        facts["values"] = sorted(Position.objects.filter(sequence=sequence).values_list("value", flat=True))
    elif activity == Activity.PROPOSALS:
        facts["proposals"] = list(
            Proposal.objects.visible()
            .filter(sequence=sequence)
            .order_by("created_at", "pk")
            .values_list("carried_by", "text")
        )
    elif activity in Activity.voting():
        if sequence.results_revealed:
            facts["totals"] = _vote_totals(sequence)
        else:
            facts["voters"] = sequence.voters
    elif activity == Activity.POSTER_VALIDATION:
        version = _draft_poster(workshop)
        if version is not None:
            facts["opinions"] = version.validations.aggregate(
                yes=Count("pk", filter=Q(approves=True)), no=Count("pk", filter=Q(approves=False))
            )
    return facts


def _board_digest(workshop: Workshop, facts: dict) -> str:
    """What the board shows: the facilitator's gestures (state version) and the figures. Like the
    versions before it, it ignores an edit of a title in preparation until the next change."""
    sequence = facts["sequence"]
    figures = {key: value for key, value in facts.items() if key != "sequence"}
    return _digest(workshop.state_version, workshop.status, workshop.title, sequence and sequence.pk, figures)


def _board_context(workshop: Workshop, facts: dict) -> dict:
    """The projector's drawing of its facts; charts come from the per-process chart cache."""
    sequence = facts["sequence"]
    context = {"workshop": workshop, "sequence": sequence}
    if sequence is None:
        return context
    _clock(sequence, timezone.now())
    if "texts" in facts:
        texts = facts["texts"]
        context["clouds"] = [
            {
                "pole": pole,
                "label": pole.label,
                "svg": _chart_svg(
                    charts.word_cloud_svg,
                    charts.word_weights(t for p, t in texts if p == pole),
                    title=str(pole.label),
                    tone=pole.value,
                ),
                "count": sum(1 for p, _t in texts if p == pole),
            }
            for pole in (Pole.IDEAL, Pole.CHAOTIC)
        ]
    elif "values" in facts:
        values = facts["values"]
        context["positions"] = {
            "count": len(values),
            "median_text": charts.format_number(charts.median(values)) if values else "",
            "svg": _chart_svg(charts.position_distribution_svg, values, title=sequence.title),
        }
    elif "proposals" in facts:
        context["proposal_groups"] = [
            (label, [text for carried_by, text in facts["proposals"] if carried_by == carrier])
            for carrier, label in Carrier.choices
        ]
    elif "totals" in facts:
        context["results"] = _vote_results(workshop, sequence, facts["totals"])
    elif "voters" in facts:
        context["voters"] = facts["voters"]
    elif "opinions" in facts:
        context["opinions"] = facts["opinions"]
    return context


def _qr_svg(url: str, code: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000000", light="#ffffff")
    label = escape(_("QR code pour rejoindre l'atelier avec le code %(code)s") % {"code": code})
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr" ', 1))  # noqa: S308


def _projection(request: HttpRequest, workshop: Workshop, board_url: str) -> HttpResponse:
    join_url = request.build_absolute_uri(reverse("workshops:live_join_code", args=[workshop.join_code]))
    facts = _board_facts(workshop)
    context = _board_context(workshop, facts)
    context |= {
        "board_url": board_url,
        "join_url": join_url,
        "join_short_url": request.build_absolute_uri(reverse("workshops:live_join")),
        "qr": _qr_svg(join_url, workshop.join_code),
        "etag_header": _etag_header(_room_tag(f"p{workshop.pk}", workshop, _board_digest(workshop, facts))),
    }
    return render(request, "workshops/live/projector.html", context)


def _board(request: HttpRequest, workshop: Workshop, board_url: str) -> HttpResponse:
    """Polled every 2 s: the workshop's versions answer the 304 when they are those of the
    screen; otherwise the facts are read, and the board is drawn only if they differ from what
    the screen shows."""
    stem, versions = f"p{workshop.pk}", _versions(workshop)
    tag = _screen_tag(request, stem, versions=versions)
    if tag:
        return _not_modified(tag)
    facts = _board_facts(workshop)
    digest = _board_digest(workshop, facts)
    etag = _room_tag(stem, workshop, digest)
    if _screen_tag(request, stem, digest=digest):
        return _not_modified(etag)
    context = _board_context(workshop, facts) | {"etag_header": _etag_header(etag), "board_url": board_url}
    return _with_etag(render(request, "workshops/live/_board.html", context), etag)


@login_required
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    return _projection(request, workshop, reverse("workshops:live_board", args=[pk]))


@login_required
@require_GET
def projector_board(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    return _board(request, workshop, reverse("workshops:live_board", args=[pk]))


@precompiled.precompiled
def _screen_sql(token):
    return Workshop.objects.filter(screen_token=token).values_list(*_all_fields(Workshop))[:1]


def _screen_workshop_or_404(token: str) -> Workshop:
    """The workshop whose projection address this is: what the room's computer shows, without
    anyone logging in on it. A renewed address no longer answers."""
    row = _screen_sql().fetchone(token=token)
    if row is None:
        raise Http404
    return precompiled.instance(Workshop, _all_fields(Workshop), row)


@require_GET
def screen(request: HttpRequest, token: str) -> HttpResponse:
    workshop = _screen_workshop_or_404(token)
    response = _projection(request, workshop, reverse("workshops:live_screen_board", args=[token]))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def screen_board(request: HttpRequest, token: str) -> HttpResponse:
    workshop = _screen_workshop_or_404(token)
    return _board(request, workshop, reverse("workshops:live_screen_board", args=[token]))


@login_required
@require_POST
def screen_renew(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    services.screen_token_renew(workshop=workshop)
    messages.success(
        request,
        _("La projection a une nouvelle adresse : l'ancienne ne fonctionne plus. Ouvrez la nouvelle sur "
          "l'ordinateur de la salle."),
    )
    return redirect("workshops:live_console", pk=workshop.pk)


# --- Console -----------------------------------------------------------------------------------------


@functools.cache
def _console_facts_sql() -> str:
    """Every live figure of the console in one statement (params: the paper mode, the workshop):
    the ORM compiling the six queries it replaces cost more CPU than running them."""
    workshop, sequence, attendance, vote, item = (
        model._meta.db_table for model in (Workshop, Sequence, Attendance, Vote, BallotItem)
    )
    quality, proposal, position = (model._meta.db_table for model in (Quality, Proposal, Position))
    contributors = " UNION ".join(
        f"SELECT c.participant_id FROM {table} c JOIN {sequence} s ON s.id = c.sequence_id "
        "WHERE s.workshop_id = w.id AND c.participant_id IS NOT NULL"
        for table in (quality, proposal, position)
    )
    return (
        "SELECT "
        f"(SELECT COUNT(*) FROM {attendance} a WHERE a.workshop_id = w.id AND a.participant_id IS NOT NULL), "
        f"(SELECT COUNT(*) FROM {attendance} a WHERE a.workshop_id = w.id AND a.mode = %s), "
        f"(SELECT COUNT(*) FROM {attendance} a WHERE a.workshop_id = w.id AND a.participant_id IS NULL), "
        f"(SELECT COUNT(*) FROM ({contributors}) contributors), "
        f"(SELECT COUNT(DISTINCT v.participant_id) FROM {vote} v JOIN {item} i ON i.id = v.ballot_item_id "
        f"JOIN {sequence} s ON s.id = i.sequence_id WHERE s.workshop_id = w.id), "
        "cs.activity, "
        f"(SELECT COUNT(*) FROM {quality} c WHERE c.sequence_id = cs.id AND c.merged_into_id IS NULL), "
        f"(SELECT COUNT(*) FROM {proposal} c WHERE c.sequence_id = cs.id AND c.merged_into_id IS NULL) "
        f"FROM {workshop} w LEFT JOIN {sequence} cs ON cs.id = w.current_sequence_id WHERE w.id = %s"
    )


def _counts(workshop: Workshop) -> dict:
    """Live figures, never who answered what: one query, and one more only while someone waits
    to be admitted. ``moderation_total``: how many contributions the current sequence has, when
    it collects some (None otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute(_console_facts_sql(), [Attendance.Mode.PAPER, workshop.pk])
        joined, paper, waiting, contributors, voters, activity, qualities, proposals = cursor.fetchone()
    pending = (
        list(workshop.attendances.filter(participant__isnull=True).order_by("joined_at", "pk"))
        if waiting
        else []
    )
    moderation_total = {Activity.QUALITIES: qualities, Activity.PROPOSALS: proposals}.get(activity)
    return {
        "joined": joined,
        "paper": paper,
        "contributors": contributors,
        "voters": voters,
        "pending": pending,
        "moderation_total": moderation_total,
    }


def _moderation(workshop: Workshop) -> dict:
    sequence = workshop.current_sequence
    if sequence is None or sequence.activity not in (Activity.QUALITIES, Activity.PROPOSALS):
        return {}
    model = Quality if sequence.activity == Activity.QUALITIES else Proposal
    contributions = list(
        model.objects.filter(sequence=sequence, merged_into__isnull=True).order_by("created_at", "pk")
    )
    return {
        "moderation_kind": "qualite" if model is Quality else "proposition",
        "contributions": contributions,
    }


def _live_panel(workshop: Workshop, *, moderation_shown: int | None) -> tuple[str, dict]:
    """The digest of the live area (see « Conditional refresh » above), and its context. The
    refresh only says when the moderation table (drawn with the page) is behind: redrawing it
    every 2 s would cost the server more than all the tablets' polls, and move rows under the
    facilitator's pointer."""
    counts = _counts(workshop)
    digest = _digest(
        counts["joined"],
        counts["paper"],
        counts["contributors"],
        counts["voters"],
        [(attendance.pk, attendance.walk_in_name) for attendance in counts["pending"]],
        counts["moderation_total"],
        moderation_shown,
    )
    context = {
        "workshop": workshop,
        "counts": counts,
        "is_mixed": workshop.panel.kind == PanelKind.MIXED,
        "moderation_shown": moderation_shown,
        "moderation_total": counts["moderation_total"],
    }
    return digest, context


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    now = timezone.now()
    sequences = list(workshop.sequences.order_by("order"))
    for sequence in sequences:
        _clock(sequence, now)
    total = int((now - workshop.live_started_at).total_seconds()) if workshop.live_started_at else 0
    current = workshop.current_sequence
    participants = Participant.objects.in_panel(workshop.panel).order_by("display_name", "pk")
    items = BallotItem.objects.filter(sequence=current) if current else BallotItem.objects.none()
    moderation = _moderation(workshop)
    contributions = moderation.get("contributions")
    digest, context = _live_panel(
        workshop, moderation_shown=len(contributions) if contributions is not None else None
    )
    # Duplicate suggestions are quadratic: computed when the console page loads (and after each
    # gesture, which reloads it), never on the 2-second live refresh.
    visible = [c for c in contributions or [] if not c.hidden]
    context |= moderation | {
        "moderation_rows": _moderation_rows(
            request, workshop, moderation.get("moderation_kind", ""), contributions or []
        ),
        "etag_header": _etag_header(_room_tag(f"c{workshop.pk}", workshop, digest)),
        "suggestions": curation.duplicate_suggestions(visible),
        "sequences": sequences,
        "current": current,
        "total_elapsed": total,
        "total_label": clock_label(total),
        "over_two_hours": total > workshop.duration_minutes * 60,
        "paper_form": live_forms.PaperForm(participants=participants, items=items),
        "screen_url": request.build_absolute_uri(
            reverse("workshops:live_screen", args=[workshop.screen_token])
        ),
    }
    return render(request, "workshops/live/console.html", context)


@login_required
@require_GET
def console_live(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every 2 s, like the projector's board (see « Conditional refresh » above)."""
    workshop = led_workshop_or_404(request.user, pk)
    stem, versions = f"c{workshop.pk}", _versions(workshop)
    tag = _screen_tag(request, stem, versions=versions)
    if tag:
        return _not_modified(tag)
    shown = request.GET.get("shown", "")
    digest, context = _live_panel(workshop, moderation_shown=int(shown) if shown.isdigit() else None)
    etag = _room_tag(stem, workshop, digest)
    if _screen_tag(request, stem, digest=digest):
        return _not_modified(etag)
    context["etag_header"] = _etag_header(etag)
    return _with_etag(render(request, "workshops/live/_console_live.html", context), etag)


CONSOLE_ACTIONS = {
    "open": lambda sequence, post: services.sequence_open(sequence=sequence),
    "pause": lambda sequence, post: services.sequence_pause(sequence=sequence),
    "close": lambda sequence, post: services.sequence_close(sequence=sequence),
    "reveal": lambda sequence, post: services.results_reveal(sequence=sequence, revealed=True),
    "hide": lambda sequence, post: services.results_reveal(sequence=sequence, revealed=False),
    "pole": lambda sequence, post: services.sequence_pole_set(sequence=sequence, pole=post.get("pole", "")),
}


@login_required
@require_POST
def console_sequence(request: HttpRequest, pk: int, sequence_pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    sequence = get_object_or_404(Sequence, pk=sequence_pk, workshop=workshop)
    action = CONSOLE_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Action inconnue."))
    else:
        try:
            action(sequence, request.POST)
        except services.LiveError as refusal:
            messages.error(request, refusal.message)
    return redirect("workshops:live_console", pk=workshop.pk)


@login_required
@require_POST
def console_finish(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    services.workshop_finish(workshop=workshop)
    messages.success(request, _("L'atelier est terminé : le code ne permet plus de le rejoindre."))
    return redirect("workshops:live_console", pk=workshop.pk)


@login_required
@require_POST
def console_admit(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    attendance = get_object_or_404(Attendance, pk=attendance_pk, workshop=workshop)
    try:
        if request.POST.get("decision") == "refuse":
            services.attendance_refuse(attendance=attendance)
        else:
            services.attendance_admit(
                attendance=attendance, home_panel_kind=request.POST.get("home_panel_kind") or None
            )
    except services.LiveError as refusal:
        messages.error(request, refusal.message)
    return redirect("workshops:live_console", pk=workshop.pk)


def _moderated(workshop: Workshop, kind: str, pk: int):
    model = CONTRIBUTION_MODELS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk, sequence__workshop=workshop)


@login_required
@require_POST
def console_moderate(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Hide / show again, or fix a typo — through the curation service (original words kept)."""
    workshop = led_workshop_or_404(request.user, pk)
    contribution = _moderated(workshop, kind, item_pk)
    try:
        if request.POST.get("action") == "reword":
            curation.contribution_reword(contribution=contribution, text=request.POST.get("text", ""))
        else:
            curation.contribution_hide(contribution=contribution, hidden=request.POST.get("action") == "hide")
    except curation.CurationError as refusal:
        messages.error(request, refusal.message)
    else:
        services.contributions_changed(workshop=workshop)
    return redirect(f"{reverse('workshops:live_console', args=[workshop.pk])}#moderation")


@login_required
@require_POST
def console_merge(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    model = CONTRIBUTION_MODELS.get(kind)
    if model is None:
        raise Http404
    ids = [i for i in (live_forms.whole_number(v) for v in request.POST.getlist("ids")) if i is not None]
    chosen = list(model.objects.filter(pk__in=ids, sequence__workshop=workshop).order_by("created_at", "pk"))
    try:
        if len(chosen) < 2:
            raise curation.CurationError(_("Cochez au moins deux contributions à fusionner."))
        curation.contributions_merge(target=chosen[0], duplicates=chosen[1:])
    except curation.CurationError as refusal:
        messages.error(request, refusal.message)
    else:
        services.contributions_changed(workshop=workshop)
        messages.success(request, _("Fusion faite : les mots d'origine restent conservés."))
    return redirect(f"{reverse('workshops:live_console', args=[workshop.pk])}#moderation")


@login_required
@require_POST
def console_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Paper fallback: the facilitator types in the answer of someone without a tablet."""
    workshop = led_workshop_or_404(request.user, pk)
    current = workshop.current_sequence
    participants = Participant.objects.in_panel(workshop.panel)
    items = BallotItem.objects.filter(sequence=current) if current else BallotItem.objects.none()
    form = live_forms.PaperForm(request.POST, participants=participants, items=items)
    if current is None:
        messages.error(request, _("Ouvrez d'abord une séquence."))
        return redirect("workshops:live_console", pk=workshop.pk)
    if not form.is_valid():
        messages.error(request, _("Saisie incomplète : choisissez la personne et sa réponse."))
        return redirect("workshops:live_console", pk=workshop.pk)
    data = form.cleaned_data
    try:
        attendance = services.attendance_for_paper(workshop=workshop, participant=data["participant"])
        activity = current.activity
        if activity == Activity.QUALITIES:
            services.quality_add(
                attendance=attendance,
                sequence=current,
                text=data["text"],
                key=data["key"],
                by_facilitator=True,
            )
        elif activity == Activity.PROPOSALS:
            services.proposal_add(
                attendance=attendance,
                sequence=current,
                text=data["text"],
                carried_by=data["carried_by"],
                key=data["key"],
                by_facilitator=True,
            )
        elif activity == Activity.POSITIONING:
            if data["value"] is None:
                raise services.LiveError(_("Choisissez une position entre 0 et 10."))
            services.position_set(
                attendance=attendance, sequence=current, value=data["value"], key=data["key"]
            )
        elif activity in Activity.voting():
            if data["item"] is None or data["points"] is None:
                raise services.LiveError(_("Choisissez l'élément et le nombre de points."))
            services.vote_cast(
                place=attendance.token,
                item_id=data["item"].pk,
                sequence_id=current.pk,
                points=data["points"],
                key=data["key"],
            )
        elif activity == Activity.POSTER_VALIDATION:
            version = _draft_poster(workshop)
            if version is None or data["approves"] is None:
                raise services.LiveError(_("Il n'y a pas d'affiche à valider, ou l'avis manque."))
            services.poster_opinion_record(
                attendance=attendance,
                sequence=current,
                version=version,
                approves=data["approves"],
                remark=data["text"],
                key=data["key"],
            )
        else:
            raise services.LiveError(_("Cette séquence ne recueille pas de réponse."))
    except services.LiveError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Réponse de %(name)s enregistrée.") % {"name": data["participant"].display_name}
        )
    return redirect("workshops:live_console", pk=workshop.pk)
