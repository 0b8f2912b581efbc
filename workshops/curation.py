"""Curation between workshops and live moderation: reword, hide, merge, carry to the mixed ballots.

The words participants brought are never lost: rewording keeps ``original_text``, merging only
points duplicates at the kept contribution (``merged_into``), hiding is reversible, and every ballot
item keeps its source contributions (hence their panel of origin and original words)."""

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from collections.abc import Sequence as SequenceOf
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from workshops.models import (
    Activity,
    BallotItem,
    Carrier,
    Contribution,
    PanelKind,
    Proposal,
    Quality,
    Sequence,
    Workshop,
)

AnyContribution = Quality | Proposal
T = TypeVar("T")

TEXT_MAX_LENGTH = 300
SIMILARITY_THRESHOLD = 0.85
FUZZY_MIN_LENGTH = 5
PEER_PANELS = (PanelKind.AGENTS, PanelKind.USERS)
# Function words that do not change what a quality or a proposal means.
STOPWORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une"}
    | {"ou", "pour", "par", "plus", "sur", "avec"}
)


class CurationError(Exception):
    """A refused curation step; ``message`` is French, ready to show to the facilitator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _clean_text(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise CurationError(_("La formulation ne peut pas être vide."))
    if len(cleaned) > TEXT_MAX_LENGTH:
        raise CurationError(
            _("La formulation ne doit pas dépasser %(max)d caractères (elle en compte %(count)d).")
            % {"max": TEXT_MAX_LENGTH, "count": len(cleaned)}
        )
    return cleaned


def ballot_is_locked(sequence: Sequence) -> bool:
    """A vote sequence that was ever opened has voters: its items must not change under them."""
    return sequence.status != Sequence.Status.PENDING or sequence.opened_at is not None


def _refuse_if_locked(sequence: Sequence) -> None:
    if ballot_is_locked(sequence):
        raise CurationError(
            _("Le vote « %(title)s » est déjà ouvert ou clos : ses éléments ne peuvent plus changer.")
            % {"title": sequence.title}
        )


def _touch(*contributions: AnyContribution) -> None:
    """Moderation during a live session changes what the projector shows: bump its version."""
    Workshop.objects.filter(sequences__in={c.sequence_id for c in contributions}).update(
        content_version=F("content_version") + 1
    )


def _source_field(contribution: AnyContribution) -> str:
    return "source_qualities" if isinstance(contribution, Quality) else "source_proposals"


# --- Contributions: reword, hide, merge ---------------------------------------------------------


@transaction.atomic
def contribution_reword(*, contribution: AnyContribution, text: str) -> AnyContribution:
    """Fix a typo or reword; ``original_text`` keeps the participant's words. A ballot item that
    still shows the old wording (and is not yet put to the vote) follows the new one."""
    new_text = _clean_text(text)
    old_text = contribution.text
    if new_text == old_text:
        return contribution
    contribution.text = new_text
    contribution.save(update_fields=["text"])
    _touch(contribution)
    BallotItem.objects.filter(
        sequence__status=Sequence.Status.PENDING,
        sequence__opened_at__isnull=True,
        text=old_text,
        **{_source_field(contribution): contribution},
    ).update(text=new_text)
    return contribution


@transaction.atomic
def contribution_hide(*, contribution: AnyContribution, hidden: bool = True) -> AnyContribution:
    """Hide (or show again) a contribution: off the projector and off the ballots, never deleted."""
    if contribution.hidden != hidden:
        contribution.hidden = hidden
        contribution.save(update_fields=["hidden"])
        _touch(contribution)
    return contribution


def _concertation_id(contribution: AnyContribution) -> int:
    return contribution.sequence.workshop.concertation_id


@transaction.atomic
def contributions_merge(
    *, target: AnyContribution, duplicates: Iterable[AnyContribution]
) -> AnyContribution:
    """Point each duplicate at ``target`` (kept wording); nothing is deleted, so the duplicates'
    words and panels of origin stay traceable and the merge can be undone (contribution_unmerge).
    Contributions already merged into a duplicate follow it to ``target``."""
    duplicates = list(duplicates)
    if not duplicates:
        raise CurationError(_("Choisissez au moins un doublon à fusionner."))
    # Two facilitators merging at once must not build a chain: decide on the locked, current row.
    current = type(target).objects.select_for_update().filter(pk=target.pk).first()
    if current is None:
        raise CurationError(_("« %(text)s » a été retiré entre-temps.") % {"text": target.text})
    target.merged_into_id, target.hidden = current.merged_into_id, current.hidden
    if target.merged_into_id is not None:
        raise CurationError(
            _("« %(text)s » est déjà fusionné dans un autre élément : fusionnez plutôt dans celui-ci.")
            % {"text": target.text}
        )
    if target.hidden:
        raise CurationError(
            _("« %(text)s » est masqué : affichez-le à nouveau avant d'y fusionner des doublons.")
            % {"text": target.text}
        )
    for duplicate in duplicates:
        if type(duplicate) is not type(target):
            raise CurationError(_("Une qualité et une proposition ne peuvent pas être fusionnées."))
        if duplicate.pk == target.pk:
            raise CurationError(
                _("« %(text)s » ne peut pas être fusionné avec lui-même.") % {"text": target.text}
            )
        if _concertation_id(duplicate) != _concertation_id(target):
            raise CurationError(
                _("« %(text)s » appartient à une autre démarche : fusion impossible.")
                % {"text": duplicate.text}
            )
        if isinstance(target, Quality) and duplicate.pole != target.pole:
            raise CurationError(
                _(
                    "« %(duplicate)s » (%(duplicate_pole)s) et « %(target)s » (%(target_pole)s) ne "
                    "qualifient pas la même relation : fusion impossible."
                )
                % {
                    "duplicate": duplicate.text,
                    "duplicate_pole": duplicate.get_pole_display().lower(),
                    "target": target.text,
                    "target_pole": target.get_pole_display().lower(),
                }
            )
    model = type(target)
    duplicate_ids = [duplicate.pk for duplicate in duplicates]
    model.objects.filter(Q(pk__in=duplicate_ids) | Q(merged_into__in=duplicate_ids)).update(
        merged_into=target
    )
    for duplicate in duplicates:
        duplicate.merged_into = target
    _touch(target, *duplicates)
    return target


@transaction.atomic
def contribution_unmerge(*, contribution: AnyContribution) -> AnyContribution:
    """Undo a merge: the contribution stands on its own again, with its own words."""
    if contribution.merged_into_id is not None:
        contribution.merged_into = None
        contribution.save(update_fields=["merged_into"])
        _touch(contribution)
    return contribution


# --- Likely duplicates ----------------------------------------------------------------------------


def _singular(word: str) -> str:
    """French plurals, crudely but consistently: « sociaux » → « social », « jeux » → « jeu »,
    « écoutes » → « écoute ». Applied to every text alike, so consistency is what matters."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def normalize_text(text: str) -> str:
    """The comparable form of a contribution: no case, accents, punctuation, elisions (l', d'),
    articles or plural marks. « L'Écoutes ! » and « écoute » both give « ecoute »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.split(r"[^a-z0-9]+", bare)
    return " ".join(_singular(word) for word in words if word and word not in STOPWORDS)


def _numbers(bag: tuple) -> tuple:
    """« 2 heures » and « 3 heures » differ by one character but never mean the same."""
    return tuple(word for word in bag if word.isdigit())


def _near_wording(first: str, second: str) -> bool:
    """Typos. difflib's ratio depends on which string comes first; taken in alphabetical order, it
    depends only on the two wordings, so comparing one item per wording is the same as comparing
    every item."""
    matcher = difflib.SequenceMatcher(None, *sorted((first, second)), autojunk=False)
    return matcher.ratio() >= SIMILARITY_THRESHOLD


def _pole(item) -> str | None:
    return getattr(item, "pole", None)


def duplicate_suggestions(
    items: Iterable[T],
    *,
    text: Callable[[T], str] = lambda item: item.text,
    kind: Callable[[T], object] = _pole,
) -> list[list[T]]:
    """Groups (two items or more) of likely duplicates among ``items``: same words once accents,
    case, punctuation, articles and plurals are set aside, same words in another order, or
    near-identical wording (typos). Only items of the same ``kind`` (by default a quality's pole:
    ideal and chaotic words never merge) are grouped. Deterministic: groups and their members keep
    the input order, so the first member is the natural one to keep."""
    items = list(items)
    keys = [normalize_text(text(item)) for item in items]
    bags = [tuple(sorted(key.split())) for key in keys]
    kinds = [kind(item) for item in items]
    parent = list(range(len(items)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(i: int, j: int) -> None:
        parent[max(root(i), root(j))] = min(root(i), root(j))

    # Identical comparable forms, then identical bags of words (another order), join at once;
    # only one item per comparable form is then compared for typos, and only with forms close in
    # length: the console redraws this for every gesture of a busy room.
    representatives: dict[tuple, int] = {}
    same_words: dict[tuple, int] = {}
    for index, key in enumerate(keys):
        if key:
            first = representatives.setdefault((kinds[index], key), index)
            if first != index:
                join(first, index)
            else:
                join(same_words.setdefault((kinds[index], bags[index]), index), index)
    by_kind: dict[object, list[int]] = {}
    letters: dict[int, Counter] = {}
    numbers: dict[int, tuple] = {}
    for (item_kind, key), index in representatives.items():
        if len(key) >= FUZZY_MIN_LENGTH:
            by_kind.setdefault(item_kind, []).append(index)
            letters[index] = Counter(key)
            numbers[index] = _numbers(bags[index])
    for indexes in by_kind.values():
        indexes.sort(key=lambda index: (len(keys[index]), index))
        for position, a in enumerate(indexes):
            for b in indexes[position + 1 :]:
                length = len(keys[a]) + len(keys[b])
                if 2 * len(keys[a]) < SIMILARITY_THRESHOLD * length:
                    break  # the lengths alone rule out b and every longer form
                if root(a) == root(b) or numbers[a] != numbers[b]:
                    continue
                # The letters both share bound the ratio (difflib's quick_ratio), cheaper than a matcher.
                if 2 * (letters[a] & letters[b]).total() < SIMILARITY_THRESHOLD * length:
                    continue
                if _near_wording(keys[a], keys[b]):
                    join(a, b)
    groups: dict[int, list[T]] = {}
    for index, item in enumerate(items):
        groups.setdefault(root(index), []).append(item)
    return [group for group in groups.values() if len(group) > 1]


# --- Ballots of the mixed workshop ---------------------------------------------------------------


@dataclass
class CarryResult:
    """What building or refreshing the ballots changed, to tell the facilitator."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    locked: list[Sequence] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def vote_sequences(workshop: Workshop) -> QuerySet[Sequence]:
    return workshop.sequences.filter(activity__in=Activity.voting()).order_by("order")


