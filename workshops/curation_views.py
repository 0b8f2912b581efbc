"""« Entre les ateliers »: the facilitator curates workshops 1 and 2 and prepares the mixed ballots.

Every action is a plain POST form that redirects back (works without JavaScript); rewording also
answers htmx with the updated row only."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from workshops.curation import (
    PEER_PANELS,
    AnyContribution,
    CurationError,
    ballot_is_locked,
    ballot_item_move,
    ballot_item_reword,
    ballot_items_carry,
    ballot_items_with_origin,
    contribution_hide,
    contribution_reword,
    contribution_unmerge,
    contributions_merge,
    duplicate_suggestions,
)
from workshops.models import (
    Activity,
    BallotItem,
    Carrier,
    Concertation,
    PanelKind,
    Proposal,
    Quality,
    Sequence,
)
from workshops.permissions import visible_concertation_or_404

KINDS: dict[str, type[Quality] | type[Proposal]] = {"qualites": Quality, "propositions": Proposal}
TEMPLATE = "workshops/curation/curation.html"


@dataclass
class Section:
    """One list to curate: ideal qualities, chaotic qualities, or proposals."""

    anchor: str
    title: str
    kind: str
    rows: list
    suggestions: list


def _contributions(model, concertation: Concertation) -> list:
    return list(
        model.objects.filter(
            sequence__workshop__concertation=concertation,
            sequence__workshop__panel__kind__in=PEER_PANELS,
        )
        .select_related("sequence__workshop__panel")
        .order_by("sequence__workshop__order", "created_at", "pk")
    )


def _with_children(contributions: list) -> list:
    """Roots (not merged) with ``children``: the duplicates merged into them, for traceability."""
    roots = {c.pk: c for c in contributions if c.merged_into_id is None}
    for root in roots.values():
        root.children = []
    for contribution in contributions:
        if contribution.merged_into_id in roots:
            roots[contribution.merged_into_id].children.append(contribution)
    return list(roots.values())


def _sources_prefetch() -> list[Prefetch]:
    return [
        Prefetch(
            name,
            queryset=model.objects.select_related("sequence__workshop__panel").order_by(
                "sequence__workshop__order", "created_at", "pk"
            ),
        )
        for name, model in (("source_qualities", Quality), ("source_proposals", Proposal))
    ]


def _ballot_items(**filters):
    return (
        ballot_items_with_origin(BallotItem.objects.filter(**filters))
        .order_by("order", "pk")
        .prefetch_related(*_sources_prefetch())
    )


def _mark_ends(items: list[BallotItem]) -> None:
    """First and last items offer no « monter » / « descendre » button."""
    for index, item in enumerate(items):
        item.is_first, item.is_last = index == 0, index == len(items) - 1


def _board(concertation: Concertation, *, invalid: dict | None = None) -> dict:
    """Everything the curation page shows, in a fixed number of queries."""
    qualities = _with_children(_contributions(Quality, concertation))
    proposals = _with_children(_contributions(Proposal, concertation))
    rows = {"qualites": qualities, "propositions": proposals}
    if invalid:
        for row in rows.get(invalid["kind"], []):
            if row.pk == invalid["pk"]:
                row.typed, row.error = invalid["text"], invalid["error"]
    visible = {kind: [row for row in kind_rows if not row.hidden] for kind, kind_rows in rows.items()}
    sections = []
    for anchor, title, kind, items in (
        ("ideal", _("Qualités de la relation idéale"), "qualites",
         [q for q in visible["qualites"] if q.pole == Quality.Pole.IDEAL]),
        ("chaotique", _("Qualités de la relation chaotique"), "qualites",
         [q for q in visible["qualites"] if q.pole == Quality.Pole.CHAOTIC]),
        ("propositions", _("Propositions d'actions"), "propositions", visible["propositions"]),
    ):
        sections.append(Section(anchor, title, kind, items, duplicate_suggestions(items)))
    vote_sequences = list(
        Sequence.objects.filter(
            workshop__concertation=concertation,
            workshop__panel__kind=PanelKind.MIXED,
            activity__in=Activity.voting(),
        )
        .select_related("workshop")
        .order_by("order")
    )
    items = _ballot_items(sequence__in=vote_sequences)
    for sequence in vote_sequences:
        sequence.items = [item for item in items if item.sequence_id == sequence.pk]
        sequence.locked = ballot_is_locked(sequence)
        _mark_ends(sequence.items)
    return {
        "concertation": concertation,
        "sections": sections,
        "hidden_rows": [(kind, row) for kind, kind_rows in rows.items() for row in kind_rows if row.hidden],
        "vote_sequences": vote_sequences,
        "has_ballot": any(sequence.items for sequence in vote_sequences),
        "carriers": Carrier.choices,
    }


def _page_url(concertation: Concertation, anchor: str = "") -> str:
    url = reverse("workshops:curation", args=[concertation.pk])
    return f"{url}#{anchor}" if anchor else url


def _back(concertation: Concertation, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(_page_url(concertation, anchor))


def _model(kind: str):
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404 from None


def _contribution_or_404(concertation: Concertation, kind: str, pk: int) -> AnyContribution:
    """Only a contribution of this concertation's agents or users workshop can be curated here."""
    return get_object_or_404(
        _model(kind).objects.select_related("sequence__workshop__panel"),
        pk=pk,
        sequence__workshop__concertation=concertation,
        sequence__workshop__panel__kind__in=PEER_PANELS,
    )


