"""Authorization matrix: every URL pattern of the project × every role, on GET and on POST.

Each view is classified by a policy that says, for each role, what must happen: allowed (the
page, a download, a redirect to its place, or a form error) or denied (login redirect, 403, 404,
405, a tablet told its place is lost, or a tablet action refused). A denied POST must change
nothing. A new URL pattern that this matrix does not classify fails `test_every_url_is_classified`.

The data (the demo concertation, with panels, participants, a live workshop, ballots, a poster
draft and roadmaps, plus another concertation whose tablet holds a place) is built once for the
module; every test runs in a transaction rolled back afterwards, so allowed POSTs leave no trace.
"""

import hashlib
import tempfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from panels.models import Panel, PanelTarget, Participant
from posters import services as poster_services
from posters.models import (
    AuditEntry,
    Commitment,
    PosterQuality,
    PosterValidation,
    PosterVersion,
    ProgressNote,
    Roadmap,
    RoadmapAction,
)
from workshops.calendar import feed_token
from workshops.live_views import COOKIE, COOKIE_SALT
from workshops.models import (
    Activity,
    Attendance,
    BallotItem,
    CalendarFeedKey,
    Concertation,
    Position,
    Proposal,
    Quality,
    Sequence,
    Service,
    Site,
    Vote,
    Workshop,
)
from workshops.roles import FACILITATORS, SERVICE_MANAGERS

ANON, PART, OUTSIDER, OTHER_MANAGER, MANAGER, TEAM, ADMIN = (
    "anonyme",
    "participant·e d'un autre atelier",
    "animateur hors équipe",
    "responsable d'un autre service",
    "responsable du service",
    "équipe d'animation",
    "administrateur",
)
ROLES = [ANON, PART, OUTSIDER, OTHER_MANAGER, MANAGER, TEAM, ADMIN]
ROLE_IDS = dict(
    zip(ROLES, ["anon", "participant", "outsider", "other-manager", "manager", "team", "admin"], strict=True)
)
NOT_LOGGED_IN = {ANON, PART}

# Outcome classes.
OK, LOGIN, FORBIDDEN, NOT_FOUND, METHOD, PLACE_LOST, REFUSED = (
    "allowed", "login", "403", "404", "405", "place lost", "refused",
)
DENIED = {LOGIN, FORBIDDEN, NOT_FOUND, METHOD, PLACE_LOST, REFUSED}

PASSWORD = "demo-vivre-ensemble"
HAUTEPIERRE = "Vivre ensemble à la Maison de Hautepierre"


# --- Policies: who gets what -----------------------------------------------------------------


def _public(role: str, method: str) -> str:
    return OK


def _any_account(role: str, method: str) -> str:
    return LOGIN if role in NOT_LOGGED_IN else OK


def _to_login(role: str, method: str) -> str:
    """Logging out lands on the login page, whoever asks."""
    return LOGIN


def _creator(role: str, method: str) -> str:
    """Facilitators (any team) create concertations; service managers do not."""
    if role in NOT_LOGGED_IN:
        return LOGIN
    return NOT_FOUND if role in {OTHER_MANAGER, MANAGER} else OK


def _visible(role: str, method: str) -> str:
    """The team and the managers of the services concerned see; the others do not even learn
    that the concertation exists."""
    if role in NOT_LOGGED_IN:
        return LOGIN
    return NOT_FOUND if role in {OUTSIDER, OTHER_MANAGER} else OK


def _visible_team_writes(role: str, method: str) -> str:
    outcome = _visible(role, method)
    return FORBIDDEN if outcome == OK and method == "POST" and role == MANAGER else outcome


def _lead(role: str, method: str) -> str:
    """Only the team (and administrators) prepare, run and curate, or see personal data."""
    if role in NOT_LOGGED_IN:
        return LOGIN
    return OK if role in {TEAM, ADMIN} else NOT_FOUND


def _own_tablet(role: str, method: str) -> str:
    """A tablet's own screens: the participant's place, nobody else's."""
    return OK if role == PART else PLACE_LOST


def _tablet_on_target(role: str, method: str) -> str:
    """A tablet acting on a sequence of the target workshop: refused for a place elsewhere."""
    return REFUSED if role == PART else PLACE_LOST


def _tablet_on_target_item(role: str, method: str) -> str:
    return NOT_FOUND if role == PART else PLACE_LOST


