"""Who may see and change what: decided here, once, and used by every view."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from panels.models import Panel
from workshops import precompiled
from workshops.models import Concertation, Workshop

User = AbstractBaseUser | AnonymousUser


def can_view_concertation(user: User, concertation: Concertation) -> bool:
    return Concertation.objects.visible_to(user).filter(pk=concertation.pk).exists()


def can_lead_concertation(user: User, concertation: Concertation) -> bool:
    """Facilitators on the team (and administrators) prepare, run and curate."""
    return Concertation.objects.led_by(user).filter(pk=concertation.pk).exists()


def can_create_concertation(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("workshops.add_concertation"))


def can_update_roadmap(user: User, *, concertation: Concertation, service_id: int) -> bool:
    """Facilitators of the concertation see and change every roadmap; a manager only their own."""
    if can_lead_concertation(user, concertation):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.managed_services.filter(pk=service_id).exists()
    )


def visible_concertation_or_404(user: User, pk: int, *, lead: bool = False) -> Concertation:
    """404 rather than 403 so another team cannot even learn that a concertation exists."""
    queryset: QuerySet[Concertation] = (
        Concertation.objects.led_by(user) if lead else Concertation.objects.visible_to(user)
    )
    try:
        return queryset.select_related("site", "method").get(pk=pk)
    except Concertation.DoesNotExist:
        raise Http404 from None


def led_panel_or_404(user: User, pk: int):
    """A panel holds personal data: only its concertation's team sees it."""
    try:
        return Panel.objects.select_related("concertation").get(
            pk=pk, concertation__in=Concertation.objects.led_by(user)
        )
    except Panel.DoesNotExist:
        raise Http404 from None


def led_participant_or_404(user: User, pk: int):
    from panels.models import Participant

    try:
        return Participant.objects.select_related("home_panel__concertation").get(
            pk=pk, home_panel__concertation__in=Concertation.objects.led_by(user)
        )
    except Participant.DoesNotExist:
        raise Http404 from None


LED_WORKSHOP = precompiled.Joined.of(
    (Workshop, "", None), (Concertation, "concertation", None), (Panel, "panel", None)
)


def _led_workshops(user) -> QuerySet[Workshop]:
    return Workshop.objects.filter(concertation__in=Concertation.objects.led_by(user))


@precompiled.precompiled
def _led_workshop_sql(pk, user_id):
    """A facilitator's: the rule is ``led_by``, applied to a stand-in with their id (``led_by``
    reads only the user's id, ``is_active`` and ``is_superuser``; ``led_workshop_or_404`` has
    already refused the accounts it gives nothing to)."""
    stand_in = get_user_model()(pk=user_id, is_active=True, is_superuser=False)
    return _led_workshops(stand_in).filter(pk=pk).values_list(*LED_WORKSHOP.columns)


@precompiled.precompiled
def _administered_workshop_sql(pk):
    stand_in = get_user_model()(is_active=True, is_superuser=True)
    return _led_workshops(stand_in).filter(pk=pk).values_list(*LED_WORKSHOP.columns)


def led_workshop_or_404(user: User, pk: int) -> Workshop:
    """With its concertation and panel. The console and the projector ask every 2 s: the SQL of
    ``led_by`` for a facilitator and for an administrator is compiled once per process."""
    if not (user.is_authenticated and user.is_active):  # led_by gives them nothing
        raise Http404
    if user.is_superuser:
        row = _administered_workshop_sql().fetchone(pk=pk)
    else:
        row = _led_workshop_sql().fetchone(pk=pk, user_id=user.pk)
    if row is None:
        raise Http404
    workshop, concertation, panel = LED_WORKSHOP.instances(row)
    workshop.concertation, workshop.panel = concertation, panel
    return workshop


def visible_workshop_or_404(user: User, pk: int) -> Workshop:
    try:
        return Workshop.objects.select_related("concertation", "panel").get(
            pk=pk, concertation__in=Concertation.objects.visible_to(user)
        )
    except Workshop.DoesNotExist:
        raise Http404 from None
