"""Panels and participants: minimal, consented personal data and representativeness attributes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models import PanelKind


class AgeBand(models.TextChoices):
    UNDER_25 = "u25", _("Moins de 25 ans")
    FROM_25_TO_39 = "25-39", _("25 à 39 ans")
    FROM_40_TO_54 = "40-54", _("40 à 54 ans")
    FROM_55_TO_64 = "55-64", _("55 à 64 ans")
    OVER_65 = "65+", _("65 ans et plus")


class Sex(models.TextChoices):
    FEMALE = "f", _("Femme")
    MALE = "m", _("Homme")
    OTHER = "x", _("Autre / ne souhaite pas répondre")


class AdminCategory(models.TextChoices):
    A = "A", _("Catégorie A")
    B = "B", _("Catégorie B")
    C = "C", _("Catégorie C")


class JobFamily(models.TextChoices):
    TECHNICAL = "technical", _("Technique")
    ADMINISTRATIVE = "administrative", _("Administratif")


class UserProfile(models.TextChoices):
    INDIVIDUAL = "individual", _("Particulier")
    BUSINESS = "business", _("Entreprise")
    ASSOCIATION = "association", _("Association")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Formulaire signé")
    ORAL = "oral", _("Accord oral recueilli par l'animation")
    ONLINE = "online", _("Formulaire en ligne")


class Criterion(models.TextChoices):
    """Representativeness criteria; each maps to a Participant field and its choices."""

    SEX = "sex", _("Sexe")
    AGE_BAND = "age_band", _("Tranche d'âge")
    ADMIN_CATEGORY = "admin_category", _("Catégorie administrative")
    JOB_FAMILY = "job_family", _("Filière")
    PROFILE = "profile", _("Profil d'usager")


CRITERION_CHOICES = {
    Criterion.SEX: Sex,
    Criterion.AGE_BAND: AgeBand,
    Criterion.ADMIN_CATEGORY: AdminCategory,
    Criterion.JOB_FAMILY: JobFamily,
    Criterion.PROFILE: UserProfile,
}

CRITERIA_BY_PANEL = {
    PanelKind.AGENTS: [
        Criterion.SEX,
        Criterion.AGE_BAND,
        Criterion.ADMIN_CATEGORY,
        Criterion.JOB_FAMILY,
    ],
    PanelKind.USERS: [Criterion.SEX, Criterion.AGE_BAND, Criterion.PROFILE],
    PanelKind.MIXED: [Criterion.SEX, Criterion.AGE_BAND],
}


class Panel(models.Model):
    concertation = models.ForeignKey(
        "workshops.Concertation",
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="panels",
    )
    kind = models.CharField(_("type de panel"), max_length=10, choices=PanelKind.choices)
    target_size = models.PositiveSmallIntegerField(_("effectif visé"), default=8)

    class Meta:
        ordering = ["concertation", "pk"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        constraints = [
            models.UniqueConstraint(fields=["concertation", "kind"], name="panel_kind_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.concertation}"


class ParticipantQuerySet(models.QuerySet):
    def with_personal_data(self) -> "ParticipantQuerySet":
        """Not erased yet (by a request or by the retention purge)."""
        return self.filter(erased_at__isnull=True)

    def in_panel(self, panel: Panel) -> "ParticipantQuerySet":
        """Agents and users panels hold their own people; the mixed panel draws from both."""
        if panel.kind == PanelKind.MIXED:
            return self.filter(home_panel__concertation_id=panel.concertation_id, in_mixed_panel=True)
        return self.filter(home_panel=panel)


class Participant(models.Model):
    """An agent or a user. No account: only what the method needs, with recorded consent."""

    home_panel = models.ForeignKey(
        Panel,
        verbose_name=_("panel d'origine"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    display_name = models.CharField(_("prénom ou nom affiché"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    age_band = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeBand.choices, blank=True
    )
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    admin_category = models.CharField(
        _("catégorie administrative"), max_length=1, choices=AdminCategory.choices, blank=True
    )
    job_family = models.CharField(
        _("filière"), max_length=20, choices=JobFamily.choices, blank=True
    )
    profile = models.CharField(
        _("profil d'usager"), max_length=20, choices=UserProfile.choices, blank=True
    )
    mixed_volunteer = models.BooleanField(_("volontaire pour l'atelier mixte"), default=False)
    in_mixed_panel = models.BooleanField(_("retenu·e pour le panel mixte"), default=False)
    consent_on = models.DateField(_("date du consentement"), null=True, blank=True)
    consent_method = models.CharField(
        _("recueil du consentement"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_contact = models.BooleanField(
        _("accepte d'être contacté·e (invitation, suivi)"), default=False
    )
    consent_scope = models.CharField(
        _("ce que la personne a accepté"),
        max_length=300,
        blank=True,
        help_text=_("Par exemple : participation aux ateliers, usage de ses contributions sur l'affiche."),
    )
    invited_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("ajouté·e le"), default=timezone.now)
    erased_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("effacement demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_by_label = models.CharField(
        _("effacement fait par"),
        max_length=200,
        blank=True,
        help_text=_("Nom de la personne de l'équipe, ou purge automatique après la durée de conservation."),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "pk"]
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        constraints = [
            models.CheckConstraint(
                condition=Q(in_mixed_panel=False) | Q(mixed_volunteer=True),
                name="participant_mixed_only_if_volunteer",
            ),
            models.CheckConstraint(
                condition=~Q(display_name=""), name="participant_name_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(consent_on__isnull=True) | ~Q(consent_method=""),
                name="participant_consent_has_method",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class PanelTarget(models.Model):
    """The share of a panel the facilitator aims for, for one value of one criterion."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="targets"
    )
    criterion = models.CharField(_("critère"), max_length=20, choices=Criterion.choices)
    value = models.CharField(_("valeur"), max_length=20)
    percent = models.PositiveSmallIntegerField(_("part visée (%)"))

    class Meta:
        ordering = ["panel", "criterion", "value"]
        verbose_name = _("cible de représentativité")
        verbose_name_plural = _("cibles de représentativité")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "criterion", "value"], name="paneltarget_once"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="paneltarget_percent_100"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}={self.value}: {self.percent} %"
