"""The method's scheduling rules, checked before anything is saved and explained in French."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshops.models import PanelKind, Workshop

RECOMMENDED_MIN_DAYS = 15
# « about a month »: up to five weeks before the warning.
RECOMMENDED_MAX_DAYS = 35
TWO_HOURS = 120

METHOD_DELAY_REASON = gettext_lazy(
    "La méthode recommande « un délai minimum de quinze jours à un mois entre l'atelier agents et "
    "l'atelier usagers », pour permettre aux agents de promouvoir leur propre expérience de la "
    "méthode auprès des usagers."
)


class ScheduleError(Exception):
    """The database refused the schedule (a concurrent change slipped past the checks)."""


@dataclass(frozen=True)
class Slot:
    workshop: Workshop
    starts_at: datetime | None
    duration_minutes: int
    place: str = ""

    @property
    def ends_at(self) -> datetime | None:
        return None if self.starts_at is None else self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Issue:
    level: str  # "error" blocks saving, "warning" is shown and explained
    message: str
    workshop_id: int | None = None


def _kind(slot: Slot) -> str:
    return slot.workshop.panel.kind


def schedule_issues(slots: Sequence[Slot]) -> list[Issue]:
    """Errors: a workshop before one that must precede it, or overlapping it. Warnings: the
    users workshop outside 15 days to about a month after the agents one, a date in the past."""
    issues: list[Issue] = []
    scheduled = sorted((s for s in slots if s.starts_at), key=lambda s: s.workshop.order)
    by_kind = {_kind(s): s for s in scheduled}
    agents, users, mixed = (by_kind.get(k) for k in (PanelKind.AGENTS, PanelKind.USERS, PanelKind.MIXED))
    if agents and users and users.starts_at <= agents.starts_at:
        issues.append(Issue("error", _(
            "L'atelier agents a lieu en premier : l'atelier usagers doit être fixé après lui, pour que "
            "les agents aient vécu la méthode avant d'en parler aux usagers."), users.workshop.pk))
    if mixed:
        for before in (agents, users):
            if before and mixed.starts_at <= before.starts_at:
                issues.append(Issue("error", _(
                    "L'atelier mixte choisit parmi les qualités et propositions des deux premiers "
                    "ateliers : il doit avoir lieu après « %(title)s ».") % {"title": before.workshop.title},
                    mixed.workshop.pk))
    for first, second in zip(scheduled, scheduled[1:], strict=False):
        if first.starts_at < second.starts_at < first.ends_at:
            issues.append(Issue("error", _("« %(second)s » commence avant la fin de « %(first)s ».") % {
                "first": first.workshop.title, "second": second.workshop.title}, second.workshop.pk))
    if not any(i.level == "error" for i in issues):
        for first, second in zip(scheduled, scheduled[1:], strict=False):
            if second.starts_at <= first.starts_at:
                issues.append(Issue("error", _("« %(second)s » doit avoir lieu après « %(first)s ».") % {
                    "first": first.workshop.title, "second": second.workshop.title}, second.workshop.pk))
    if agents and users and users.starts_at > agents.starts_at:
        days = (timezone.localdate(users.starts_at) - timezone.localdate(agents.starts_at)).days
        if days < RECOMMENDED_MIN_DAYS:
            issues.append(Issue("warning", _(
                "L'atelier usagers est fixé %(days)d jours seulement après l'atelier agents. %(reason)s")
                % {"days": days, "reason": METHOD_DELAY_REASON}, users.workshop.pk))
        elif days > RECOMMENDED_MAX_DAYS:
            issues.append(Issue("warning", _(
                "L'atelier usagers est fixé %(days)d jours après l'atelier agents, plus d'un mois : "
                "l'expérience des agents sera moins fraîche. %(reason)s")
                % {"days": days, "reason": METHOD_DELAY_REASON}, users.workshop.pk))
    now = timezone.now()
    for slot in scheduled:
        if slot.workshop.status == Workshop.Status.PLANNED and slot.starts_at < now:
            issues.append(Issue("warning", _("« %(title)s » est fixé à une date passée.")
                                % {"title": slot.workshop.title}, slot.workshop.pk))
    return issues


def run_of_show_issue(*, workshop: Workshop, total_minutes: int) -> Issue | None:
    """A workshop lasts two hours: sequences planned beyond its duration will not fit."""
    limit = workshop.duration_minutes or TWO_HOURS
    if total_minutes > limit:
        return Issue("warning", _(
            "Les séquences de « %(title)s » durent %(total)d minutes au total, plus que les %(limit)d "
            "minutes de l'atelier : raccourcissez une séquence ou allongez l'atelier.")
            % {"title": workshop.title, "total": total_minutes, "limit": limit}, workshop.pk)
    return None


@transaction.atomic
def schedule_save(*, slots: Sequence[Slot]) -> None:
    """Clear the dates first, then set them in the method's order, so the database trigger
    never sees a half-moved schedule. Call only with slots free of errors."""
    Workshop.objects.filter(pk__in=[s.workshop.pk for s in slots]).update(starts_at=None)
    try:
        with transaction.atomic():
            for slot in sorted(slots, key=lambda s: s.workshop.order):
                workshop = slot.workshop
                workshop.starts_at = slot.starts_at
                workshop.duration_minutes = slot.duration_minutes
                workshop.place = slot.place
                workshop.save(update_fields=["starts_at", "duration_minutes", "place"])
    except IntegrityError as error:
        raise ScheduleError(str(error)) from error