@dataclass(frozen=True)
class Rule:
    policy: object
    methods: tuple[str, ...]  # the methods the view answers; others give 405
    kwargs: object  # world -> reverse() kwargs
    login_first: bool = True  # login_required runs before the method check
    data: object = None  # world -> POST data that would pass the form, so the refusal is the rule's


def _c(w):
    return {"pk": w.concertation.pk}


def _ballot(w):
    return _c(w) | {"item_pk": w.ballot_item.pk}


MATRIX: dict[str, Rule] = {
    # Accounts, language, health, privacy notice.
    "login": Rule(_public, ("GET", "POST"), lambda w: {}, login_first=False),
    "logout": Rule(_to_login, ("POST",), lambda w: {}, login_first=False),
    "set_language": Rule(_public, ("GET", "POST"), lambda w: {}, login_first=False),
    "workshops:health": Rule(_public, ("GET",), lambda w: {}, login_first=False),
    "workshops:privacy": Rule(_public, ("GET", "POST"), lambda w: {}, login_first=False),
    # Concertations.
    "workshops:home": Rule(_any_account, ("GET", "POST"), lambda w: {}),
    "workshops:calendar": Rule(_any_account, ("GET", "POST"), lambda w: {}),
    "workshops:calendar_feed_renew": Rule(_any_account, ("POST",), lambda w: {}),
    "workshops:calendar_feed": Rule(
        _public, ("GET",), lambda w: {"token": w.feed_token}, login_first=False
    ),
    "workshops:concertation": Rule(_visible, ("GET", "POST"), _c),
    "workshops:concertation_create": Rule(_creator, ("GET", "POST"), lambda w: {}),
    "workshops:concertation_edit": Rule(_lead, ("GET", "POST"), _c),
    "workshops:concertation_managers": Rule(_lead, ("GET", "POST"), _c),
    "workshops:concertation_close": Rule(_lead, ("GET", "POST"), _c),
    "workshops:concertation_reopen": Rule(_lead, ("POST",), _c),
    "workshops:schedule": Rule(_lead, ("GET", "POST"), _c),
    "workshops:workshop_ics": Rule(_visible, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "workshops:run_of_show": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "workshops:sequence_edit": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.sequence.pk}),
    # Curation.
    "workshops:curation": Rule(_lead, ("GET",), _c),
    "workshops:curation_carry": Rule(_lead, ("POST",), _c),
    "workshops:curation_ballot_reword": Rule(_lead, ("POST",), _ballot),
    "workshops:curation_ballot_move": Rule(_lead, ("POST",), _ballot),
    "workshops:curation_reword": Rule(
        _lead, ("POST",), lambda w: _c(w) | {"kind": "qualites", "item_pk": w.quality.pk}
    ),
    "workshops:curation_hide": Rule(
        _lead, ("POST",), lambda w: _c(w) | {"kind": "qualites", "item_pk": w.quality.pk}
    ),
    "workshops:curation_unmerge": Rule(
        _lead, ("POST",), lambda w: _c(w) | {"kind": "qualites", "item_pk": w.quality.pk}
    ),
    "workshops:curation_merge": Rule(_lead, ("POST",), lambda w: _c(w) | {"kind": "qualites"}),
    # Tablets (no account: a signed cookie holds the place).
    "workshops:live_join": Rule(_public, ("GET", "POST"), lambda w: {}, login_first=False),
    "workshops:live_join_code": Rule(
        _public, ("GET", "POST"), lambda w: {"code": w.workshop.join_code}, login_first=False
    ),
    "workshops:live_tablet": Rule(_own_tablet, ("GET", "POST"), lambda w: {}, login_first=False),
    "workshops:live_poll": Rule(_own_tablet, ("GET",), lambda w: {}, login_first=False),
    "workshops:live_activity": Rule(_own_tablet, ("GET",), lambda w: {}, login_first=False),
    "workshops:live_next": Rule(_own_tablet, ("POST",), lambda w: {}, login_first=False),
    **{
        f"workshops:{name}": Rule(
            _tablet_on_target, ("POST",), lambda w: {"sequence_pk": w.sequence.pk}, login_first=False,
            data=data,
        )
        for name, data in [
            ("live_quality_add", lambda w: {"key": "intrus-1", "text": "Intrusion"}),
            ("live_proposal_add", lambda w: {"key": "intrus-2", "text": "Intrusion", "carried_by": "agents"}),
            ("live_position", lambda w: {"key": "intrus-3", "value": "5"}),
            ("live_vote", lambda w: {"key": "intrus-4", "item": w.ballot_item.pk, "points": "1"}),
            ("live_poster", lambda w: {"key": "intrus-5", "approves": "yes"}),
        ]
    },
    "workshops:live_edit": Rule(
        _tablet_on_target_item, ("GET", "POST"), lambda w: {"kind": "qualite", "pk": w.quality.pk},
        login_first=False, data=lambda w: {"key": "intrus-6", "text": "Réécrit par un intrus"},
    ),
    "workshops:live_delete": Rule(
        _tablet_on_target, ("POST",), lambda w: {"kind": "qualite", "pk": w.quality.pk},
        login_first=False, data=lambda w: {"key": "intrus-7"},
    ),
    # The facilitator's console and the projector.
    "workshops:live_console": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_console_live": Rule(_lead, ("GET",), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_finish": Rule(_lead, ("POST",), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_paper": Rule(_lead, ("POST",), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_sequence": Rule(
        _lead, ("POST",), lambda w: {"pk": w.workshop.pk, "sequence_pk": w.sequence.pk}
    ),
    "workshops:live_admit": Rule(
        _lead, ("POST",), lambda w: {"pk": w.workshop.pk, "attendance_pk": w.attendance.pk}
    ),
    "workshops:live_moderate": Rule(
        _lead, ("POST",), lambda w: {"pk": w.workshop.pk, "kind": "qualite", "item_pk": w.quality.pk}
    ),
    "workshops:live_merge": Rule(_lead, ("POST",), lambda w: {"pk": w.workshop.pk, "kind": "qualite"}),
    "workshops:live_projector": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_board": Rule(_lead, ("GET",), lambda w: {"pk": w.workshop.pk}),
    "workshops:live_screen_renew": Rule(_lead, ("POST",), lambda w: {"pk": w.workshop.pk}),
    # The room's projection, by its unguessable address: no account on the room's computer.
    "workshops:live_screen": Rule(
        _public, ("GET",), lambda w: {"token": w.workshop.screen_token}, login_first=False
    ),
    "workshops:live_screen_board": Rule(
        _public, ("GET",), lambda w: {"token": w.workshop.screen_token}, login_first=False
    ),
    # Panels and personal data.
    "panels:detail": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.panel.pk}),
    "panels:participant_add": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.panel.pk}),
    "panels:import": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.panel.pk}),
    "panels:targets": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.panel.pk}),
    "panels:participant_edit": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:participant_delete": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:mixed_toggle": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:participant_letter": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:participant_data": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:participant_data_json": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:participant_erase": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.participant.pk}),
    "panels:mixed": Rule(_lead, ("GET", "POST"), _c),
    "panels:workshop_letters": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "panels:signin_sheet": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    "panels:send_invitations": Rule(_lead, ("GET", "POST"), lambda w: {"pk": w.workshop.pk}),
    # Posters and roadmaps.
    "posters:dashboard": Rule(_any_account, ("GET", "POST"), lambda w: {}),
    "posters:overview": Rule(_visible, ("GET", "POST"), _c),
    "posters:compose": Rule(_lead, ("POST",), _c),
    "posters:new_draft": Rule(_lead, ("POST",), _c),
    "posters:edit": Rule(_lead, ("GET", "POST"), _c),
    "posters:preview": Rule(_lead, ("POST",), _c),
    "posters:logo": Rule(_lead, ("POST",), _c),
    "posters:seal": Rule(_lead, ("POST",), _c),
    "posters:version_pdf": Rule(
        _visible, ("GET", "POST"), lambda w: {"version_pk": w.validated.pk, "paper": "a4"}
    ),
    "posters:version_png": Rule(_visible, ("GET", "POST"), lambda w: {"version_pk": w.validated.pk}),
    "posters:report_pdf": Rule(_visible, ("GET", "POST"), _c),
    "posters:roadmaps": Rule(_visible_team_writes, ("GET", "POST"), _c),
    "posters:roadmaps_create": Rule(_lead, ("POST",), _c),
    "posters:roadmap": Rule(_visible, ("GET", "POST"), lambda w: _c(w) | {"service_pk": w.service.pk}),
    "posters:roadmap_export": Rule(
        _visible, ("GET", "POST"), lambda w: _c(w) | {"service_pk": w.service.pk, "fmt": "csv"}
    ),
    "posters:action_update": Rule(_visible, ("POST",), lambda w: {"action_pk": w.action.pk}),
    "posters:note_add": Rule(_visible, ("POST",), lambda w: {"action_pk": w.action.pk}),
    "posters:public": Rule(
        _public, ("GET", "POST"), lambda w: {"token": w.concertation.public_token}, login_first=False
    ),
    "posters:public_poster": Rule(
        _public, ("GET", "POST"), lambda w: {"token": w.concertation.public_token, "fmt": "a4"},
        login_first=False,
    ),
    "posters:public_png": Rule(
        _public, ("GET", "POST"), lambda w: {"token": w.concertation.public_token}, login_first=False
    ),
}

