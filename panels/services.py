"""Panel rules: bulk import with line-by-line errors, representativeness, the mixed panel."""

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from panels.models import (
    CRITERIA_BY_PANEL,
    CRITERION_CHOICES,
    AdminCategory,
    AgeBand,
    ConsentMethod,
    JobFamily,
    Panel,
    PanelTarget,
    Participant,
    Sex,
    UserProfile,
)
from workshops.calendar import workshop_ics
from workshops.models import Concertation, PanelKind, Workshop

MAX_IMPORT_ROWS = 500
# A share within this many percentage points of its target is considered on target.
GAP_TOLERANCE = 10


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: « Tranche d'âge » and « tranche d age » match."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9+<>-]+", " ", text.lower())
    return text.strip()


COLUMN_ALIASES = {
    "display_name": ["nom", "prenom", "prenom ou nom", "prenom ou nom affiche", "nom affiche",
                     "participant", "participante", "participant e", "nom prenom", "prenom nom", "name"],
    "email": ["courriel", "email", "e-mail", "e mail", "mail", "adresse electronique", "adresse mail"],
    "phone": ["telephone", "tel", "portable", "numero de telephone"],
    "sex": ["sexe", "genre"],
    "age_band": ["tranche d age", "tranche age", "age", "ages"],
    "admin_category": ["categorie", "categorie administrative", "cat"],
    "job_family": ["filiere", "famille de metier", "famille de metiers", "metier"],
    "profile": ["profil", "profil d usager", "profil usager", "type d usager"],
    "mixed_volunteer": ["volontaire mixte", "volontaire pour l atelier mixte", "volontaire",
                        "atelier mixte", "mixte"],
    "consent_on": ["date du consentement", "date consentement", "consentement le"],
    "consent_method": ["recueil du consentement", "mode de consentement", "consentement recueilli",
                       "recueil"],
    "consent_contact": ["accepte d etre contacte", "accepte d etre contactee", "accepte d etre contacte e",
                        "contact",
                        "accord contact", "accepte le contact"],
    "consent_scope": ["ce que la personne a accepte", "consentement pour", "accord pour", "consentement"],
}
HEADER_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


VALUE_ALIASES = {
    "sex": {
        Sex.FEMALE: ["f", "femme", "feminin", "w"],
        Sex.MALE: ["h", "m", "homme", "masculin"],
        Sex.OTHER: ["x", "autre", "nsp", "ne souhaite pas repondre", "autre ne souhaite pas repondre"],
    },
    "age_band": {
        AgeBand.UNDER_25: ["u25", "-25", "<25", "< 25", "moins de 25", "moins de 25 ans", "18-24", "16-24"],
        AgeBand.FROM_25_TO_39: ["25-39", "25-39 ans", "25 39", "25 a 39", "25 a 39 ans"],
        AgeBand.FROM_40_TO_54: ["40-54", "40-54 ans", "40 54", "40 a 54", "40 a 54 ans"],
        AgeBand.FROM_55_TO_64: ["55-64", "55-64 ans", "55 64", "55 a 64", "55 a 64 ans"],
        AgeBand.OVER_65: ["65+", "65 +", "65 et plus", "65 ans et plus", "plus de 65", "plus de 65 ans"],
    },
    "admin_category": {
        AdminCategory.A: ["a", "categorie a", "cat a"],
        AdminCategory.B: ["b", "categorie b", "cat b"],
        AdminCategory.C: ["c", "categorie c", "cat c"],
    },
    "job_family": {
        JobFamily.TECHNICAL: ["technique", "tech", "filiere technique", "technical"],
        JobFamily.ADMINISTRATIVE: ["administratif", "administrative", "admin", "filiere administrative"],
    },
    "profile": {
        UserProfile.INDIVIDUAL: ["particulier", "particuliere", "habitant", "habitante", "individuel"],
        UserProfile.BUSINESS: ["entreprise", "commerce", "commercant", "professionnel"],
        UserProfile.ASSOCIATION: ["association", "asso"],
    },
    "consent_method": {
        ConsentMethod.WRITTEN: ["formulaire signe", "ecrit", "signe", "papier", "formulaire papier"],
        ConsentMethod.ORAL: ["oral", "orale", "accord oral", "accord oral recueilli par l animation"],
        ConsentMethod.ONLINE: ["en ligne", "formulaire en ligne", "internet"],
    },
}
VALUE_LOOKUP = {
    name: {normalize(alias): value for value, aliases in mapping.items() for alias in aliases}
    for name, mapping in VALUE_ALIASES.items()
}
TRUE_WORDS = {"oui", "o", "yes", "y", "x", "1", "vrai"}
FALSE_WORDS = {"non", "n", "no", "0", "faux", ""}

