"""Forms of the poster editor, the validation, the roadmap and the steering committee."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from posters.models import PosterVersion, RoadmapAction
from posters.services import Header, ItemEdit
from workshops.models import Carrier

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_EXTENSIONS = {".png", ".jpg", ".jpeg"}
LOGO_FORMATS = {"PNG", "JPEG"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ComposeForm(forms.Form):
    qualities_count = forms.IntegerField(
        label=_("Nombre de qualités à reprendre"), min_value=1, max_value=20, initial=4,
        help_text=_("Les qualités qui ont reçu le plus de points dans l'atelier mixte."),
    )
    commitments_count = forms.IntegerField(
        label=_("Nombre de propositions à reprendre comme engagements"), min_value=1, max_value=40,
        initial=8,
        help_text=_("Les propositions prioritaires, dans l'ordre des points reçus."),
    )


class HeaderForm(forms.Form):
    heading = forms.CharField(label=_("Titre de l'affiche"), max_length=200)
    scope_label = forms.CharField(label=_("Service ou site"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    participants_count = forms.IntegerField(
        label=_("Nombre de participant·es"), min_value=0, max_value=999
    )

    def header(self) -> Header:
        data = self.cleaned_data
        return Header(
            heading=data["heading"], scope_label=data["scope_label"], held_on=data["held_on"],
            participants_count=data["participants_count"],
        )


class QualityRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Qualité"), max_length=120, required=False)
    order = forms.IntegerField(label=_("Ordre"), min_value=0, max_value=999, initial=0)
    delete = forms.BooleanField(label=_("Retirer"), required=False)

    def item(self) -> ItemEdit:
        data = self.cleaned_data
        return ItemEdit(
            text=data.get("text", ""), order=data.get("order") or 0, pk=data.get("id"),
            delete=data.get("delete", False), party=data.get("party", ""),
        )


class CommitmentRowForm(QualityRowForm):
    party = forms.ChoiceField(label=_("Qui s'engage"), choices=Carrier.choices)
    text = forms.CharField(
        label=_("Engagement"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["id", "party", "text", "order", "delete"]


QualityFormSet = forms.formset_factory(QualityRowForm, extra=2, max_num=60, validate_max=True)
CommitmentFormSet = forms.formset_factory(CommitmentRowForm, extra=2, max_num=80, validate_max=True)


def editor_forms(version: PosterVersion, data=None) -> tuple[HeaderForm, QualityFormSet, CommitmentFormSet]:
    """The header form and the two row formsets, bound to POST data or filled from the draft."""
    if data is not None:
        return (
            HeaderForm(data),
            QualityFormSet(data, prefix="qualites"),
            CommitmentFormSet(data, prefix="engagements"),
        )
    header = HeaderForm(
        initial={
            "heading": version.heading, "scope_label": version.scope_label,
            "held_on": version.held_on, "participants_count": version.participants_count,
        }
    )
    qualities = QualityFormSet(
        prefix="qualites",
        initial=[{"id": q.pk, "text": q.text, "order": q.order} for q in version.qualities.all()],
    )
    commitments = CommitmentFormSet(
        prefix="engagements",
        initial=[
            {"id": c.pk, "party": c.party, "text": c.text, "order": c.order}
            for c in version.commitments.order_by("party", "order", "pk")
        ],
    )
    return header, qualities, commitments


class LogoForm(forms.Form):
    logo = forms.ImageField(
        label=_("Logo de la collectivité"),
        help_text=_("Image PNG ou JPEG, 2 Mo au plus."),
        error_messages={
            "invalid_image": _("Ce fichier n'est pas une image PNG ou JPEG lisible."),
            "required": _("Choisissez un fichier image."),
        },
    )

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(_("Le logo pèse plus de 2 Mo : réduisez sa taille."), code="too_big")
        if Path(logo.name).suffix.lower() not in LOGO_EXTENSIONS or (
            getattr(logo, "image", None) is not None and logo.image.format not in LOGO_FORMATS
        ):
            raise ValidationError(_("Le logo doit être une image PNG ou JPEG."), code="format")
        return logo


class SealForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Comment l'affiche a-t-elle été validée ?"),
        choices=PosterVersion.ValidationMethod.choices,
        widget=forms.RadioSelect,
        initial=PosterVersion.ValidationMethod.SHOW_OF_HANDS,
    )
    approvals = forms.IntegerField(label=_("Pour"), min_value=0, max_value=999, required=False)
    rejections = forms.IntegerField(label=_("Contre"), min_value=0, max_value=999, required=False)
    abstentions = forms.IntegerField(
        label=_("Abstentions"), min_value=0, max_value=999, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == PosterVersion.ValidationMethod.SHOW_OF_HANDS and data.get(
            "approvals"
        ) is None:
            self.add_error("approvals", _("Indiquez combien de participant·es ont levé la main pour."))
        return data


class ActionForm(forms.ModelForm):
    class Meta:
        model = RoadmapAction
        fields = ["title", "owner", "due_on", "status"]
        widgets = {"due_on": DateInput(), "title": forms.Textarea(attrs={"rows": 2})}


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Où en est l'action ?"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 2}
    ))
    written_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())


class SteeringForm(forms.Form):
    held_on = forms.DateField(label=_("Date du comité de pilotage"), required=False, widget=DateInput())
    decisions = forms.CharField(
        label=_("Décisions du comité de pilotage"), required=False, widget=forms.Textarea
    )
    public_followup = forms.BooleanField(
        label=_("Publier la page de suivi (lien public, sans données personnelles)"), required=False
    )