def expected(name: str, role: str, method: str) -> str:
    rule = MATRIX[name]
    if method not in rule.methods:
        return LOGIN if rule.login_first and role in NOT_LOGGED_IN else METHOD
    return rule.policy(role, method)


# --- The URL patterns ------------------------------------------------------------------------


def _names(patterns, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "static/", "media/")):
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            names += _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            label = pattern.name or str(pattern.pattern)
            names.append(f"{namespace}:{label}" if namespace else label)
    return names


def test_every_url_is_classified():
    """A view added without a line in this matrix fails here: decide who may use it first."""
    names = _names(get_resolver().url_patterns)
    assert len(names) == len(set(names)), "two URL patterns share a name"
    assert sorted(set(names) - set(MATRIX)) == [], "URL patterns missing from the authorization matrix"
    assert sorted(set(MATRIX) - set(names)) == [], "the matrix names URL patterns that no longer exist"


# --- The data, built once --------------------------------------------------------------------


@dataclass
class World:
    concertation: Concertation
    workshop: Workshop
    sequence: Sequence
    panel: Panel
    participant: Participant
    attendance: Attendance
    quality: Quality
    ballot_item: BallotItem
    validated: PosterVersion
    service: Service
    action: RoadmapAction
    feed_token: str
    place_token: str
    users: dict


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    media = tempfile.TemporaryDirectory()
    media_settings = override_settings(MEDIA_ROOT=media.name, RATELIMIT_ENABLE=False)
    media_settings.enable()
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        concertation = Concertation.objects.get(title=HAUTEPIERRE)
        concertation.public_followup_enabled = True
        concertation.save()
        validated = poster_services.latest_validated(concertation)
        poster_services.poster_draft(concertation=concertation)
        workshop = concertation.workshops.get(order=1)
        Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.LIVE)
        workshop.refresh_from_db()
        quality = Quality.objects.filter(sequence__workshop=workshop).first()
        User = get_user_model()
        outsider = User.objects.create_user("animateur.externe", password=PASSWORD)
        outsider.groups.add(Group.objects.get(name=FACILITATORS))
        funeral_service = Service.objects.get(name="Service funéraire")
        other_manager = User.objects.create_user("responsable.funeraire", password=PASSWORD)
        other_manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS))
        other_manager.managed_services.add(funeral_service)
        # A tablet in another concertation's live workshop.
        elsewhere = Workshop.objects.get(concertation__services=funeral_service, order=1)
        Workshop.objects.filter(pk=elsewhere.pk).update(status=Workshop.Status.LIVE)
        place = Attendance.objects.create(
            workshop=elsewhere, participant=Participant.objects.filter(home_panel=elsewhere.panel).first()
        )
        service = Service.objects.get(name="Médiathèque", site=concertation.site)
        data = World(
            concertation=concertation,
            workshop=workshop,
            sequence=workshop.sequences.get(activity=Activity.QUALITIES),
            panel=workshop.panel,
            participant=quality.participant,
            attendance=workshop.attendances.first(),
            quality=quality,
            ballot_item=BallotItem.objects.filter(sequence__workshop__concertation=concertation).first(),
            validated=validated,
            service=service,
            action=RoadmapAction.objects.filter(roadmap__concertation=concertation, roadmap__service=service)
            .first(),
            feed_token=feed_token(User.objects.get(username="animatrice")),
            place_token=place.token,
            users={
                OUTSIDER: outsider,
                OTHER_MANAGER: other_manager,
                MANAGER: User.objects.get(username="responsable.mediatheque"),
                TEAM: User.objects.get(username="animatrice"),
                ADMIN: User.objects.get(username="admin"),
            },
        )
    yield data
    with django_db_blocker.unblock():
        Concertation.objects.all().delete()
        Service.objects.all().delete()
        Site.objects.all().delete()
        User.objects.all().delete()
    media_settings.disable()
    media.cleanup()