def unknown_value_message(name: str) -> str:
    """Whole sentences, so the French agreement is right (« reconnu », « reconnue »)."""
    return {
        "sex": _("Ligne %(line)d : le sexe « %(value)s » n'est pas reconnu (valeurs acceptées : "
                 "%(accepted)s)."),
        "age_band": _("Ligne %(line)d : la tranche d'âge « %(value)s » n'est pas reconnue (valeurs "
                      "acceptées : %(accepted)s, ou un âge en années)."),
        "admin_category": _("Ligne %(line)d : la catégorie « %(value)s » n'est pas reconnue (valeurs "
                            "acceptées : A, B, C)."),
        "job_family": _("Ligne %(line)d : la filière « %(value)s » n'est pas reconnue (valeurs acceptées : "
                        "%(accepted)s)."),
        "profile": _("Ligne %(line)d : le profil « %(value)s » n'est pas reconnu (valeurs acceptées : "
                     "%(accepted)s)."),
        "consent_method": _("Ligne %(line)d : le recueil du consentement « %(value)s » n'est pas reconnu "
                            "(valeurs acceptées : %(accepted)s)."),
        "mixed_volunteer": _("Ligne %(line)d : « volontaire pour l'atelier mixte » vaut « %(value)s » ; "
                             "écrivez « oui » ou « non »."),
        "consent_contact": _("Ligne %(line)d : « accepte d'être contacté·e » vaut « %(value)s » ; écrivez "
                             "« oui » ou « non »."),
    }[name]


def display_value(name: str, value) -> str:
    """How the preview shows a parsed value: the French label, « oui »/« non », a French date."""
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    if value in ("", None):
        return "—"
    if isinstance(value, date):
        return date_format(value, "j F Y")
    choices = CRITERION_CHOICES.get(name) or (ConsentMethod if name == "consent_method" else None)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    return str(value)


def fields_for_panel(kind: str) -> set[str]:
    """Columns a panel of this kind takes; category and job family only make sense for agents."""
    common = {"display_name", "email", "phone", "mixed_volunteer", "consent_on", "consent_method",
              "consent_contact", "consent_scope"}
    return common | {c.value for c in CRITERIA_BY_PANEL[kind]}


@dataclass
class ImportRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def table(self) -> list[tuple[ImportRow, list[str]]]:
        return [(row, [display_value(c, row.values.get(c, "")) for c in self.columns]) for row in self.rows]