def _anchor(contribution: AnyContribution) -> str:
    if isinstance(contribution, Proposal):
        return "propositions"
    return "ideal" if contribution.pole == Quality.Pole.IDEAL else "chaotique"


@login_required
@require_GET
def curation(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    return render(request, TEMPLATE, _board(concertation))


@login_required
@require_POST
def contribution_reword_view(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    contribution = _contribution_or_404(concertation, kind, item_pk)
    text = request.POST.get("text", "")
    try:
        contribution_reword(contribution=contribution, text=text)
    except CurationError as error:
        if request.htmx:
            return _row_response(request, concertation, contribution, kind, typed=text, error=error.message)
        invalid = {"kind": kind, "pk": contribution.pk, "text": text, "error": error.message}
        return render(request, TEMPLATE, _board(concertation, invalid=invalid), status=400)
    if request.htmx:
        return _row_response(request, concertation, contribution, kind, saved=True)
    messages.success(request, _("Formulation enregistrée : « %(text)s ».") % {"text": contribution.text})
    return _back(concertation, f"{kind}-{contribution.pk}")


def _row_response(request, concertation, contribution, kind: str, **flags) -> HttpResponse:
    """The one table row htmx swaps in, with the duplicates merged into it."""
    model = type(contribution)
    contribution.children = list(
        model.objects.filter(merged_into=contribution)
        .select_related("sequence__workshop__panel")
        .order_by("sequence__workshop__order", "created_at", "pk")
    )
    for name, value in flags.items():
        setattr(contribution, name, value)
    context = {"concertation": concertation, "row": contribution, "kind": kind}
    return render(request, f"{TEMPLATE}#contribution-row", context)


@login_required
@require_POST
def contribution_hide_view(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    contribution = _contribution_or_404(concertation, kind, item_pk)
    hidden = request.POST.get("hidden") != "0"
    contribution_hide(contribution=contribution, hidden=hidden)
    if hidden:
        message = _("« %(text)s » est masqué : il ne sera ni projeté ni soumis au vote.")
    else:
        message = _("« %(text)s » est à nouveau visible.")
    messages.success(request, message % {"text": contribution.text})
    return _back(concertation, "masques" if hidden else _anchor(contribution))


@login_required
@require_POST
def contribution_unmerge_view(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    contribution = _contribution_or_404(concertation, kind, item_pk)
    contribution_unmerge(contribution=contribution)
    messages.success(request, _("« %(text)s » est de nouveau séparé.") % {"text": contribution.text})
    return _back(concertation, _anchor(contribution))


@login_required
@require_POST
def contributions_merge_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    model = _model(kind)
    try:
        item_ids = {int(value) for value in request.POST.getlist("items")}
        target_id = int(request.POST.get("target", ""))
    except ValueError:
        messages.error(request, _("Choisissez la formulation à garder, puis fusionnez."))
        return _back(concertation)
    found = {
        c.pk: c
        for c in model.objects.select_related("sequence__workshop").filter(
            pk__in=item_ids | {target_id},
            sequence__workshop__concertation=concertation,
            sequence__workshop__panel__kind__in=PEER_PANELS,
        )
    }
    if target_id not in found or len(found) != len(item_ids | {target_id}):
        raise Http404
    target = found[target_id]
    duplicates = [c for c in found.values() if c.pk != target_id]
    try:
        contributions_merge(target=target, duplicates=duplicates)
    except CurationError as error:
        messages.error(request, error.message)
        return _back(concertation, _anchor(target))
    messages.success(
        request,
        ngettext(
            "%(count)d doublon fusionné dans « %(text)s » ; ses mots d'origine restent consultables.",
            "%(count)d doublons fusionnés dans « %(text)s » ; leurs mots d'origine restent consultables.",
            len(duplicates),
        )
        % {"count": len(duplicates), "text": target.text},
    )
    return _back(concertation, _anchor(target))


@login_required
@require_POST
def ballot_carry_view(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    mixed = concertation.workshops.filter(panel__kind=PanelKind.MIXED).first()
    if mixed is None:
        messages.error(request, _("Cette démarche n'a pas d'atelier mixte."))
        return _back(concertation, "bulletins")
    try:
        result = ballot_items_carry(mixed_workshop=mixed)
    except CurationError as error:
        messages.error(request, error.message)
        return _back(concertation, "bulletins")
    if result.changed:
        counts = (
            (
                result.created,
                ngettext("%(count)d élément ajouté", "%(count)d éléments ajoutés", result.created),
            ),
            (result.updated, ngettext("%(count)d complété", "%(count)d complétés", result.updated)),
            (result.removed, ngettext("%(count)d retiré", "%(count)d retirés", result.removed)),
        )
        changes = [label % {"count": count} for count, label in counts if count]
        messages.success(request, _("Bulletins à jour : %(changes)s.") % {"changes": ", ".join(changes)})
    else:
        messages.info(request, _("Les bulletins étaient déjà à jour : rien n'a changé."))
    for sequence in result.locked:
        messages.warning(
            request,
            _("« %(title)s » est déjà ouvert ou clos : son bulletin n'a pas été modifié.")
            % {"title": sequence.title},
        )
    return _back(concertation, "bulletins")


def _ballot_item_or_404(concertation: Concertation, item_pk: int) -> BallotItem:
    return get_object_or_404(
        BallotItem.objects.select_related("sequence"),
        pk=item_pk,
        sequence__workshop__concertation=concertation,
    )


@login_required
@require_POST
def ballot_item_reword_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    item = _ballot_item_or_404(concertation, item_pk)
    text = request.POST.get("text", "")
    carried_by = request.POST.get("carried_by") if item.sequence.activity == Activity.VOTE_PROPOSALS else None
    error = None
    try:
        ballot_item_reword(item=item, text=text, carried_by=carried_by)
    except CurationError as refused:
        error = refused.message
    if request.htmx:
        siblings = list(_ballot_items(sequence_id=item.sequence_id))
        _mark_ends(siblings)
        row = next(sibling for sibling in siblings if sibling.pk == item.pk)
        row.saved, row.error, row.typed = error is None, error, text
        item.sequence.locked = ballot_is_locked(item.sequence)
        context = {"concertation": concertation, "item": row, "sequence": item.sequence}
        return render(request, f"{TEMPLATE}#ballot-item", context | {"carriers": Carrier.choices})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Élément du vote reformulé : « %(text)s ».") % {"text": item.text})
    return _back(concertation, f"element-{item.pk}")


@login_required
@require_POST
def ballot_item_move_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    item = _ballot_item_or_404(concertation, item_pk)
    try:
        ballot_item_move(item=item, direction=request.POST.get("direction", ""))
    except CurationError as error:
        messages.error(request, error.message)
    return _back(concertation, f"element-{item.pk}")

