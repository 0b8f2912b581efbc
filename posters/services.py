"""Writes on posters and roadmaps that span several models.

A validated poster version is frozen: every write below checks it under a row lock, and the
models' save() refuses it too. Editing a validated poster starts a new draft (a copy).
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from panels.models import Participant
from posters import audit, rendering
from posters.models import (
    AuditEntry,
    Commitment,
    Poster,
    PosterFrozen,
    PosterQuality,
    PosterValidation,
    PosterVersion,
    ProgressNote,
    Roadmap,
    RoadmapAction,
)
from posters.queries import ballot_ranking, mixed_attendance, mixed_vote_sequences, ranked_proposal_items
from workshops.models import Activity, Carrier, Concertation

PARTIES = rendering.PARTIES


@dataclass(frozen=True)
class ItemEdit:
    """One row of the poster editor: an existing quality/commitment (pk) or a new one."""

    text: str
    order: int = 0
    party: str = ""
    pk: int | None = None
    delete: bool = False


@dataclass(frozen=True)
class Header:
    heading: str
    scope_label: str = ""
    held_on: date | None = None
    participants_count: int = 0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def logo_digest(version: PosterVersion) -> str:
    if not version.logo:
        return ""
    with version.logo.open("rb") as logo:
        return _sha256(logo.read())


def build_content(
    header: Header, qualities: list[str], commitments: list[tuple[str, str]], *, logo_sha256: str = ""
) -> dict:
    """The poster's canonical content: what participants validate and what the hash seals."""
    return {
        "heading": header.heading,
        "scope_label": header.scope_label,
        "held_on": header.held_on.isoformat() if header.held_on else "",
        "participants_count": header.participants_count,
        "logo_sha256": logo_sha256,
        "qualities": list(qualities),
        "commitments": {
            party: [text for who, text in commitments if who == party] for party in PARTIES
        },
    }


def poster_content(version: PosterVersion) -> dict:
    if version.is_frozen and version.content:
        return version.content
    header = Header(
        heading=version.heading,
        scope_label=version.scope_label,
        held_on=version.held_on,
        participants_count=version.participants_count,
    )
    return build_content(
        header,
        [quality.text for quality in version.qualities.all()],
        [(c.party, c.text) for c in version.commitments.order_by("order", "pk")],
        logo_sha256=logo_digest(version),
    )


def logo_data_uri(version: PosterVersion) -> str:
    """The logo inline in web pages (the strict CSP allows data: images; media is not public)."""
    if not version.logo:
        return ""
    with version.logo.open("rb") as logo:
        data = logo.read()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def content_hash(content: dict) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _sha256(canonical.encode())


def sheet_context(version: PosterVersion, content: dict, *, logo_src: str = "") -> dict:
    """What the sheet template needs besides the content: logo, date, validation line."""
    held_on = date.fromisoformat(content["held_on"]) if content["held_on"] else None
    return {
        "logo_src": logo_src,
        "held_on": held_on,
        "validated_at": version.validated_at,
        "approvals": version.approvals,
    }


def render_poster_pdf(version: PosterVersion, *, paper: str, content: dict | None = None) -> bytes:
    content = content if content is not None else poster_content(version)
    logo_src = ""
    if version.logo and content["logo_sha256"]:
        logo_src = f"file://{version.logo.path}"
    return rendering.poster_pdf(
        content, paper=paper, context=sheet_context(version, content, logo_src=logo_src)
    )


def poster_pdf(version: PosterVersion, *, paper: str) -> bytes:
    """A validated version is rendered once and then served from storage; a draft is rendered
    on demand (it may still change)."""
    field = {"A4": "pdf_a4", "A3": "pdf_a3"}[paper]
    stored = getattr(version, field)
    if stored:
        with stored.open("rb") as pdf:
            return pdf.read()
    pdf = render_poster_pdf(version, paper=paper)
    if version.is_frozen:
        _store_once(version, field, f"affiche-v{version.number}-{paper.lower()}.pdf", pdf)
    return pdf