def decode_upload(data: bytes) -> str:
    """Spreadsheets export UTF-8 (often with a BOM) or, from older French Excel, Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header: str) -> str:
    for candidate in ("\t", ";", ","):
        if candidate in header:
            return candidate
    return ";"


def _age_band_from_years(text: str) -> str | None:
    if not text.isdigit():
        return None
    years = int(text)
    if years < 25:
        return AgeBand.UNDER_25
    if years < 40:
        return AgeBand.FROM_25_TO_39
    if years < 55:
        return AgeBand.FROM_40_TO_54
    if years < 65:
        return AgeBand.FROM_55_TO_64
    return AgeBand.OVER_65


def _accepted(name: str) -> str:
    return ", ".join(str(label) for label in CRITERION_CHOICES.get(name, ConsentMethod).labels)


def _parse_choice(name: str, raw: str, line: int) -> tuple[str, str | None]:
    key = normalize(raw)
    if not key:
        return "", None
    value = VALUE_LOOKUP[name].get(key)
    if value is None and name == "age_band":
        value = _age_band_from_years(key)
    if value is None:
        return "", unknown_value_message(name) % {"line": line, "value": raw, "accepted": _accepted(name)}
    return str(value), None


def _parse_bool(name: str, raw: str, line: int) -> tuple[bool, str | None]:
    key = normalize(raw)
    if key in TRUE_WORDS:
        return True, None
    if key in FALSE_WORDS:
        return False, None
    return False, unknown_value_message(name) % {"line": line, "value": raw}


def _parse_date(raw: str, line: int) -> tuple[date | None, str | None]:
    raw = raw.strip()
    if not raw:
        return None, None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date(), None
        except ValueError:
            continue
    return None, _("Ligne %(line)d : la date du consentement « %(value)s » n'est pas une date "
                   "(écrivez-la jj/mm/aaaa).") % {"line": line, "value": raw}


def _parse_row(cells: dict[str, str], line: int) -> tuple[dict, list[str]]:
    values: dict = {}
    errors: list[str] = []
    for name, raw in cells.items():
        raw = raw.strip()
        if name in VALUE_LOOKUP:
            values[name], error = _parse_choice(name, raw, line)
        elif name in ("mixed_volunteer", "consent_contact"):
            values[name], error = _parse_bool(name, raw, line)
        elif name == "consent_on":
            values[name], error = _parse_date(raw, line)
        else:
            values[name], error = raw, None
        if error:
            errors.append(error)
    name = values.get("display_name", "")
    if not name:
        errors.append(_("Ligne %(line)d : le nom est vide.") % {"line": line})
    elif len(name) > 100:
        errors.append(_("Ligne %(line)d : le nom dépasse 100 caractères.") % {"line": line})
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(_("Ligne %(line)d : l'adresse « %(value)s » n'est pas un courriel valide.")
                          % {"line": line, "value": values["email"]})
    if values.get("consent_on") and not values.get("consent_method"):
        errors.append(_("Ligne %(line)d : une date de consentement est donnée sans dire comment il a "
                        "été recueilli (formulaire signé, oral ou en ligne).") % {"line": line})
    if len(values.get("phone", "")) > 30 or len(values.get("consent_scope", "")) > 300:
        errors.append(_("Ligne %(line)d : un téléphone ou un consentement est trop long.") % {"line": line})
    return values, errors


def parse_participants(text: str, *, panel_kind: str, existing_names: Iterable[str] = ()) -> ImportPreview:
    """Read pasted rows or a CSV file (tab, ; or , separated, French headers and values) into
    a preview: every row with its values, and every problem named by its line number. A name
    already in the panel (or twice in the file) is a warning: namesakes exist."""
    preview = ImportPreview()
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        preview.errors.append(_("Aucune ligne à importer : collez un tableau avec une ligne d'en-tête."))
        return preview
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=_delimiter(lines[0]))
    header = next(reader)
    allowed = fields_for_panel(panel_kind)
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        name = HEADER_TO_FIELD.get(normalize(title))
        if name in allowed and name not in columns.values():
            columns[index] = name
        elif title.strip():
            preview.ignored_columns.append(title.strip())
    if "display_name" not in columns.values():
        preview.errors.append(_("Ligne 1 : aucune colonne « Nom » (ou « Prénom ») dans l'en-tête. "
                                "La première ligne doit donner le titre des colonnes."))
        return preview
    preview.columns = list(columns.values())
    seen = {normalize(n): _("dans le panel") for n in existing_names}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(preview.rows) >= MAX_IMPORT_ROWS:
            preview.errors.append(_("Plus de %(max)d lignes : importez en plusieurs fois.")
                                  % {"max": MAX_IMPORT_ROWS})
            break
        row = {name: (cells[index] if index < len(cells) else "") for index, name in columns.items()}
        values, errors = _parse_row(row, line)
        name = normalize(values.get("display_name", ""))
        if name and name in seen:
            preview.warnings.append(_("Ligne %(line)d : « %(name)s » figure déjà %(where)s.") % {
                "line": line, "name": values["display_name"], "where": seen[name]})
        elif name:
            seen[name] = _("à la ligne %(line)d") % {"line": line}
        preview.errors.extend(errors)
        preview.rows.append(ImportRow(line=line, values=values, errors=errors))
    if not preview.rows and not preview.errors:
        preview.errors.append(_("Le tableau ne contient que la ligne d'en-tête."))
    return preview


@transaction.atomic
def participants_import(*, panel: Panel, preview: ImportPreview) -> list[Participant]:
    """All or nothing: a preview with any error saves no one."""
    if not preview.is_valid:
        raise ValueError("an import with errors cannot be saved")
    if panel.kind == PanelKind.MIXED:
        raise ValueError("the mixed panel draws from the agents and users panels")
    created = Participant.objects.bulk_create(
        [Participant(home_panel=panel, **row.values) for row in preview.rows]
    )
    concertation_started_recruiting(concertation_id=panel.concertation_id)
    return created


def concertation_started_recruiting(*, concertation_id: int) -> None:
    """The first participant moves a draft concertation to the recruitment step."""
    Concertation.objects.filter(pk=concertation_id, status=Concertation.Status.DRAFT).update(
        status=Concertation.Status.RECRUITING
    )


# Representativeness -------------------------------------------------------------------------


@dataclass
class ValueShare:
    value: str
    label: str
    count: int
    percent: int
    target: int | None

    @property
    def gap(self) -> int | None:
        return None if self.target is None else self.percent - self.target

    @property
    def off_target(self) -> bool:
        return self.gap is not None and abs(self.gap) > GAP_TOLERANCE


@dataclass
class CriterionReport:
    criterion: str
    label: str
    shares: list[ValueShare]
    unknown: int
    total: int

    @property
    def gaps(self) -> list[ValueShare]:
        return [share for share in self.shares if share.off_target]


def representativeness(
    *, panel: Panel, participants: Sequence[Participant], targets: Iterable[PanelTarget]
) -> list[CriterionReport]:
    """Actual composition against the target, per criterion of the panel's kind."""
    target_map = {(t.criterion, t.value): t.percent for t in targets}
    total = len(participants)
    reports = []
    for criterion in CRITERIA_BY_PANEL[panel.kind]:
        counts = Counter(getattr(p, criterion.value) for p in participants)
        shares = [
            ValueShare(
                value=value,
                label=str(label),
                count=counts.get(value, 0),
                percent=round(100 * counts.get(value, 0) / total) if total else 0,
                target=target_map.get((criterion.value, value)),
            )
            for value, label in CRITERION_CHOICES[criterion].choices
        ]
        reports.append(
            CriterionReport(
                criterion=criterion.value, label=str(criterion.label), shares=shares,
                unknown=counts.get("", 0), total=total,
            )
        )
    return reports