def _client(world: World, role: str) -> Client:
    client = Client()
    if role == PART:
        signer = signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT)
        client.cookies[COOKIE] = signer.sign(world.place_token)
    elif role != ANON:
        client.force_login(world.users[role])
    return client


STATE_MODELS = [
    Concertation, Workshop, Sequence, Attendance, Panel, PanelTarget, Participant, Quality, Proposal,
    Position, BallotItem, Vote, PosterVersion, PosterQuality, Commitment, PosterValidation, Roadmap,
    RoadmapAction, ProgressNote, AuditEntry, Service, CalendarFeedKey,
]


def _state() -> str:
    """A fingerprint of every row a view could change."""
    digest = hashlib.sha256()
    for model in STATE_MODELS:
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    digest.update(repr(list(Service.managers.through.objects.order_by("pk").values_list())).encode())
    digest.update(repr(list(Concertation.facilitators.through.objects.order_by("pk").values_list())).encode())
    return digest.hexdigest()


def _outcome(response) -> str:
    status = response.status_code
    assert status < 500, f"server error {status}"
    html = response.get("Content-Type", "").startswith("text/html")
    if status == 200 and html and b'id="live-status"' in response.content and b"plus reconnue" in (
        response.content
    ):
        return PLACE_LOST  # the polling answer of a tablet without a place
    location = response.get("Location", "")
    if status in {301, 302, 303} and location.startswith(reverse("login")):
        return LOGIN
    if status in {301, 302, 303} and location == reverse("workshops:live_join"):
        return PLACE_LOST
    return {403: FORBIDDEN, 404: NOT_FOUND, 405: METHOD, 409: REFUSED}.get(status, OK)


