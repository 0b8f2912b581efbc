"""Property-based tests (hypothesis) on everything a participant can reach without an account:
the join code, the name pick, qualities (add, fix, withdraw), proposals, the position, the vote,
the poster opinion, « participant suivant », and the place cookie itself.

Whatever is sent (huge, empty, HTML/JS, odd Unicode: right-to-left marks, zero-width spaces,
emoji, NUL bytes; negative, huge or another workshop's ids; forged place cookies), the answer is
never a server error, a refusal says why in French, and nothing is stored that should not be:
no NUL byte, no text beyond its limit, nothing in another participant's or workshop's name, and
stored HTML comes back escaped.
"""

import re
import string
import unicodedata
from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posters.services import poster_draft
from tests import factories
from tests.workshops import live_data
from workshops import services
from workshops.live_views import COOKIE, COOKIE_SALT
from workshops.models import Activity, Attendance, Position, Proposal, Quality, Vote

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HTMX = {"HX-Request": "true"}
ENGLISH = re.compile(r"This field|Ensure this|Null characters|Enter a whole number|Select a valid choice")

NASTY = [
    "", " ", "   \t\n ", "\x00", "mot\x00caché", "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">', "\"'><b>gras</b>", "{{ secret }}{% debug %}", "\u202eétiruces\u202c",
    "\u200b", "\u200b\u200d\ufeff", "👩🏽‍🚒 accueil 🎉", "مرحبا بكم", "שָׁלוֹם", "Ｗｉｄｅ", "e\u0301coute",
    "x" * 121, "y" * 301, "z" * 5000, "DROP TABLE workshops_quality;--", "%s %d %(x)s", "\\N", "\r\n\r\n",
]
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=100, max_size=2000),
)
# The hidden idempotency key: well-formed ones, odd but valid ones, and broken ones (empty, NUL,
# over-long), which must be refused with a message too.
keys = st.one_of(
    st.uuids().map(str),
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp")),
            min_size=1, max_size=64),
    texts,
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "-1", "0", "3", "1e3", "0x10", "٣", "１", "NaN", "  2 ", "9" * 40]),
    texts,
)


def tablet(attendance: Attendance) -> Client:
    client = Client()
    client.cookies[COOKIE] = signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT).sign(attendance.token)
    return client


def clean(text: str) -> str:
    """What a participant's words must become: no control or invisible format characters
    (zero-width joiners inside emoji excepted), spaces collapsed; nothing visible left → empty."""
    kept = "".join(
        c for c in text if c.isspace() or c in "\u200c\u200d" or unicodedata.category(c) not in ("Cc", "Cf")
    )
    words = " ".join(kept.split())
    return words if words.replace("\u200c", "").replace("\u200d", "").strip() else ""


def assert_refused_in_french(response) -> None:
    """A 4xx (or a redirect carrying a message) whose visible error is in French."""
    assert response.status_code < 500
    body = response.content.decode()
    assert not ENGLISH.search(body), body[:500]
    if 400 <= response.status_code < 500 and response.status_code != 404:
        assert re.search(r"class=\"(notice error|errorlist)\"", body), body[:500]