def _carried_contributions(sequence: Sequence) -> QuerySet:
    """What each vote sequence is about: ideal qualities, or proposals, of the peer workshops."""
    peer = {
        "sequence__workshop__concertation_id": sequence.workshop.concertation_id,
        "sequence__workshop__panel__kind__in": PEER_PANELS,
        "hidden": False,
    }
    if sequence.activity == Activity.VOTE_QUALITIES:
        return Quality.objects.filter(pole=Quality.Pole.IDEAL, **peer)
    return Proposal.objects.filter(**peer)


def _carry_groups(sequence: Sequence) -> list[list[Contribution]]:
    """Each visible contribution with the (visible) duplicates merged into it; root first."""
    contributions = list(
        _carried_contributions(sequence)
        .filter(Q(merged_into__isnull=True) | Q(merged_into__hidden=False, merged_into__merged_into=None))
        .order_by("sequence__workshop__order", "created_at", "pk")
    )
    groups: dict[int, list[Contribution]] = {
        c.pk: [c] for c in contributions if c.merged_into_id is None
    }
    for contribution in contributions:
        if contribution.merged_into_id is not None and contribution.merged_into_id in groups:
            groups[contribution.merged_into_id].append(contribution)
    return list(groups.values())


def _carry_into(sequence: Sequence, result: CarryResult) -> None:
    is_quality = sequence.activity == Activity.VOTE_QUALITIES
    source_field = "source_qualities" if is_quality else "source_proposals"
    through = getattr(BallotItem, source_field).through
    column = "quality_id" if is_quality else "proposal_id"
    items = {item.pk: item for item in sequence.ballot_items.order_by("order", "pk")}
    links = list(through.objects.filter(ballotitem__sequence=sequence).values_list("ballotitem_id", column))
    item_sources: dict[int, set[int]] = {pk: set() for pk in items}
    item_of: dict[int, int] = {}
    for item_id, source_id in links:
        item_sources[item_id].add(source_id)
        item_of.setdefault(source_id, item_id)

    # An item goes to the group whose root it holds, else to the first group holding it; a group
    # left without an item (new, or split off by contribution_unmerge) gets a new one.
    groups = _carry_groups(sequence)
    keepers: dict[int, int] = {}
    for index, group in enumerate(groups):
        holder = item_of.get(group[0].pk)
        if holder is not None and holder not in keepers.values():
            keepers[index] = holder
    for index, group in enumerate(groups):
        if index not in keepers:
            free = [item_of[c.pk] for c in group if c.pk in item_of and item_of[c.pk] not in keepers.values()]
            if free:
                keepers[index] = min(free, key=lambda pk: (items[pk].order, pk))
    wanted = {keepers[i]: {c.pk for c in group} for i, group in enumerate(groups) if i in keepers}
    new_groups = [group for i, group in enumerate(groups) if i not in keepers]

    to_delete = [pk for pk, sources in item_sources.items() if sources and pk not in wanted]
    stale_links = Q()
    fresh_links = []
    for pk, sources in wanted.items():
        if sources != item_sources[pk]:
            result.updated += 1
            if sources - item_sources[pk]:
                fresh_links += [through(ballotitem_id=pk, **{column: s}) for s in sources - item_sources[pk]]
            if item_sources[pk] - sources:
                stale_links |= Q(ballotitem_id=pk, **{f"{column}__in": item_sources[pk] - sources})
    if stale_links:
        through.objects.filter(stale_links).delete()
    if to_delete:
        BallotItem.objects.filter(pk__in=to_delete).delete()
        result.removed += len(to_delete)

    kept = [item for pk, item in items.items() if pk not in to_delete]
    created = BallotItem.objects.bulk_create(
        [
            BallotItem(
                sequence=sequence,
                text=group[0].text,
                carried_by="" if is_quality else group[0].carried_by,
            )
            for group in new_groups
        ]
    )
    for item, group in zip(created, new_groups, strict=True):
        fresh_links += [through(ballotitem_id=item.pk, **{column: c.pk}) for c in group]
    through.objects.bulk_create(fresh_links)
    result.created += len(created)
    _renumber(kept + created)


