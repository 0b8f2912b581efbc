"""Calendar files (iCalendar): one per workshop, and a feed a facilitator subscribes to."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from workshops.models import CalendarFeedKey, Workshop

FEED_SALT = "workshops.calendar-feed"
PRODID = "-//Vivre ensemble le service public//Ateliers//FR"


def workshop_event(workshop: Workshop, *, url: str = "") -> Event:
    """Needs workshop.concertation loaded; the UID is stable so updates replace the event."""
    event = Event()
    event.add("uid", f"atelier-{workshop.pk}@vivre-ensemble")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", workshop.starts_at)
    event.add("dtend", workshop.ends_at)
    event.add("summary", f"{workshop.title} — {workshop.concertation.title}")
    if workshop.place:
        event.add("location", workshop.place)
    description = _("Atelier de la démarche « %(concertation)s » (méthode « Vivre ensemble le service "
                    "public »), %(minutes)d minutes.") % {
        "concertation": workshop.concertation.title, "minutes": workshop.duration_minutes}
    event.add("description", description)
    if url:
        event.add("url", url)
    return event


def calendar_bytes(workshops: Iterable[Workshop], *, name: str, url_for=None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for workshop in workshops:
        if workshop.starts_at is not None:
            calendar.add_component(workshop_event(workshop, url=url_for(workshop) if url_for else ""))
    return calendar.to_ical()


def workshop_ics(workshop: Workshop, *, url: str = "") -> bytes:
    return calendar_bytes([workshop], name=workshop.title, url_for=(lambda w: url) if url else None)


def _signed(pk: int, generation: int) -> str:
    """Generation 0 signs the bare pk, exactly as before renewal existed, so the addresses
    already in people's calendars stay valid until their owner renews."""
    return signing.Signer(salt=FEED_SALT).sign(f"{pk}:{generation}" if generation else str(pk))


def feed_token(user) -> str:
    """Unguessable and unforgeable (signed with SECRET_KEY): the feed needs no login, since
    calendar applications cannot log in. It carries the user's current generation, so renewing
    cuts off every earlier address."""
    generation = CalendarFeedKey.objects.filter(user=user).values_list("generation", flat=True).first()
    return _signed(user.pk, generation or 0)


def feed_user(token: str):
    """The active user the token was made for, or None for a forged, stale or renewed token.

    One query: a missing key row means generation 0 (never renewed)."""
    try:
        pk, _sep, generation = signing.Signer(salt=FEED_SALT).unsign(token).partition(":")
        pk, generation = int(pk), int(generation or 0)
    except (signing.BadSignature, ValueError):
        return None
    current = Q(calendar_feed_key__generation=generation)
    if generation == 0:
        current |= Q(calendar_feed_key__isnull=True)
    return get_user_model().objects.filter(current, pk=pk, is_active=True).first()


def calendar_feed_renew(*, user) -> str:
    """Issue a new subscription address for the user and revoke the previous one at once; returns
    the new token. The increment is done in the database (F()), so two renewals racing each get
    their own generation and only the last one stays valid."""
    with transaction.atomic():
        key, _created = CalendarFeedKey.objects.get_or_create(user=user)
        CalendarFeedKey.objects.filter(pk=key.pk).update(
            generation=F("generation") + 1, renewed_at=timezone.now()
        )
        key.refresh_from_db(fields=["generation"])
    return _signed(user.pk, key.generation)
