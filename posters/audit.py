"""The audit trail of posters and roadmaps: every write in posters/services.py leaves an entry."""

from datetime import date, datetime

from django.db import models

from posters.models import AuditEntry, Roadmap


def _plain(value):
    """A JSON-safe, human-readable value for the before/after columns."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def record(
    *,
    by,
    concertation,
    obj: models.Model,
    action: str,
    changes: dict | None = None,
    roadmap: Roadmap | None = None,
) -> AuditEntry:
    """One entry; `by` may be None for writes made by a command (demo data, imports)."""
    user = by if by is not None and by.is_authenticated else None
    return AuditEntry.objects.create(
        user=user,
        user_label=(user.get_full_name() or user.get_username()) if user else "",
        concertation=concertation,
        roadmap=roadmap,
        model=obj._meta.model_name,
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        action=action,
        changes=changes or {},
    )