def _renumber(items: SequenceOf[BallotItem]) -> None:
    """Orders 0, 1, 2… in the given order, so « monter » / « descendre » always move one place."""
    changed = []
    for order, item in enumerate(items):
        if item.order != order:
            item.order = order
            changed.append(item)
    BallotItem.objects.bulk_update(changed, ["order"])


@transaction.atomic
def ballot_items_carry(*, mixed_workshop: Workshop) -> CarryResult:
    """Build or refresh the ballots of the mixed workshop from the curated contributions of the
    agents and users workshops: one item per visible ideal quality (for the qualities vote) or
    proposal (for the proposals vote), with the duplicates merged into it as extra sources.
    Idempotent: running it again changes nothing unless the curation changed; an item keeps its
    ballot wording and place. Vote sequences already opened or closed are left untouched (listed
    in ``locked``); if all are, the carry is refused."""
    sequences = list(
        vote_sequences(mixed_workshop).select_for_update().select_related("workshop")
    )
    if not sequences:
        raise CurationError(
            _("L'atelier « %(title)s » n'a pas de séquence de vote.") % {"title": mixed_workshop.title}
        )
    result = CarryResult()
    for sequence in sequences:
        if ballot_is_locked(sequence):
            result.locked.append(sequence)
        else:
            _carry_into(sequence, result)
    if len(result.locked) == len(sequences):
        raise CurationError(
            _(
                "Les votes de l'atelier mixte sont déjà ouverts ou clos : les bulletins ne peuvent "
                "plus changer."
            )
        )
    return result