@pytest.fixture
def rooms(concertation, facilitator):
    """Every activity a tablet can be in, open at once across two concertations, plus a third
    concertation whose ids a participant must never reach."""
    agents = live_data.people(concertation, "agents", ["Aline", "Bruno"])
    users = live_data.people(concertation, "users", ["Driss", "Emma"])
    mixed = live_data.mixed_people(concertation)
    qualities = services.sequence_open(sequence=live_data.sequence(live_data.workshop(concertation, 1),
                                                                   Activity.QUALITIES))
    proposals = services.sequence_open(sequence=live_data.sequence(live_data.workshop(concertation, 2),
                                                                   Activity.PROPOSALS))
    mixed_workshop = live_data.workshop(concertation, 3)
    items = live_data.ballot(mixed_workshop)
    vote = services.sequence_open(sequence=live_data.sequence(mixed_workshop, Activity.VOTE_QUALITIES))

    second = factories.territorial_concertation(facilitators=[facilitator], title="Deuxième démarche")
    second_agents = live_data.people(second, "agents", ["Gaëlle"])
    second_mixed = live_data.mixed_people(second, agents=("Hugo",), users=("Inès",))
    positioning = services.sequence_open(sequence=live_data.sequence(live_data.workshop(second, 1),
                                                                     Activity.POSITIONING))
    poster_workshop = live_data.workshop(second, 3)
    poster = services.sequence_open(sequence=live_data.sequence(poster_workshop, Activity.POSTER_VALIDATION))
    poster_draft(concertation=second)

    foreign = factories.territorial_concertation(title="Démarche d'ailleurs")
    stranger = live_data.people(foreign, "agents", ["Zoé"])[0]
    foreign_workshop = live_data.workshop(foreign, 1)
    foreign_sequence = services.sequence_open(
        sequence=live_data.sequence(foreign_workshop, Activity.QUALITIES)
    )
    foreign_place = services.attendance_join(workshop=foreign_workshop, participant=stranger)
    foreign_quality = services.quality_add(
        attendance=foreign_place, sequence=foreign_sequence, text="pas à vous", key="foreign-q"
    )
    foreign_items = live_data.ballot(live_data.workshop(foreign, 3), texts=["Ailleurs"])

    join = services.attendance_join
    places = {
        "qualities": join(workshop=qualities.workshop, participant=agents[0]),
        "neighbour": join(workshop=qualities.workshop, participant=agents[1]),
        "proposals": join(workshop=proposals.workshop, participant=users[0]),
        "vote": join(workshop=mixed_workshop, participant=mixed[0]),
        "positioning": join(workshop=positioning.workshop, participant=second_agents[0]),
        "poster": join(workshop=poster_workshop, participant=second_mixed[0]),
    }
    neighbour_quality = services.quality_add(
        attendance=places["neighbour"], sequence=qualities, text="à Bruno", key="neighbour-q"
    )
    return {
        "places": places,
        "sequences": {
            "qualities": qualities, "proposals": proposals, "vote": vote,
            "positioning": positioning, "poster": poster, "foreign": foreign_sequence,
        },
        "items": items,
        "foreign_items": foreign_items,
        "others_quality_ids": [foreign_quality.pk, neighbour_quality.pk],
        "workshop": qualities.workshop,
    }


def sequence_ids(rooms, own: str):
    sequences = rooms["sequences"]
    return st.one_of(
        st.just(sequences[own].pk),
        st.sampled_from([s.pk for s in sequences.values()]),
        st.integers(min_value=0, max_value=2**63 - 1),
    )


# --- Joining --------------------------------------------------------------------------------------


def test_join_code_form_never_fails_and_only_a_real_code_opens_a_workshop(client, rooms):
    real = rooms["workshop"].join_code

    @BOUNDED
    @given(code=st.one_of(texts, st.just(real.lower()), st.just(f" {real[:3]}-{real[3:]} ")))
    def check(code):
        response = client.post("/rejoindre/", {"code": code})
        if response.status_code == 302:
            assert services.normalize_join_code(code) == real
            assert response.url == f"/rejoindre/{real}/"
        else:
            assert response.status_code == 400
            assert_refused_in_french(response)

    check()


def test_join_code_in_the_address_never_fails(client, rooms):
    @BOUNDED
    @given(code=texts)
    def check(code):
        response = client.get("/rejoindre/" + quote(code, safe="") + "/")
        assert response.status_code in (200, 302, 404)
        if response.status_code == 302:
            assert response.url == "/rejoindre/"

    check()


def test_name_pick_stores_only_a_panel_member_or_a_clean_first_name(client, rooms):
    workshop = rooms["workshop"]
    url = f"/rejoindre/{workshop.join_code}/"
    insiders = set(workshop.panel.participants.values_list("pk", flat=True))

    @BOUNDED
    @given(
        choice=st.sampled_from(["participant", "first_name"]),
        value=st.one_of(numbers, st.sampled_from([str(pk) for pk in insiders])),
        shared=st.sampled_from(["", "on", "\x00", "<b>"]),
    )
    def check(choice, value, shared):
        before = set(Attendance.objects.values_list("pk", flat=True))
        response = Client().post(url, {choice: value, "shared": shared})
        new = Attendance.objects.exclude(pk__in=before)
        if response.status_code == 302:
            assert response.url == "/atelier/"
            if choice == "participant":
                assert int(value) in insiders
            else:
                created = new.get()
                assert created.walk_in_name == clean(value)[:100]
                assert "\x00" not in created.walk_in_name and created.walk_in_name
                assert escape(created.walk_in_name) in tablet(created).get("/atelier/").content.decode()
                created.delete()
        else:
            assert response.status_code == 400
            assert not new.exists()
            assert_refused_in_french(response)

    check()


# --- Contributions --------------------------------------------------------------------------------


