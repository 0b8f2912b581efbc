"""Preparation forms: the concertation, the schedule of its workshops, the run-of-show."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models import Concertation, MethodTemplate, Sequence, Service, Site
from workshops.roles import FACILITATORS, SERVICE_MANAGERS
from workshops.scheduling import Slot
from workshops.services import concertation_create


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.site.name}" if obj.site_id else obj.name


class ConcertationForm(forms.ModelForm):
    """Scope as the method describes it: one service, or a site and the services it hosts.
    Sites and services missing from the lists can be created from here."""

    site = forms.ModelChoiceField(
        label=_("Équipement / site existant"), queryset=Site.objects.all(), required=False,
        empty_label=_("— aucun —"),
    )
    new_site = forms.CharField(
        label=_("… ou nouvel équipement / site"), max_length=200, required=False,
        help_text=_("Par exemple : Maison de Hautepierre."),
    )
    services = ServiceChoiceField(
        label=_("Services concernés"), queryset=Service.objects.select_related("site"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_services = forms.CharField(
        label=_("Nouveaux services"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un service par ligne ; ils sont rattachés à l'équipement choisi ci-dessus."),
    )
    facilitators = UserChoiceField(
        label=_("Équipe d'animation"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Les membres du groupe « Animation » qui préparent et animent la démarche."),
    )

    class Meta:
        model = Concertation
        # The site is a plain field: it may be created from new_site, after validation.
        fields = ["title", "scope", "sponsor", "project_lead", "objectives", "method"]
        widgets = {"scope": forms.RadioSelect, "objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["facilitators"].queryset = (
            get_user_model().objects.filter(groups__name=FACILITATORS, is_active=True).order_by("username")
        )
        self.fields["method"].queryset = MethodTemplate.objects.all()
        self.fields["method"].empty_label = None
        self.fields["scope"].choices = Concertation.Scope.choices
        if self.instance.pk:
            self.fields["method"].disabled = True
            self.fields["method"].help_text = _("Les ateliers sont déjà créés depuis ce modèle.")
            self.initial.setdefault("site", self.instance.site_id)
            self.initial.setdefault("services", list(self.instance.services.all()))
            self.initial.setdefault("facilitators", list(self.instance.facilitators.all()))
        else:
            self.initial.setdefault("method", MethodTemplate.objects.filter(is_default=True).first())
            if user is not None:
                self.initial.setdefault("facilitators", [user])
                self.fields["facilitators"].help_text = _(
                    "Les membres du groupe « Animation » qui préparent et animent la démarche ; vous en "
                    "faites partie d'office."
                )

    def clean_new_services(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["new_services"].splitlines() if line.strip()]
        too_long = [name for name in names if len(name) > 200]
        if too_long:
            raise forms.ValidationError(_("Un nom de service dépasse 200 caractères."))
        return list(dict.fromkeys(names))

    def clean_new_site(self) -> str:
        name = self.cleaned_data["new_site"].strip()
        if name and Site.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("L'équipement « %(name)s » existe déjà : choisissez-le dans la liste.") % {"name": name}
            )
        return name

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        site, new_site = data.get("site"), data.get("new_site")
        services, new_services = list(data.get("services") or []), data.get("new_services") or []
        if site and new_site:
            self.add_error("new_site", _("Choisissez un équipement existant ou créez-en un, pas les deux."))
        if scope == Concertation.Scope.TERRITORIAL and not (site or new_site):
            self.add_error("site", _("Une démarche territoriale porte sur un équipement : choisissez-le "
                                     "ou créez-le."))
        count = len(services) + len(new_services)
        if count == 0:
            self.add_error("services", _("Choisissez au moins un service concerné, ou créez-le."))
        if scope == Concertation.Scope.THEMATIC and count > 1:
            self.add_error("services", _("Une démarche thématique porte sur un seul service ; pour "
                                         "plusieurs services d'un même site, choisissez « territoriale »."))
        if scope == Concertation.Scope.TERRITORIAL and (site or new_site):
            elsewhere = [s.name for s in services if s.site_id not in (None, site.pk if site else None)]
            if elsewhere:
                self.add_error("services", _("Ces services sont rattachés à un autre équipement : %(names)s.")
                               % {"names": ", ".join(elsewhere)})
        if site:
            existing = set(
                Service.objects.filter(site=site, name__in=new_services).values_list("name", flat=True)
            )
            if existing:
                self.add_error("new_services", _("Ces services existent déjà sur ce site : %(names)s.")
                               % {"names": ", ".join(sorted(existing))})
        return data

    @transaction.atomic
    def save(self, commit: bool = True) -> Concertation:
        """Create the site and services typed in, then the concertation (with its panels,
        workshops and sequences from the method template) or its new values."""
        data = self.cleaned_data
        site = data.get("site")
        if data["new_site"]:
            site = Site.objects.create(name=data["new_site"])
        services = list(data["services"]) + [
            Service.objects.create(name=name, site=site)
            for name in data["new_services"]
        ]
        if self.instance.pk is None:
            # The creator is on the team, or they could not see what they just created.
            facilitators = {*data["facilitators"], *([self.user] if self.user else [])}
            return concertation_create(
                title=data["title"], scope=data["scope"], site=site, services=services,
                method=data["method"], facilitators=facilitators, sponsor=data["sponsor"],
                project_lead=data["project_lead"], objectives=data["objectives"],
            )
        concertation = super().save(commit=False)
        concertation.site = site
        concertation.save()
        concertation.services.set(services)
        concertation.facilitators.set(data["facilitators"])
        return concertation


class ManagersForm(forms.Form):
    """One list of managers per service of the concertation (Service.managers)."""

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = list(services)
        queryset = get_user_model().objects.filter(groups__name=SERVICE_MANAGERS, is_active=True).order_by(
            "username"
        )
        for service in self.services:
            self.fields[f"service_{service.pk}"] = UserChoiceField(
                label=_("Responsables du service « %(name)s »") % {"name": service.name},
                queryset=queryset, required=False, widget=forms.CheckboxSelectMultiple,
                initial=list(service.managers.all()),
            )

    def assignments(self):
        return [(service, self.cleaned_data[f"service_{service.pk}"]) for service in self.services]


class ScheduleForm(forms.Form):
    """Date, start time, duration (two hours by default) and place of each workshop; a workshop
    that has started or is over keeps its date."""

    def __init__(self, *args, workshops, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshops = list(workshops)
        for w in self.workshops:
            local = timezone.localtime(w.starts_at) if w.starts_at else None
            locked = w.status != w.Status.PLANNED
            prefix = f"w{w.pk}"
            self.fields[f"{prefix}_date"] = forms.DateField(
                label=_("Date"), required=False, disabled=locked, initial=local.date() if local else None,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"{prefix}_time"] = forms.TimeField(
                label=_("Heure de début"), required=False, disabled=locked,
                initial=local.time().replace(second=0) if local else time(14, 0),
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"{prefix}_duration"] = forms.IntegerField(
                label=_("Durée (minutes)"), min_value=15, max_value=480, initial=w.duration_minutes,
                disabled=locked,
            )
            self.fields[f"{prefix}_place"] = forms.CharField(
                label=_("Lieu"), max_length=300, required=False, initial=w.place, disabled=locked,
            )

    def rows(self):
        for w in self.workshops:
            prefix = f"w{w.pk}"
            yield w, [self[f"{prefix}_{name}"] for name in ("date", "time", "duration", "place")]

    def clean(self):
        data = super().clean()
        for w in self.workshops:
            prefix = f"w{w.pk}"
            if data.get(f"{prefix}_date") and not data.get(f"{prefix}_time"):
                self.add_error(f"{prefix}_time", _("Indiquez l'heure de début."))
        return data

    def slots(self) -> list[Slot]:
        slots = []
        for w in self.workshops:
            prefix = f"w{w.pk}"
            day, start = self.cleaned_data.get(f"{prefix}_date"), self.cleaned_data.get(f"{prefix}_time")
            starts_at = timezone.make_aware(datetime.combine(day, start)) if day and start else None
            slots.append(Slot(
                workshop=w, starts_at=starts_at, duration_minutes=self.cleaned_data[f"{prefix}_duration"],
                place=self.cleaned_data.get(f"{prefix}_place", ""),
            ))
        return slots


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = ["title", "planned_minutes", "prompt"]
        widgets = {"prompt": forms.Textarea(attrs={"rows": 3})}

    def clean_planned_minutes(self) -> int:
        minutes = self.cleaned_data["planned_minutes"]
        if minutes < 1 or minutes > 480:
            raise forms.ValidationError(_("Une séquence dure entre 1 et 480 minutes."))
        return minutes
