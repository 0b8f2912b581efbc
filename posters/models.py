"""The poster (« affiche ») in frozen versions, and the roadmap (« feuille de route ») per service."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models import Carrier


class Poster(models.Model):
    concertation = models.OneToOneField(
        "workshops.Concertation",
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="poster",
    )

    class Meta:
        verbose_name = _("affiche")
        verbose_name_plural = _("affiches")

    def __str__(self) -> str:
        return str(self.concertation)


class PosterFrozen(ValidationError):
    """A validated version never changes: edit a new draft instead."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Cette version de l'affiche est validée : elle ne peut plus changer."),
            code="frozen",
        )


# Fields a validated version may still receive once: the files rendered from its frozen content.
RENDERED_FILE_FIELDS = frozenset({"pdf_a4", "pdf_a3", "preview_png"})


class PosterVersion(models.Model):
    """A validated version is frozen; any later edit starts a new draft version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validée")

    class ValidationMethod(models.TextChoices):
        TABLETS = "tablets", _("Sur les tablettes des participant·es")
        SHOW_OF_HANDS = "hands", _("À main levée")

    poster = models.ForeignKey(
        Poster, verbose_name=_("affiche"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    heading = models.CharField(_("titre"), max_length=200)
    scope_label = models.CharField(_("service ou site"), max_length=200, blank=True)
    held_on = models.DateField(_("date"), null=True, blank=True)
    participants_count = models.PositiveSmallIntegerField(_("nombre de participant·es"), default=0)
    logo = models.ImageField(_("logo de la collectivité"), upload_to="logos/", blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validation enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validation_method = models.CharField(
        _("mode de validation"), max_length=10, choices=ValidationMethod.choices, blank=True
    )
    approvals = models.PositiveSmallIntegerField(_("pour"), default=0)
    rejections = models.PositiveSmallIntegerField(_("contre"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copiée de la version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    content = models.JSONField(_("contenu figé"), default=dict, blank=True)
    content_hash = models.CharField(_("empreinte du contenu"), max_length=64, blank=True)
    pdf_a4 = models.FileField(_("PDF A4"), upload_to="posters/", blank=True)
    pdf_a3 = models.FileField(_("PDF A3"), upload_to="posters/", blank=True)
    preview_png = models.FileField(_("aperçu PNG"), upload_to="posters/", blank=True)

    class Meta:
        ordering = ["poster", "-number"]
        verbose_name = _("version d'affiche")
        verbose_name_plural = _("versions d'affiche")
        constraints = [
            models.UniqueConstraint(fields=["poster", "number"], name="posterversion_number"),
            models.UniqueConstraint(
                fields=["poster"],
                condition=Q(status="draft"),
                name="posterversion_single_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(validated_at__isnull=False) & ~Q(content_hash="")),
                name="posterversion_validated_is_sealed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.heading} (v{self.number})"

    def save(self, *args, **kwargs):
        """Refuse any write to a version already validated in the database, except filling in
        its rendered files once (they are derived from the frozen content)."""
        if self.pk is not None:
            stored = PosterVersion.objects.filter(pk=self.pk).values(
                "status", *RENDERED_FILE_FIELDS
            ).first()
            if stored and stored["status"] == self.Status.VALIDATED:
                fields = set(kwargs.get("update_fields") or ())
                if not fields or not fields <= RENDERED_FILE_FIELDS or any(
                    stored[name] for name in fields
                ):
                    raise PosterFrozen
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise PosterFrozen
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.VALIDATED


class FrozenWithVersion(models.Model):
    """Qualities and commitments change only while their version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self) -> None:
        if PosterVersion.objects.filter(
            pk=self.version_id, status=PosterVersion.Status.VALIDATED
        ).exists():
            raise PosterFrozen