@transaction.atomic
def ballot_item_reword(*, item: BallotItem, text: str, carried_by: str | None = None) -> BallotItem:
    """Reword what is put to the vote (e.g. as a commitment) and, for a proposal, who carries it;
    the sources keep the participants' original words."""
    sequence = Sequence.objects.select_for_update().get(pk=item.sequence_id)
    _refuse_if_locked(sequence)
    cleaned = _clean_text(text)
    fields = ["text"]
    if carried_by is not None:
        if sequence.activity != Activity.VOTE_PROPOSALS or carried_by not in Carrier.values:
            raise CurationError(
                _("Choisissez qui porterait cette proposition : les agents, les usagers ou les deux.")
            )
        item.carried_by = carried_by
        fields.append("carried_by")
    item.text = cleaned
    item.save(update_fields=fields)
    return item


@transaction.atomic
def ballot_item_move(*, item: BallotItem, direction: Literal["up", "down"]) -> BallotItem:
    """Move an item one place up or down its ballot (the order tablets show)."""
    if direction not in ("up", "down"):
        raise CurationError(_("Déplacement inconnu : choisissez « monter » ou « descendre »."))
    _refuse_if_locked(Sequence.objects.select_for_update().get(pk=item.sequence_id))
    items = list(BallotItem.objects.filter(sequence_id=item.sequence_id).order_by("order", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    neighbour = index - 1 if direction == "up" else index + 1
    if 0 <= neighbour < len(items):
        items[index], items[neighbour] = items[neighbour], items[index]
    _renumber(items)
    return next(other for other in items if other.pk == item.pk)


def ballot_items_with_origin(queryset: QuerySet[BallotItem] | None = None) -> QuerySet[BallotItem]:
    """Ballot items annotated with their panel(s) of origin, from their sources: ``from_agents``,
    ``from_users`` (booleans) — an item merged from both panels has both."""
    queryset = BallotItem.objects.all() if queryset is None else queryset

    def from_panel(kind: str) -> Q:
        qualities = Quality.objects.filter(
            ballot_items=OuterRef("pk"), sequence__workshop__panel__kind=kind
        )
        proposals = Proposal.objects.filter(
            ballot_items=OuterRef("pk"), sequence__workshop__panel__kind=kind
        )
        return Exists(qualities) | Exists(proposals)

    return queryset.annotate(
        from_agents=from_panel(PanelKind.AGENTS), from_users=from_panel(PanelKind.USERS)
    )
