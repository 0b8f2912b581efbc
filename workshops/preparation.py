"""Where a concertation stands in the method, and the next thing its team should do."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panels.models import Participant
from panels.rgpd import purge_day
from posters.models import ActionQuerySet, Roadmap, RoadmapAction
from posters.services import latest_validated
from workshops.models import Concertation, PanelKind, Workshop


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class FollowUp:
    """What is left to do once the workshops are over."""

    poster_validated: bool
    roadmaps: int
    actions: int
    open_actions: int
    overdue: int
    incomplete: int

    @classmethod
    def of(cls, concertation: Concertation) -> "FollowUp":
        # a validated poster (the latest), the roadmaps (count), their actions (one aggregate)
        counts = RoadmapAction.objects.filter(roadmap__concertation=concertation).aggregate(
            actions=Count("pk"),
            open_actions=Count("pk", filter=ActionQuerySet.open_condition()),
            overdue=Count("pk", filter=ActionQuerySet.overdue_condition()),
            incomplete=Count("pk", filter=ActionQuerySet.incomplete_condition()),
        )
        return cls(
            poster_validated=latest_validated(concertation) is not None,
            roadmaps=Roadmap.objects.filter(concertation=concertation).count(),
            **counts,
        )


def people_with_personal_data(concertation: Concertation) -> int:
    return Participant.objects.filter(home_panel__concertation=concertation).with_personal_data().count()


@dataclass(frozen=True)
class Closing:
    """What closing a concertation would change, and what it would leave unfinished."""

    live: list[Workshop]
    not_held: int
    follow_up: FollowUp
    people: int
    purge_on: date

    @classmethod
    def of(cls, concertation: Concertation) -> "Closing":
        workshops = list(concertation.workshops.all())
        return cls(
            live=[w for w in workshops if w.status == Workshop.Status.LIVE],
            not_held=sum(1 for w in workshops if w.status == Workshop.Status.PLANNED),
            follow_up=FollowUp.of(concertation),
            people=people_with_personal_data(concertation),
            purge_on=purge_day(timezone.now()),
        )


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def closed_step(*, concertation: Concertation, people: int) -> NextStep:
    """Where a closed concertation's personal data stand (``people``: those not erased yet)."""
    closed_at = concertation.closed_at
    if closed_at is None:  # marked closed from the admin: the retention period never started
        return NextStep(
            _("La démarche est marquée clôturée sans date de clôture : aucun effacement des données "
              "personnelles n'est prévu. Clôturez-la pour que la durée de conservation commence."),
            reverse("workshops:concertation_close", args=[concertation.pk]), _("Clôturer la démarche"),
        )
    closed = _day(timezone.localdate(closed_at))
    if not people:
        return NextStep(
            _("La démarche est clôturée depuis le %(closed)s ; les données personnelles des "
              "participant·es ont été effacées. Les affiches et les feuilles de route restent "
              "consultables.") % {"closed": closed}
        )
    purge_on = purge_day(closed_at)
    if purge_on <= timezone.localdate():
        return NextStep(
            _("La démarche est clôturée depuis le %(closed)s : la durée de conservation est écoulée, "
              "les données personnelles des participant·es seront effacées lors de la prochaine purge "
              "quotidienne. Les affiches et les feuilles de route restent consultables.")
            % {"closed": closed}
        )
    return NextStep(
        _("La démarche est clôturée depuis le %(closed)s : les données personnelles des participant·es "
          "seront effacées à partir du %(purge)s. Les affiches et les feuilles de route restent "
          "consultables.")
        % {"closed": closed, "purge": _day(purge_on)},
    )


def workshops_over(workshops: list[Workshop]) -> bool:
    return bool(workshops) and all(w.status == Workshop.Status.DONE for w in workshops)


def next_steps(*, concertation: Concertation, panels: list, workshops: list[Workshop],
               mixed_count: int, follow_up: FollowUp | None = None) -> list[NextStep]:
    """Recruit the agents then users panels, build the mixed panel, fix the dates, invite; once
    the workshops are over (``follow_up`` given), have the poster validated, open the roadmaps,
    report to the steering committee, follow the actions up, close: the method's order, as a
    short to-do list. A closed concertation's page says what happens to its personal data."""
    if concertation.status == Concertation.Status.CLOSED:
        return [closed_step(concertation=concertation, people=people_with_personal_data(concertation))]
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
    if follow_up is not None:
        steps += _after_the_workshops(concertation, follow_up)
    return steps


def _after_the_workshops(concertation: Concertation, follow_up: FollowUp) -> list[NextStep]:
    """The seed's warning: many concertations stopped halfway. Each step says what is left."""
    poster = reverse("posters:overview", args=[concertation.pk])
    roadmaps = reverse("posters:roadmaps", args=[concertation.pk])
    if not follow_up.poster_validated:
        return [NextStep(
            _("Les ateliers sont terminés : finaliser l'affiche et enregistrer sa validation par "
              "les participant·es."),
            poster, _("Ouvrir l'affiche"),
        )]
    if not follow_up.roadmaps:
        return [NextStep(
            _("L'affiche est validée : créer la feuille de route de chaque service à partir de ses "
              "engagements."),
            roadmaps, _("Créer les feuilles de route"),
        )]
    steps = []
    if not follow_up.actions:
        steps.append(NextStep(
            _("Les feuilles de route n'ont encore aucune action : ajouter celles que chaque service "
              "mènera."),
            roadmaps, _("Compléter les feuilles de route"),
        ))
    if concertation.steering_committee_on is None:
        steps.append(NextStep(
            _("Présenter les résultats au comité de pilotage, puis renseigner sa date et ses décisions."),
            roadmaps, _("Renseigner le comité de pilotage"),
        ))
    if follow_up.incomplete:
        steps.append(NextStep(
            ngettext(
                "%(count)d action n'a pas encore de responsable ou d'échéance.",
                "%(count)d actions n'ont pas encore de responsable ou d'échéance.",
                follow_up.incomplete,
            ) % {"count": follow_up.incomplete},
            roadmaps, _("Compléter les feuilles de route"),
        ))
    if follow_up.overdue:
        steps.append(NextStep(
            ngettext(
                "%(count)d action a dépassé son échéance.",
                "%(count)d actions ont dépassé leur échéance.",
                follow_up.overdue,
            ) % {"count": follow_up.overdue},
            roadmaps, _("Voir les feuilles de route"),
        ))
    if not concertation.public_followup_enabled:
        steps.append(NextStep(
            _("Ouvrir la page de suivi publique : les participant·es y voient où en sont les "
              "engagements pris."),
            roadmaps, _("Ouvrir la page de suivi"),
        ))
    if follow_up.actions and not follow_up.open_actions:
        steps.append(NextStep(
            _("Toutes les actions sont faites ou abandonnées : la démarche peut être clôturée."),
            reverse("workshops:concertation_close", args=[concertation.pk]), _("Clôturer la démarche"),
        ))
    return steps