def test_quality_add_stores_clean_escaped_text_or_refuses_in_french(rooms):
    place = rooms["places"]["qualities"]
    device = tablet(place)
    used_keys = set()

    @BOUNDED
    @given(text=texts, key=keys, sequence=sequence_ids(rooms, "qualities"))
    def check(text, key, sequence):
        before = set(Quality.objects.values_list("pk", flat=True))
        response = device.post(f"/atelier/sequences/{sequence}/qualites/", {"text": text, "key": key},
                               headers=HTMX)
        new = list(Quality.objects.exclude(pk__in=before))
        assert response.status_code < 500
        if response.status_code == 200 and new:
            (quality,) = new
            assert quality.participant_id == place.participant_id
            assert quality.sequence_id == rooms["sequences"]["qualities"].pk == sequence
            assert quality.text == clean(text) and 0 < len(quality.text) <= 120 and "\x00" not in quality.text
            assert escape(quality.text) in response.content.decode()
            used_keys.add(key.strip())
        elif response.status_code == 200:
            assert key.strip() in used_keys  # the same key again: applied once, not twice
        else:
            assert not new
            assert_refused_in_french(response)

    check()


def test_quality_fix_and_withdraw_only_touch_ones_own_words(rooms):
    place = rooms["places"]["qualities"]
    device = tablet(place)
    own = services.quality_add(
        attendance=place, sequence=rooms["sequences"]["qualities"], text="écoute", key="own-q"
    )
    others = rooms["others_quality_ids"]
    untouchable = {pk: Quality.objects.get(pk=pk).text for pk in others}

    @BOUNDED
    @given(
        pk=st.one_of(st.just(own.pk), st.sampled_from(others), st.integers(min_value=0, max_value=2**63 - 1)),
        kind=st.sampled_from(["qualite", "proposition", "vote", "x"]),
        text=texts,
        action=st.sampled_from(["modifier", "supprimer"]),
    )
    def check(pk, kind, text, action):
        response = device.post(
            f"/atelier/{kind}/{pk}/{action}/", {"text": text, "key": str(hash((pk, text)))}, headers=HTMX
        )
        assert response.status_code < 500
        for other, original in untouchable.items():
            assert Quality.objects.get(pk=other).text == original
        mine = Quality.objects.filter(pk=own.pk).first()
        if mine is not None:
            assert "\x00" not in mine.text and 0 < len(mine.text) <= 120
        if response.status_code >= 400:
            assert_refused_in_french(response)

    check()


def test_proposal_add_checks_words_and_carrier(rooms):
    device = tablet(rooms["places"]["proposals"])

    @BOUNDED
    @given(
        text=texts,
        carried_by=st.one_of(st.sampled_from(["agents", "users", "both", "AGENTS", "", "\x00"]), texts),
        sequence=sequence_ids(rooms, "proposals"),
    )
    def check(text, carried_by, sequence):
        before = set(Proposal.objects.values_list("pk", flat=True))
        response = device.post(
            f"/atelier/sequences/{sequence}/propositions/",
            {"text": text, "carried_by": carried_by, "key": f"{len(before)}-{hash((text, carried_by))}"},
            headers=HTMX,
        )
        new = list(Proposal.objects.exclude(pk__in=before))
        assert response.status_code < 500
        if new:
            (proposal,) = new
            assert response.status_code == 200
            assert proposal.carried_by == carried_by and proposal.text == clean(text)
            assert 0 < len(proposal.text) <= 300 and "\x00" not in proposal.text
            assert escape(proposal.text) in response.content.decode()
        elif response.status_code != 200:
            assert_refused_in_french(response)

    check()


def test_position_is_only_ever_0_to_10(rooms):
    place = rooms["places"]["positioning"]
    device = tablet(place)

    @BOUNDED
    @given(value=numbers, sequence=sequence_ids(rooms, "positioning"), key=keys)
    def check(value, sequence, key):
        before = Position.objects.filter(participant_id=place.participant_id).values_list("value", flat=True)
        before = list(before)
        response = device.post(f"/atelier/sequences/{sequence}/position/", {"value": value, "key": key},
                               headers=HTMX)
        after = list(
            Position.objects.filter(participant_id=place.participant_id).values_list("value", flat=True)
        )
        assert response.status_code < 500
        assert all(0 <= v <= 10 for v in after) and len(after) <= 1
        if response.status_code != 200:
            assert after == before
            assert_refused_in_french(response)

    check()