@transaction.atomic
def panel_targets_set(*, panel: Panel, target_size: int, percents: dict[tuple[str, str], int | None]) -> None:
    """Replace the panel's targets; an empty share means « no target » for that value."""
    panel.target_size = target_size
    panel.save(update_fields=["target_size"])
    panel.targets.all().delete()
    PanelTarget.objects.bulk_create(
        [
            PanelTarget(panel=panel, criterion=criterion, value=value, percent=percent)
            for (criterion, value), percent in percents.items()
            if percent is not None
        ]
    )


# The mixed panel ----------------------------------------------------------------------------


@dataclass
class MixedBalance:
    agents: int
    users: int
    agents_panel: int
    users_panel: int
    warnings: list[str]


def _greedy_pick(candidates: list[Participant], *, count: int, criteria: list[str],
                 shares: dict[str, dict[str, float]]) -> list[Participant]:
    """Pick people one by one, each time the one who brings the selection closest to the wanted
    shares on every criterion. Deterministic: ties go to the name, then the id."""
    chosen: list[Participant] = []
    remaining = sorted(candidates, key=lambda p: (p.display_name.lower(), p.pk))
    counts = {criterion: Counter() for criterion in criteria}
    while remaining and len(chosen) < count:
        size = len(chosen) + 1

        def cost(person: Participant, size: int = size) -> float:
            total = 0.0
            for criterion in criteria:
                wanted = shares[criterion]
                mine = getattr(person, criterion)
                for value, share in wanted.items():
                    have = counts[criterion][value] + (1 if value == mine else 0)
                    total += (have - share * size) ** 2
            return total

        best = min(remaining, key=cost)
        remaining.remove(best)
        chosen.append(best)
        for criterion in criteria:
            counts[criterion][getattr(best, criterion)] += 1
    return chosen


def _wanted_shares(panel: Panel, people: list[Participant], criterion: str,
                   targets: Iterable[PanelTarget]) -> dict[str, float]:
    """The panel's own targets when set, otherwise its actual composition."""
    own = {t.value: t.percent / 100 for t in targets if t.panel_id == panel.pk and t.criterion == criterion}
    if own:
        return own
    counts = Counter(getattr(p, criterion) for p in people)
    return {value: n / len(people) for value, n in counts.items()} if people else {}


def mixed_panel_proposal(*, concertation: Concertation) -> list[Participant]:
    """Half of the agents panel and half of the users panel, among volunteers, each half
    balanced on the criteria of its home panel."""
    panels = {p.kind: p for p in concertation.panels.prefetch_related("targets")}
    people = list(
        Participant.objects.filter(home_panel__concertation=concertation).exclude(
            home_panel__kind=PanelKind.MIXED
        )
    )
    proposal: list[Participant] = []
    for kind in (PanelKind.AGENTS, PanelKind.USERS):
        panel = panels.get(kind)
        if panel is None:
            continue
        home = [p for p in people if p.home_panel_id == panel.pk]
        volunteers = [p for p in home if p.mixed_volunteer]
        criteria = [c.value for c in CRITERIA_BY_PANEL[kind]]
        targets = list(panel.targets.all())
        shares = {c: _wanted_shares(panel, home, c, targets) for c in criteria}
        proposal += _greedy_pick(volunteers, count=math.ceil(len(home) / 2), criteria=criteria, shares=shares)
    return proposal