def poster_png(version: PosterVersion) -> bytes:
    if version.preview_png:
        with version.preview_png.open("rb") as png:
            return png.read()
    png = rendering.pdf_to_png(poster_pdf(version, paper="A4"))
    if version.is_frozen:
        _store_once(version, "preview_png", f"affiche-v{version.number}.png", png)
    return png


def _store_once(version: PosterVersion, field: str, name: str, data: bytes) -> None:
    """Keep a rendering of a validated version; if a concurrent request stored it first, the
    model refuses the second write and theirs stays (both come from the same frozen content)."""
    getattr(version, field).save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            version.save(update_fields=[field])
    except PosterFrozen:
        version.refresh_from_db(fields=[field])


@transaction.atomic
def poster_validation_record(
    *, version: PosterVersion, participant: Participant, approves: bool, remark: str = ""
) -> PosterValidation:
    """A participant's « je valide / je ne valide pas » on the draft shown at the end of the
    mixed workshop; they can change their mind until the facilitator seals the version."""
    version = PosterVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise PosterFrozen
    validation, _created = PosterValidation.objects.update_or_create(
        version=version,
        participant=participant,
        defaults={"approves": approves, "remark": remark.strip()},
    )
    return validation


def _locked_draft(version: PosterVersion) -> PosterVersion:
    version = PosterVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise PosterFrozen
    return version


def _next_number(poster: Poster) -> int:
    return (poster.versions.aggregate(last=Max("number"))["last"] or 0) + 1


def _default_header(concertation: Concertation) -> Header:
    mixed = concertation.workshops.filter(panel__kind="mixed").first()
    if concertation.site_id:
        scope_label = concertation.site.name
    else:
        scope_label = ", ".join(service.name for service in concertation.services.all())
    return Header(
        heading=concertation.title,
        scope_label=scope_label,
        held_on=timezone.localdate(mixed.starts_at) if mixed and mixed.starts_at else None,
        participants_count=mixed_attendance(concertation),
    )


HEADER_FIELDS = ["heading", "scope_label", "held_on", "participants_count"]


