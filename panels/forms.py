"""Participant, bulk import and representativeness target forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panels.models import CRITERIA_BY_PANEL, CRITERION_CHOICES, Panel, Participant
from panels.services import decode_upload

MAX_UPLOAD_BYTES = 1_000_000
AGENT_ONLY = ("admin_category", "job_family")
USER_ONLY = ("profile",)


class ParticipantForm(forms.ModelForm):
    """Only what the method needs, and the consent: when, how, what the person agreed to."""

    class Meta:
        model = Participant
        fields = [
            "display_name", "email", "phone", "sex", "age_band", "admin_category", "job_family",
            "profile", "mixed_volunteer", "consent_on", "consent_method", "consent_contact",
            "consent_scope",
        ]
        widgets = {"consent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, panel: Panel, **kwargs):
        super().__init__(*args, **kwargs)
        hidden = USER_ONLY if panel.kind == "agents" else AGENT_ONLY
        for name in hidden:
            del self.fields[name]
        self.fields["email"].help_text = _("Pour l'invitation, seulement si la personne accepte d'être "
                                           "contactée.")

    def clean(self):
        data = super().clean()
        if data.get("consent_on") and not data.get("consent_method"):
            self.add_error("consent_method", _("Dites comment le consentement a été recueilli."))
        if not data.get("mixed_volunteer"):
            # Only volunteers sit in the mixed panel (a database constraint too).
            self.instance.in_mixed_panel = False
        return data


class ImportForm(forms.Form):
    """Either rows pasted from a spreadsheet, or a CSV file; read into one text either way."""

    rows = forms.CharField(
        label=_("Coller des lignes d'un tableur"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("Copiez les cellules, en-tête compris, depuis votre tableur (colonnes séparées par "
                    "des tabulations ou des points-virgules)."),
    )
    file = forms.FileField(
        label=_("… ou importer un fichier CSV"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("Le fichier dépasse 1 Mo."))
            data["text"] = decode_upload(upload.read())
        else:
            data["text"] = data.get("rows", "")
        if not data["text"].strip():
            raise forms.ValidationError(_("Collez des lignes ou choisissez un fichier CSV."))
        return data


class TargetsForm(forms.Form):
    """The share wanted for each value of each criterion of the panel (empty: no target)."""

    target_size = forms.IntegerField(label=_("Effectif visé"), min_value=1, max_value=200)

    def __init__(self, *args, panel: Panel, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel = panel
        current = {(t.criterion, t.value): t.percent for t in targets}
        self.fields["target_size"].initial = panel.target_size
        self.groups = []
        for criterion in CRITERIA_BY_PANEL[panel.kind]:
            names = []
            for value, label in CRITERION_CHOICES[criterion].choices:
                name = f"{criterion.value}__{value}"
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=0, max_value=100, required=False,
                    initial=current.get((criterion.value, value)),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
                names.append(name)
            self.groups.append((criterion, names))

    def bound_groups(self):
        return [(criterion, [self[name] for name in names]) for criterion, names in self.groups]

    def clean(self):
        data = super().clean()
        for criterion, names in self.groups:
            total = sum(data.get(name) or 0 for name in names)
            if total > 100:
                self.add_error(names[0], _("« %(criterion)s » : les parts visées font %(total)d %%, plus "
                                           "de 100 %%.") % {"criterion": criterion.label, "total": total})
        return data

    def percents(self) -> dict[tuple[str, str], int | None]:
        result = {}
        for _criterion, names in self.groups:
            for name in names:
                criterion, value = name.split("__", 1)
                result[(criterion, value)] = self.cleaned_data.get(name)
        return result