class PosterQuality(FrozenWithVersion):
    version = models.ForeignKey(
        PosterVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="qualities"
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    text = models.CharField(_("qualité"), max_length=120)
    points = models.PositiveIntegerField(_("points"), default=0)
    source_item = models.ForeignKey(
        "workshops.BallotItem",
        verbose_name=_("élément voté d'origine"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(FrozenWithVersion.Meta):
        ordering = ["version", "order", "pk"]
        verbose_name = _("qualité à promouvoir")
        verbose_name_plural = _("qualités à promouvoir")

    def __str__(self) -> str:
        return self.text


class Commitment(FrozenWithVersion):
    """« Les agents s'engagent à… »: a selected proposal, reworded, linked to its sources."""

    version = models.ForeignKey(
        PosterVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    party = models.CharField(_("qui s'engage"), max_length=10, choices=Carrier.choices)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    text = models.CharField(_("engagement"), max_length=300)
    source_item = models.ForeignKey(
        "workshops.BallotItem",
        verbose_name=_("élément voté d'origine"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_proposals = models.ManyToManyField(
        "workshops.Proposal",
        verbose_name=_("propositions d'origine"),
        blank=True,
        related_name="commitments",
    )

    class Meta(FrozenWithVersion.Meta):
        ordering = ["version", "party", "order", "pk"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="commitment_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class PosterValidation(models.Model):
    version = models.ForeignKey(
        PosterVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="validations",
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="poster_validations",
    )
    approves = models.BooleanField(_("je valide"))
    remark = models.CharField(_("remarque"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis sur l'affiche")
        verbose_name_plural = _("avis sur l'affiche")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "participant"], name="postervalidation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.approves}"


class Roadmap(models.Model):
    concertation = models.ForeignKey(
        "workshops.Concertation",
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="roadmaps",
    )
    service = models.ForeignKey(
        "workshops.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="roadmaps",
    )

    class Meta:
        ordering = ["concertation", "service__name"]
        verbose_name = _("feuille de route")
        verbose_name_plural = _("feuilles de route")
        constraints = [
            models.UniqueConstraint(
                fields=["concertation", "service"], name="roadmap_once_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.concertation}"


class ActionQuerySet(models.QuerySet):
    """The follow-up rules of an action, each written once as a condition (``*_condition``, for
    filters and conditional counts) and as a filter."""

    @staticmethod
    def open_condition() -> Q:
        """Still somebody's to do: neither done nor dropped."""
        return Q(status__in=[RoadmapAction.Status.TODO, RoadmapAction.Status.DOING])

    @classmethod
    def overdue_condition(cls) -> Q:
        return cls.open_condition() & Q(due_on__lt=timezone.localdate())

    @classmethod
    def incomplete_condition(cls) -> Q:
        """Open, and nobody named to carry it or no due date."""
        return cls.open_condition() & (Q(owner="") | Q(due_on__isnull=True))

    def overdue(self) -> "ActionQuerySet":
        return self.filter(self.overdue_condition())


class RoadmapAction(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        DOING = "doing", _("En cours")
        DONE = "done", _("Fait")
        DROPPED = "dropped", _("Abandonné")

    roadmap = models.ForeignKey(
        Roadmap, verbose_name=_("feuille de route"), on_delete=models.CASCADE,
        related_name="actions",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement d'origine"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.CharField(_("responsable"), max_length=200, blank=True)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.TODO
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap", "due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="roadmapaction_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Same rule as ActionQuerySet.overdue(): past its due date and neither done nor dropped."""
        return (
            self.due_on is not None
            and self.due_on < timezone.localdate()
            and self.status in {self.Status.TODO, self.Status.DOING}
        )


class ProgressNote(models.Model):
    action = models.ForeignKey(
        RoadmapAction, verbose_name=_("action"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    written_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("avancement"))

    class Meta:
        ordering = ["action", "-written_on", "-pk"]
        verbose_name = _("point d'avancement")
        verbose_name_plural = _("points d'avancement")

    def __str__(self) -> str:
        return self.text[:60]


class AuditEntry(models.Model):
    """Who changed what on a poster or a roadmap, and when: kept read-only for the team.

    The user's name is copied so the trail still reads after an account is removed."""

    class Action(models.TextChoices):
        CREATE = "create", _("Création")
        UPDATE = "update", _("Modification")
        DELETE = "delete", _("Suppression")
        SEAL = "seal", _("Validation (affiche figée)")

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user_label = models.CharField(_("nom de la personne"), max_length=200, blank=True)
    concertation = models.ForeignKey(
        "workshops.Concertation",
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    model = models.CharField(_("objet"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("identifiant"))
    object_repr = models.CharField(_("libellé"), max_length=300)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("champs modifiés (avant, après)"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entrée du journal des modifications")
        verbose_name_plural = _("journal des modifications")
        indexes = [models.Index(fields=["concertation", "roadmap", "-at"], name="auditentry_scope")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.object_repr}"