@transaction.atomic
def poster_draft(*, concertation: Concertation, by=None) -> PosterVersion:
    """The poster's draft: the existing one, or a copy of the latest version (the validated
    one stays as it is), or an empty draft with the concertation's header."""
    poster, _created = Poster.objects.select_for_update().get_or_create(concertation=concertation)
    draft = poster.versions.filter(status=PosterVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    latest = poster.versions.order_by("-number").first()
    if latest is None:
        header = _default_header(concertation)
        draft = PosterVersion.objects.create(
            poster=poster, number=1, heading=header.heading, scope_label=header.scope_label,
            held_on=header.held_on, participants_count=header.participants_count,
        )
        audit.record(
            by=by, concertation=concertation, obj=draft, action=AuditEntry.Action.CREATE,
            changes=audit.diff({}, audit.snapshot(draft, HEADER_FIELDS)),
        )
        return draft
    draft = PosterVersion.objects.create(
        poster=poster,
        number=_next_number(poster),
        heading=latest.heading,
        scope_label=latest.scope_label,
        held_on=latest.held_on,
        participants_count=latest.participants_count,
        logo=latest.logo.name,
        based_on=latest,
    )
    PosterQuality.objects.bulk_create(
        [
            PosterQuality(
                version=draft, order=q.order, text=q.text, points=q.points,
                source_item_id=q.source_item_id,
            )
            for q in latest.qualities.all()
        ]
    )
    for old in latest.commitments.prefetch_related("source_proposals"):
        new = Commitment.objects.create(
            version=draft, party=old.party, order=old.order, text=old.text,
            source_item_id=old.source_item_id,
        )
        new.source_proposals.set(old.source_proposals.all())
    audit.record(
        by=by, concertation=concertation, obj=draft, action=AuditEntry.Action.CREATE,
        changes={"based_on": [None, str(latest)]},
    )
    return draft


def as_commitment(text: str) -> str:
    """« Prendre plus de temps… » reads after « s'engagent à » once its capital is lowered."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


@transaction.atomic
def poster_compose(
    *, concertation: Concertation, qualities_count: int, commitments_count: int, by=None
) -> PosterVersion:
    """Fill the draft from the mixed workshop's votes: the top qualities by points and the top
    proposals as commitments grouped by who carries them, each linked to its sources."""
    if qualities_count < 0 or commitments_count < 0:
        raise ValidationError(_("Les nombres doivent être positifs."))
    draft = _locked_draft(poster_draft(concertation=concertation, by=by))
    sequences = mixed_vote_sequences(concertation)
    quality_items = list(ballot_ranking(sequences.get(Activity.VOTE_QUALITIES))[:qualities_count])
    proposal_items = list(
        ranked_proposal_items(sequences.get(Activity.VOTE_PROPOSALS))[:commitments_count]
    )
    if not quality_items and not proposal_items:
        raise ValidationError(
            _("Aucun résultat de vote dans l'atelier mixte : rien à reprendre sur l'affiche.")
        )
    before = {"qualities": draft.qualities.count(), "commitments": draft.commitments.count()}
    draft.qualities.all().delete()
    draft.commitments.all().delete()
    PosterQuality.objects.bulk_create(
        [
            PosterQuality(version=draft, order=i, text=item.text, points=item.points, source_item=item)
            for i, item in enumerate(quality_items)
        ]
    )
    for i, item in enumerate(proposal_items):
        commitment = Commitment.objects.create(
            version=draft, party=item.carried_by or Carrier.BOTH, order=i,
            text=as_commitment(item.text)[:300], source_item=item,
        )
        commitment.source_proposals.set(item.source_proposals.all())
    audit.record(
        by=by, concertation=concertation, obj=draft, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, {"qualities": len(quality_items), "commitments": len(proposal_items)}),
    )
    return draft


def _apply_items(
    model, version: PosterVersion, rows: list[ItemEdit], *, with_party: bool, by, concertation
) -> None:
    """Apply the editor's rows; each created, changed or removed row leaves an audit entry."""
    fields = ["text", "order", "party"] if with_party else ["text", "order"]
    existing = {obj.pk: obj for obj in model.objects.filter(version=version)}
    for row in rows:
        text = row.text.strip()
        obj = existing.get(row.pk) if row.pk else None
        if row.pk and obj is None:
            continue
        if row.delete or not text:
            if obj is not None:
                before, pk = audit.snapshot(obj, fields), obj.pk
                obj.delete()
                obj.pk = pk
                audit.record(
                    by=by, concertation=concertation, obj=obj, action=AuditEntry.Action.DELETE,
                    changes=audit.diff(before, dict.fromkeys(fields)),
                )
            continue
        before = audit.snapshot(obj, fields) if obj is not None else {}
        action = AuditEntry.Action.UPDATE if obj is not None else AuditEntry.Action.CREATE
        obj = obj or model(version=version)
        obj.text = text
        obj.order = row.order
        if with_party:
            obj.party = row.party
        changes = audit.diff(before, audit.snapshot(obj, fields))
        if changes:
            obj.save()
            audit.record(by=by, concertation=concertation, obj=obj, action=action, changes=changes)


@transaction.atomic
def poster_edit(
    *,
    version: PosterVersion,
    header: Header,
    qualities: list[ItemEdit],
    commitments: list[ItemEdit],
    by=None,
) -> PosterVersion:
    """Save the facilitator's wording and order; an emptied row is removed."""
    version = _locked_draft(version)
    concertation = version.poster.concertation
    before = audit.snapshot(version, HEADER_FIELDS)
    version.heading = header.heading.strip()
    version.scope_label = header.scope_label.strip()
    version.held_on = header.held_on
    version.participants_count = header.participants_count
    version.save()
    changes = audit.diff(before, audit.snapshot(version, HEADER_FIELDS))
    if changes:
        audit.record(
            by=by, concertation=concertation, obj=version, action=AuditEntry.Action.UPDATE, changes=changes
        )
    items = {"by": by, "concertation": concertation}
    _apply_items(PosterQuality, version, qualities, with_party=False, **items)
    _apply_items(Commitment, version, commitments, with_party=True, **items)
    return version


@transaction.atomic
def poster_logo_set(*, version: PosterVersion, logo, by=None) -> PosterVersion:
    version = _locked_draft(version)
    before = audit.snapshot(version, ["logo"])
    version.logo = logo
    version.save()
    audit.record(
        by=by, concertation=version.poster.concertation, obj=version, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(version, ["logo"])),
    )
    return version