@transaction.atomic
def mixed_panel_set(*, concertation: Concertation, participant_ids: Iterable[int]) -> int:
    """The mixed panel becomes exactly these volunteers; returns how many were selected."""
    people = Participant.objects.filter(home_panel__concertation=concertation).exclude(
        home_panel__kind=PanelKind.MIXED
    )
    ids = set(participant_ids)
    people.filter(in_mixed_panel=True).exclude(pk__in=ids).update(in_mixed_panel=False)
    return people.filter(pk__in=ids, mixed_volunteer=True).update(in_mixed_panel=True)


def participant_mixed_toggle(*, participant: Participant, selected: bool) -> None:
    """Only volunteers join the mixed panel (also a database constraint)."""
    if selected and not participant.mixed_volunteer:
        raise ValidationError(_("%(name)s n'est pas volontaire pour l'atelier mixte.")
                              % {"name": participant.display_name})
    participant.in_mixed_panel = selected
    participant.save(update_fields=["in_mixed_panel"])


def mixed_balance(*, people: Iterable[Participant], agents_panel: int, users_panel: int) -> MixedBalance:
    """The method: half of each panel, so about as many agents as users. Warns, never blocks."""
    counts = Counter(p.home_panel.kind for p in people if p.in_mixed_panel)
    agents, users = counts.get(PanelKind.AGENTS, 0), counts.get(PanelKind.USERS, 0)
    warnings = []
    if agents + users and abs(agents - users) > max(1, (agents + users) // 5):
        warnings.append(
            _("Le panel mixte compte %(agents)d agent·es et %(users)d usager·es : la méthode le veut "
              "composé à peu près pour moitié d'agents et pour moitié d'usagers.")
            % {"agents": agents, "users": users}
        )
    for label, chosen, home in ((_("agents"), agents, agents_panel), (_("usagers"), users, users_panel)):
        half = home / 2
        if home and abs(chosen - half) > max(1, home / 5):
            warnings.append(
                _("Le panel %(label)s compte %(home)d personnes : la méthode en retient environ la moitié "
                  "(%(half)s) pour l'atelier mixte, %(chosen)d sont retenues.")
                % {"label": label, "home": home, "half": math.ceil(half), "chosen": chosen}
            )
    return MixedBalance(agents=agents, users=users, agents_panel=agents_panel, users_panel=users_panel,
                        warnings=warnings)


def recruitment_refusal(*, concertation: Concertation) -> str | None:
    """Why nobody can join this concertation's panels now, if nobody can: a closed concertation's
    personal data are on their way to erasure, so none is collected for it any more."""
    if concertation.status == Concertation.Status.CLOSED:
        return _("La démarche est clôturée : rouvrez-la depuis sa page pour compléter ses panels.")
    return None


def participant_added(*, participant: Participant) -> None:
    """Any new participant moves a draft concertation to recruitment."""
    concertation_started_recruiting(concertation_id=participant.home_panel.concertation_id)


def participants_mark_invited(*, participant_ids: Iterable[int]) -> None:
    Participant.objects.filter(pk__in=list(participant_ids)).update(invited_at=timezone.now())


@dataclass
class InvitationResult:
    sent: list[Participant]
    skipped: list[Participant]


def invitations_send(
    *, workshop: Workshop, people: Sequence[Participant], organiser: str
) -> InvitationResult:
    """E-mail the invitation, with the workshop's .ics, to each member who gave an address and
    agreed to be contacted; the others are listed so the facilitator can invite them otherwise."""
    if workshop.starts_at is None:
        raise ValidationError(_("Fixez d'abord la date de l'atelier."))
    ics = workshop_ics(workshop)
    starts_at = timezone.localtime(workshop.starts_at)
    when = f"{date_format(starts_at, 'l j F Y')}, {time_format(starts_at)}"
    sent, skipped, messages = [], [], []
    for person in people:
        if not (person.email and person.consent_contact):
            skipped.append(person)
            continue
        body = render_to_string("panels/email/invitation.txt", {
            "participant": person, "workshop": workshop, "when": when, "organiser": organiser,
        })
        message = EmailMessage(
            subject=_("Invitation : %(title)s, %(when)s") % {"title": workshop.title, "when": when},
            body=body, to=[person.email],
        )
        message.attach("atelier.ics", ics, "text/calendar")
        messages.append(message)
        sent.append(person)
    if messages:
        get_connection().send_messages(messages)
        participants_mark_invited(participant_ids=[p.pk for p in sent])
    return InvitationResult(sent=sent, skipped=skipped)
