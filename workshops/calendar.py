"""Calendar files (iCalendar): one per workshop, and a feed a facilitator subscribes to."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from workshops.models import Workshop

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


def feed_token(user) -> str:
    """Unguessable and unforgeable (signed with SECRET_KEY): the feed needs no login, since
    calendar applications cannot log in."""
    return signing.Signer(salt=FEED_SALT).sign(str(user.pk))


def feed_user(token: str):
    """The active user the token was made for, or None for a forged or stale token."""
    try:
        pk = int(signing.Signer(salt=FEED_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()