@transaction.atomic
def poster_seal(
    *,
    version: PosterVersion,
    by,
    method: str,
    approvals: int = 0,
    rejections: int = 0,
    abstentions: int = 0,
) -> PosterVersion:
    """Validate and freeze: counts (from the tablets or a show of hands), who recorded it and
    when, the canonical content and its hash, and the A4/A3 PDFs and PNG rendered once."""
    version = _locked_draft(version)
    if method == PosterVersion.ValidationMethod.TABLETS:
        approvals = version.validations.filter(approves=True).count()
        rejections = version.validations.filter(approves=False).count()
        abstentions = max(version.participants_count - approvals - rejections, 0)
    elif method != PosterVersion.ValidationMethod.SHOW_OF_HANDS:
        raise ValidationError(_("Choisissez comment l'affiche a été validée."))
    if min(approvals, rejections, abstentions) < 0:
        raise ValidationError(_("Les nombres de voix doivent être positifs ou nuls."))
    if approvals == 0 or approvals <= rejections:
        raise ValidationError(
            _("L'affiche n'est pas validée : il faut plus de participant·es pour que contre.")
        )
    content = poster_content(version)
    if not content["qualities"] and not any(content["commitments"].values()):
        raise ValidationError(_("L'affiche est vide : ajoutez des qualités ou des engagements."))
    version.status = PosterVersion.Status.VALIDATED
    version.validation_method = method
    version.approvals, version.rejections, version.abstentions = approvals, rejections, abstentions
    version.validated_at = timezone.now()
    version.validated_by = by
    version.content = content
    version.content_hash = content_hash(content)
    pdfs = {paper: render_poster_pdf(version, paper=paper, content=content) for paper in ("A4", "A3")}
    version.pdf_a4.save(f"affiche-v{version.number}-a4.pdf", ContentFile(pdfs["A4"]), save=False)
    version.pdf_a3.save(f"affiche-v{version.number}-a3.pdf", ContentFile(pdfs["A3"]), save=False)
    version.preview_png.save(
        f"affiche-v{version.number}.png", ContentFile(rendering.pdf_to_png(pdfs["A4"])), save=False
    )
    version.save()
    concertation = version.poster.concertation
    audit.record(
        by=by, concertation=concertation, obj=version, action=AuditEntry.Action.SEAL,
        changes={
            "status": [PosterVersion.Status.DRAFT.value, PosterVersion.Status.VALIDATED.value],
            "validation_method": ["", method],
            "approvals": [0, approvals], "rejections": [0, rejections], "abstentions": [0, abstentions],
            "content_hash": ["", version.content_hash],
        },
    )
    if concertation.status in {
        Concertation.Status.DRAFT, Concertation.Status.RECRUITING, Concertation.Status.WORKSHOPS,
    }:
        concertation.status = Concertation.Status.POSTER_VALIDATED
        concertation.save(update_fields=["status"])
    return version


# --- Roadmaps -------------------------------------------------------------------------------


def latest_validated(concertation: Concertation) -> PosterVersion | None:
    return (
        PosterVersion.objects.filter(
            poster__concertation=concertation, status=PosterVersion.Status.VALIDATED
        )
        .order_by("-number")
        .first()
    )


