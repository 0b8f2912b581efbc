"""Writes that span several models: creating a concertation from a method template."""

from collections.abc import Iterable

from django.db import transaction

from panels.models import Panel
from workshops.models import (
    Concertation,
    MethodTemplate,
    Sequence,
    SequenceTemplate,
    Service,
    Site,
    Workshop,
    WorkshopTemplate,
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