CASES = [(name, role, method) for name in MATRIX for role in ROLES for method in ("GET", "POST")]


@pytest.mark.parametrize(
    ("name", "role", "method"), CASES, ids=[f"{n}-{ROLE_IDS[r]}-{m}" for n, r, m in CASES]
)
def test_authorization(world, db, name, role, method):
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    client = _client(world, role)
    want = expected(name, role, method)
    before = _state() if method == "POST" and want in DENIED else None
    data = MATRIX[name].data(world) if MATRIX[name].data else {}
    response = client.get(url) if method == "GET" else client.post(url, data)
    got = _outcome(response)
    assert got == want, f"{role} {method} {url}: got {got} ({response.status_code}), expected {want}"
    if before is not None:
        assert _state() == before, f"a refused {method} on {url} by {role} changed data"


# --- Objects of another concertation reached through one's own ------------------------------

NESTED = {
    "workshops:curation_ballot_reword": lambda own, w: {"pk": own.pk, "item_pk": w.ballot_item.pk},
    "workshops:curation_ballot_move": lambda own, w: {"pk": own.pk, "item_pk": w.ballot_item.pk},
    "workshops:curation_reword": lambda own, w: {"pk": own.pk, "kind": "qualites", "item_pk": w.quality.pk},
    "workshops:curation_hide": lambda own, w: {"pk": own.pk, "kind": "qualites", "item_pk": w.quality.pk},
    "workshops:curation_unmerge": lambda own, w: {"pk": own.pk, "kind": "qualites", "item_pk": w.quality.pk},
    "workshops:live_sequence": lambda own, w: {
        "pk": own.workshops.get(order=1).pk, "sequence_pk": w.sequence.pk
    },
    "workshops:live_admit": lambda own, w: {
        "pk": own.workshops.get(order=1).pk, "attendance_pk": w.attendance.pk
    },
    "workshops:live_moderate": lambda own, w: {
        "pk": own.workshops.get(order=1).pk, "kind": "qualite", "item_pk": w.quality.pk
    },
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_a_team_cannot_reach_another_concertations_objects_through_its_own(world, db, name):
    """The facilitator leads the other (funeral) concertation only: ids of Hautepierre's ballot
    items, contributions, sequences and arrivals, put in that concertation's URLs, are not found."""
    own = Concertation.objects.exclude(pk=world.concertation.pk).get()
    outsider = world.users[OUTSIDER]
    own.facilitators.add(outsider)
    client = Client()
    client.force_login(outsider)
    before = _state()
    url = reverse(name, kwargs=NESTED[name](own, world))
    response = client.post(url, {"text": "Intrusion", "hidden": "1"})
    assert response.status_code == 404
    assert _state() == before