@transaction.atomic
def roadmaps_from_poster(*, concertation: Concertation, by=None) -> int:
    """One roadmap per service in scope, with an action per commitment of the validated poster
    that the roadmap does not carry yet. Returns how many actions were created."""
    version = latest_validated(concertation)
    if version is None:
        raise ValidationError(_("Aucune affiche validée : validez d'abord l'affiche."))
    commitments = list(version.commitments.order_by("party", "order", "pk"))
    created = 0
    for service in concertation.services.all():
        roadmap, new = Roadmap.objects.get_or_create(concertation=concertation, service=service)
        if new:
            audit.record(
                by=by, concertation=concertation, roadmap=roadmap, obj=roadmap,
                action=AuditEntry.Action.CREATE,
            )
        known = {title.casefold() for title in roadmap.actions.values_list("title", flat=True)}
        new_actions = [
            RoadmapAction(roadmap=roadmap, commitment=c, title=c.text[:1].upper() + c.text[1:])
            for c in commitments
            if (c.text[:1].upper() + c.text[1:]).casefold() not in known
        ]
        RoadmapAction.objects.bulk_create(new_actions)
        for action in new_actions:
            audit.record(
                by=by, concertation=concertation, roadmap=roadmap, obj=action,
                action=AuditEntry.Action.CREATE, changes={"title": [None, action.title]},
            )
        created += len(new_actions)
    if concertation.status == Concertation.Status.POSTER_VALIDATED:
        concertation.status = Concertation.Status.FOLLOW_UP
        concertation.save(update_fields=["status"])
    return created


ACTION_FIELDS = ["title", "owner", "due_on", "status"]


@transaction.atomic
def action_create(
    *, roadmap: Roadmap, title: str, owner: str = "", due_on: date | None = None,
    status: str = RoadmapAction.Status.TODO, by=None,
) -> RoadmapAction:
    if not title.strip():
        raise ValidationError(_("Décrivez l'action."))
    action = RoadmapAction.objects.create(
        roadmap=roadmap, title=title.strip(), owner=owner.strip(), due_on=due_on, status=status
    )
    audit.record(
        by=by, concertation=roadmap.concertation, roadmap=roadmap, obj=action,
        action=AuditEntry.Action.CREATE, changes=audit.diff({}, audit.snapshot(action, ACTION_FIELDS)),
    )
    return action


@transaction.atomic
def action_update(
    *, action: RoadmapAction, author, title: str, owner: str, due_on: date | None, status: str
) -> RoadmapAction:
    """A change of status leaves a dated note, so the follow-up shows when it moved."""
    action = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    if not title.strip():
        raise ValidationError(_("Décrivez l'action."))
    previous = action.status
    before = audit.snapshot(action, ACTION_FIELDS)
    action.title, action.owner, action.due_on, action.status = title.strip(), owner.strip(), due_on, status
    action.save()
    changes = audit.diff(before, audit.snapshot(action, ACTION_FIELDS))
    if changes:
        audit.record(
            by=author, concertation=action.roadmap.concertation, roadmap=action.roadmap, obj=action,
            action=AuditEntry.Action.UPDATE, changes=changes,
        )
    if previous != status:
        ProgressNote.objects.create(
            action=action,
            author=author,
            text=_("Statut : %(before)s → %(after)s.")
            % {
                "before": RoadmapAction.Status(previous).label,
                "after": RoadmapAction.Status(status).label,
            },
        )
    return action


@transaction.atomic
def progress_note_add(
    *, action: RoadmapAction, author, text: str, written_on: date | None = None
) -> ProgressNote:
    if not text.strip():
        raise ValidationError(_("Écrivez où en est l'action."))
    note = ProgressNote.objects.create(
        action=action, author=author, text=text.strip(),
        written_on=written_on or timezone.localdate(),
    )
    audit.record(
        by=author, concertation=action.roadmap.concertation, roadmap=action.roadmap, obj=note,
        action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(note, ["text", "written_on"]) | {"action": str(action)}),
    )
    return note


def steering_committee_update(
    *, concertation: Concertation, held_on: date | None, decisions: str, public_followup: bool
) -> Concertation:
    concertation.steering_committee_on = held_on
    concertation.steering_committee_decisions = decisions.strip()
    concertation.public_followup_enabled = public_followup
    concertation.save(
        update_fields=["steering_committee_on", "steering_committee_decisions", "public_followup_enabled"]
    )
    return concertation
