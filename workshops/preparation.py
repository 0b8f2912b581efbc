"""Where a concertation stands in the method, and the next thing its team should do."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.models import Concertation, PanelKind, Workshop


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    link_text: str = ""


def next_steps(*, concertation: Concertation, panels: list, workshops: list[Workshop],
               mixed_count: int) -> list[NextStep]:
    """Recruit the agents then users panels, build the mixed panel, fix the dates, invite:
    the method's order, as a short to-do list computed from the data already on the page."""
    steps: list[NextStep] = []
    # A panel whose workshop has started or is over is no longer being recruited.
    planned_panels = {w.panel_id for w in workshops if w.status == Workshop.Status.PLANNED}
    by_kind = {panel.kind: panel for panel in panels if panel.pk in planned_panels}
    for kind in (PanelKind.AGENTS, PanelKind.USERS):
        panel = by_kind.get(kind)
        if panel is None:
            continue
        if panel.people_count < panel.target_size:
            steps.append(NextStep(
                ngettext(
                    "Recruter le panel %(kind)s : %(count)d personne sur les %(target)d visées.",
                    "Recruter le panel %(kind)s : %(count)d personnes sur les %(target)d visées.",
                    panel.people_count,
                )
                % {"kind": panel.get_kind_display().lower(), "count": panel.people_count,
                   "target": panel.target_size},
                reverse("panels:detail", args=[panel.pk]), _("Ouvrir le panel %(kind)s")
                % {"kind": panel.get_kind_display().lower()},
            ))
    if PanelKind.MIXED in by_kind and mixed_count == 0 and any(
        panel.people_count for panel in panels if panel.kind != PanelKind.MIXED
    ):
        steps.append(NextStep(
            _("Constituer le panel mixte parmi les volontaires des deux panels."),
            reverse("panels:mixed", args=[concertation.pk]), _("Constituer le panel mixte"),
        ))
    unscheduled = [w for w in workshops if w.starts_at is None]
    if unscheduled:
        steps.append(NextStep(
            _("Fixer la date de : %(titles)s.") % {"titles": ", ".join(w.title for w in unscheduled)},
            reverse("workshops:schedule", args=[concertation.pk]), _("Planifier les ateliers"),
        ))
    now = timezone.now()
    upcoming = [
        w for w in workshops if w.starts_at and w.starts_at >= now and w.status == Workshop.Status.PLANNED
    ]
    if upcoming:
        first = upcoming[0]
        steps.append(NextStep(
            _("Préparer « %(title)s » : invitations, feuille d'émargement, déroulé.")
            % {"title": first.title},
            reverse("workshops:run_of_show", args=[first.pk]), _("Voir le déroulé de « %(title)s »")
            % {"title": first.title},
        ))
    if workshops and all(w.status == Workshop.Status.DONE for w in workshops):
        steps.append(NextStep(_("Les trois ateliers sont terminés : faire valider l'affiche, puis présenter "
                                "les résultats au comité de pilotage.")))
    return steps