def test_vote_keeps_the_budget_whatever_item_and_points_are_sent(rooms):
    place = rooms["places"]["vote"]
    device = tablet(place)
    sequence = rooms["sequences"]["vote"]
    own_items = [item.pk for item in rooms["items"]]
    foreign_items = [item.pk for item in rooms["foreign_items"]]

    @BOUNDED
    @given(
        item=st.one_of(st.sampled_from(own_items).map(str), st.sampled_from(foreign_items).map(str), numbers),
        points=st.one_of(st.integers(min_value=-3, max_value=6).map(str), numbers),
        sequence_pk=sequence_ids(rooms, "vote"),
        key=keys,
    )
    def check(item, points, sequence_pk, key):
        response = device.post(f"/atelier/sequences/{sequence_pk}/vote/",
                               {"item": item, "points": points, "key": key}, headers=HTMX)
        assert response.status_code < 500
        mine = dict(
            Vote.objects.filter(participant_id=place.participant_id).values_list("ballot_item", "points")
        )
        assert set(mine) <= set(own_items)
        assert sum(mine.values()) <= sequence.points_per_participant
        assert all(1 <= p <= sequence.max_points_per_item for p in mine.values())
        assert not Vote.objects.filter(ballot_item__in=foreign_items).exists()
        if response.status_code != 200:
            assert_refused_in_french(response)

    check()


def test_poster_opinion_stores_a_bounded_remark_without_nul(rooms):
    from posters.models import PosterValidation

    place = rooms["places"]["poster"]
    device = tablet(place)

    @BOUNDED
    @given(
        approves=st.one_of(st.sampled_from(["yes", "no", "", "YES", "1"]), texts),
        remark=texts,
        sequence=sequence_ids(rooms, "poster"),
    )
    def check(approves, remark, sequence):
        before = list(PosterValidation.objects.values_list("pk", "approves", "remark"))
        response = device.post(f"/atelier/sequences/{sequence}/affiche/",
                               {"approves": approves, "remark": remark, "key": f"{hash((approves, remark))}"},
                               headers=HTMX)
        assert response.status_code < 500
        after = list(PosterValidation.objects.values_list("participant_id", "approves", "remark"))
        assert len(after) <= 1
        for participant, _approves, stored in after:
            assert participant == place.participant_id
            assert "\x00" not in stored and len(stored) <= 500
        if response.status_code != 200:
            assert list(PosterValidation.objects.values_list("pk", "approves", "remark")) == before
            assert_refused_in_french(response)

    check()


# --- The place itself -------------------------------------------------------------------------------


def test_forged_or_unknown_places_are_refused_and_store_nothing(rooms):
    signer = signing.get_cookie_signer(salt=COOKIE + COOKIE_SALT)
    sequence = rooms["sequences"]["qualities"]
    real = rooms["places"]["qualities"].token

    @BOUNDED
    @given(
        cookie=st.one_of(
            st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";,\\\""),
                    max_size=200),
            st.text(alphabet=string.ascii_letters + string.digits + "-_", max_size=60).map(
                signer.sign  # well signed, but no such place
            ),
            st.just(real + ":forged"),
            st.just(signer.sign(real)[:-2] + "xx"),
        ),
        path=st.sampled_from(["/atelier/", "/atelier/etat/", "/atelier/activite/", "qualite", "suivant"]),
    )
    def check(cookie, path):
        counts = (Quality.objects.count(), Attendance.objects.count())
        device = Client()
        device.cookies[COOKIE] = cookie
        if path == "qualite":
            response = device.post(f"/atelier/sequences/{sequence.pk}/qualites/", {"text": "x", "key": "k"},
                                   headers=HTMX)
            assert response.status_code == 403
            assert "n'est pas reconnue" in response.content.decode().replace("&#x27;", "'")
        elif path == "suivant":
            response = device.post("/atelier/suivant/")
            assert response.status_code == 302 and response.url == "/rejoindre/"
        else:
            response = device.get(path, headers=HTMX)
            assert response.status_code in (200, 302, 403)
        assert (Quality.objects.count(), Attendance.objects.count()) == counts
        assert_refused_in_french(response)

    check()


@pytest.mark.parametrize(
    ("room", "path", "data"),
    [
        ("qualities", "qualites", {"text": "écoute", "key": ""}),
        ("qualities", "qualites", {"text": "écoute", "key": "\x00"}),
        ("qualities", "qualites", {"text": "écoute", "key": "k" * 65}),
        ("poster", "affiche", {"approves": "yes", "remark": "\x00", "key": "k"}),
        ("poster", "affiche", {"approves": "yes", "remark": "r" * 501, "key": "k"}),
    ],
)
def test_a_refused_hidden_or_optional_field_still_says_why(rooms, room, path, data):
    """A broken hidden key or an invalid optional remark: the form comes back with a message."""
    device = tablet(rooms["places"][room])
    sequence = rooms["sequences"][room]
    response = device.post(f"/atelier/sequences/{sequence.pk}/{path}/", data, headers=HTMX)
    assert response.status_code == 422
    assert not Quality.objects.filter(text="écoute").exists()
    assert re.search(r'class="(notice error|errorlist)"', response.content.decode())
