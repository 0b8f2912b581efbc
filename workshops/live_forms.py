"""Forms of the live session: each tablet form carries an idempotency key (hidden), so a double
tap or a request retried after lost Wi-Fi is applied once."""

import secrets
from typing import NamedTuple

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from workshops.models import Carrier, Position


def new_key() -> str:
    return secrets.token_urlsafe(18)


class KeyedForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if data is None:  # a form to draw needs a key of its own; a submitted one brings its own
            kwargs.setdefault("initial", {}).setdefault("key", new_key())
        super().__init__(*args, **kwargs)


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de l'atelier"),
        max_length=20,
        help_text=_("Six lettres et chiffres, affichés à l'écran de la salle."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


class WalkInForm(forms.Form):
    first_name = forms.CharField(
        label=_("Votre prénom"),
        max_length=100,
        help_text=_("L'animation validera votre arrivée dans un instant."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )


class QualityForm(KeyedForm):
    text = forms.CharField(
        label=_("Un mot ou une courte expression"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "big-input"}),
    )


class ProposalForm(KeyedForm):
    text = forms.CharField(
        label=_("Votre proposition d'action"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "class": "big-input"}),
    )
    carried_by = forms.ChoiceField(
        label=_("Qui la porterait ?"), choices=Carrier.choices, widget=forms.RadioSelect
    )


class PositionForm(KeyedForm):
    value = forms.TypedChoiceField(
        label=_("Votre position"),
        coerce=int,
        choices=[(n, str(n)) for n in range(Position.MIN, Position.MAX + 1)],
        widget=forms.RadioSelect,
    )


# An id within what the database stores (BigAutoField): the vote reads its item with precompiled
# SQL, where no ORM lookup turns a larger number into « no such row ».
MAX_ID = 2**63 - 1
MAX_POINTS = 100


def whole_number(value) -> int | None:
    """An integer sent by a form, or None (empty, not a number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Tap(NamedTuple):
    """A tap on « + » or « − » of a ballot row: the item, the new total of points on it (0 takes
    them back) and the idempotency key of the row it was drawn with (checked by the service, as
    every submission's key)."""

    item: int
    points: int
    key: str


class TapRefused(ValueError):
    """A tap that cannot be read; ``field`` names what was wrong (item or points)."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def vote_tap(data: QueryDict) -> Tap:
    """The tap a vote request carries. Read on every tap and never drawn, so not a Django form:
    building and validating one per request took about a tenth of the app server's time during
    a run of votes at saturation (py-spy), for three values. Whole numbers within bounds, written
    as the ballot's buttons write them (an integer, no decimal point)."""
    item = whole_number(data.get("item"))
    if item is None or not 1 <= item <= MAX_ID:
        raise TapRefused("item")
    points = whole_number(data.get("points"))
    if points is None or not 0 <= points <= MAX_POINTS:
        raise TapRefused("points")
    return Tap(item=item, points=points, key=data.get("key") or "")


class PosterOpinionForm(KeyedForm):
    approves = forms.TypedChoiceField(
        label=_("Votre avis sur l'affiche"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Je valide")), ("no", _("Je ne valide pas"))],
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(
        label=_("Une remarque (facultatif)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaperForm(KeyedForm):
    """Answers of someone without a tablet, typed in by the facilitator."""

    participant = forms.ModelChoiceField(label=_("Participant·e"), queryset=None)
    text = forms.CharField(label=_("Texte"), max_length=300, required=False)
    carried_by = forms.ChoiceField(
        label=_("Portée par"), choices=[("", "—"), *Carrier.choices], required=False
    )
    value = forms.TypedChoiceField(
        label=_("Position (0 chaotique – 10 idéal)"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—")] + [(n, str(n)) for n in range(Position.MIN, Position.MAX + 1)],
    )
    item = forms.ModelChoiceField(label=_("Élément"), queryset=None, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=100, required=False)
    approves = forms.TypedChoiceField(
        label=_("Avis sur l'affiche"),
        coerce=lambda value: value == "yes",
        empty_value=None,
        choices=[("", "—"), ("yes", _("Je valide")), ("no", _("Je ne valide pas"))],
        required=False,
    )

    def __init__(self, *args, participants, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["item"].queryset = items
