"""The method as data: concertations, method templates, workshops, sequences and contributions."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """Short, unambiguous (no O/0, I/1), easy to type on a tablet, hard to guess."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_public_token() -> str:
    return secrets.token_urlsafe(24)


class PanelKind(models.TextChoices):
    AGENTS = "agents", _("Agents")
    USERS = "users", _("Usagers")
    MIXED = "mixed", _("Mixte")


class Site(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("équipement / site")
        verbose_name_plural = _("équipements / sites")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    site = models.ForeignKey(
        Site,
        verbose_name=_("équipement / site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsables du service"),
        blank=True,
        related_name="managed_services",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["name", "site"], name="service_unique_name_per_site"),
        ]

    def __str__(self) -> str:
        return self.name


class MethodTemplate(models.Model):
    """A reusable method: workshops, sequences, prompts, durations and vote rules as data."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("modèle par défaut"), default=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copié de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("modèle de méthode")
        verbose_name_plural = _("modèles de méthode")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="methodtemplate_single_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkshopTemplate(models.Model):
    method = models.ForeignKey(
        MethodTemplate,
        verbose_name=_("modèle de méthode"),
        on_delete=models.CASCADE,
        related_name="workshop_templates",
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    panel_kind = models.CharField(_("panel"), max_length=10, choices=PanelKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)

    class Meta:
        ordering = ["method", "order"]
        verbose_name = _("modèle d'atelier")
        verbose_name_plural = _("modèles d'atelier")
        constraints = [
            models.UniqueConstraint(fields=["method", "order"], name="workshoptemplate_order"),
            models.UniqueConstraint(fields=["method", "panel_kind"], name="workshoptemplate_panel"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="workshoptemplate_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.TextChoices):
    QUALITIES = "qualities", _("Qualités de la relation idéale et chaotique")
    POSITIONING = "positioning", _("Positionnement")
    PROPOSALS = "proposals", _("Propositions d'actions")
    VOTE_QUALITIES = "vote_qualities", _("Vote sur les qualités à promouvoir")
    VOTE_PROPOSALS = "vote_proposals", _("Vote sur les propositions prioritaires")
    POSTER_VALIDATION = "poster_validation", _("Validation de l'affiche")
    DISCUSSION = "discussion", _("Temps d'échange (accueil, clôture)")

    @classmethod
    def voting(cls) -> set[str]:
        return {cls.VOTE_QUALITIES, cls.VOTE_PROPOSALS}


class SequenceTemplate(models.Model):
    workshop_template = models.ForeignKey(
        WorkshopTemplate,
        verbose_name=_("modèle d'atelier"),
        on_delete=models.CASCADE,
        related_name="sequence_templates",
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    activity = models.CharField(_("activité"), max_length=20, choices=Activity.choices)
    title = models.CharField(_("titre"), max_length=200)
    prompt = models.TextField(_("consigne"))
    planned_minutes = models.PositiveSmallIntegerField(_("durée prévue (minutes)"))
    points_per_participant = models.PositiveSmallIntegerField(
        _("points par participant·e"),
        default=0,
        help_text=_("Pour les votes : nombre de points que chacun·e répartit."),
    )
    max_points_per_item = models.PositiveSmallIntegerField(
        _("points maximum par élément"),
        default=0,
        help_text=_("Pour les votes : 0 = sans limite par élément."),
    )

    class Meta:
        ordering = ["workshop_template", "order"]
        verbose_name = _("modèle de séquence")
        verbose_name_plural = _("modèles de séquence")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop_template", "order"], name="sequencetemplate_order"
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=1), name="sequencetemplate_minutes_positive"
            ),
            models.CheckConstraint(
                condition=~Q(activity__in=["vote_qualities", "vote_proposals"])
                | Q(points_per_participant__gte=1),
                name="sequencetemplate_vote_has_points",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConcertationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConcertationQuerySet":
        """Facilitators see their team's concertations, managers those covering their services."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(facilitators=user) | Q(services__managers=user)
        ).distinct()

    def led_by(self, user) -> "ConcertationQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(facilitators=user)

    def with_outlook(self) -> "ConcertationQuerySet":
        """Each with its next planned workshop (``next_workshop_at``, ``next_workshop_title``) and
        its overdue roadmap actions (``overdue_actions``); nothing of the kind for a closed one,
        where no workshop can start and no action is followed up any more."""
        from posters.models import RoadmapAction

        upcoming = Workshop.objects.filter(
            concertation=OuterRef("pk"), status=Workshop.Status.PLANNED, starts_at__gte=timezone.now()
        ).exclude(concertation__status=Concertation.Status.CLOSED).order_by("starts_at", "pk")
        overdue = (
            RoadmapAction.objects.overdue()
            .filter(roadmap__concertation=OuterRef("pk"))
            .exclude(roadmap__concertation__status=Concertation.Status.CLOSED)
            .order_by().values("roadmap__concertation").annotate(n=Count("pk")).values("n")
        )
        return self.annotate(
            next_workshop_at=Subquery(upcoming.values("starts_at")[:1]),
            next_workshop_title=Subquery(upcoming.values("title")[:1]),
            overdue_actions=Coalesce(Subquery(overdue), 0),
        )


class Concertation(models.Model):
    class Scope(models.TextChoices):
        THEMATIC = "thematic", _("Thématique (un service)")
        TERRITORIAL = "territorial", _("Territoriale (un site et ses services)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        RECRUITING = "recruiting", _("Recrutement des panels")
        WORKSHOPS = "workshops", _("Ateliers en cours")
        POSTER_VALIDATED = "poster_validated", _("Affiche validée")
        FOLLOW_UP = "follow_up", _("Feuille de route en suivi")
        CLOSED = "closed", _("Clôturée")

    title = models.CharField(_("titre"), max_length=200)
    scope = models.CharField(_("périmètre"), max_length=12, choices=Scope.choices)
    site = models.ForeignKey(
        Site,
        verbose_name=_("équipement / site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concertations",
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services concernés"), related_name="concertations"
    )
    sponsor = models.CharField(_("commanditaire"), max_length=200, blank=True)
    project_lead = models.CharField(_("responsable du projet"), max_length=200, blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    status = models.CharField(
        _("étape"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    method = models.ForeignKey(
        MethodTemplate,
        verbose_name=_("modèle de méthode"),
        on_delete=models.PROTECT,
        related_name="concertations",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("équipe d'animation"),
        blank=True,
        related_name="facilitated_concertations",
    )
    steering_committee_on = models.DateField(_("date du comité de pilotage"), null=True, blank=True)
    steering_committee_decisions = models.TextField(
        _("décisions du comité de pilotage"), blank=True
    )
    public_followup_enabled = models.BooleanField(_("page de suivi publique"), default=False)
    public_token = models.CharField(max_length=64, unique=True, default=new_public_token)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    objects = ConcertationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("démarche de concertation")
        verbose_name_plural = _("démarches de concertation")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="thematic") | Q(site__isnull=False),
                name="concertation_territorial_has_site",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WorkshopQuerySet(models.QuerySet):
    def upcoming(self) -> "WorkshopQuerySet":
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")


class Workshop(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévu")
        LIVE = "live", _("En cours")
        DONE = "done", _("Terminé")

    concertation = models.ForeignKey(
        Concertation,
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="workshops",
    )
    panel = models.OneToOneField(
        "panels.Panel", verbose_name=_("panel"), on_delete=models.RESTRICT, related_name="workshop"
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    join_code = models.CharField(
        _("code de connexion"), max_length=12, unique=True, default=new_join_code
    )
    # The projection's address for the room's computer, which nobody logs in on: unguessable,
    # renewable from the console (the old address stops at once).
    screen_token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    current_sequence = models.ForeignKey(
        "Sequence",
        verbose_name=_("séquence en cours"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    live_started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    state_version = models.PositiveIntegerField(
        _("version de l'état (animation)"),
        default=0,
        help_text=_("Augmente à chaque geste de l'animation : les tablettes suivent sans recharger."),
    )
    content_version = models.PositiveIntegerField(
        _("version des contributions"),
        default=0,
        help_text=_("Augmente à chaque contribution : la projection se met à jour."),
    )

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["concertation", "order"]
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")
        constraints = [
            models.UniqueConstraint(fields=["concertation", "order"], name="workshop_order"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="workshop_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        if self.starts_at is None:
            return None
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)


class Pole(models.TextChoices):
    IDEAL = "ideal", _("Relation idéale")
    CHAOTIC = "chaotic", _("Relation chaotique")


class Sequence(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("À venir")
        OPEN = "open", _("Ouverte")
        PAUSED = "paused", _("En pause")
        CLOSED = "closed", _("Close")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("atelier"), on_delete=models.CASCADE, related_name="sequences"
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    activity = models.CharField(_("activité"), max_length=20, choices=Activity.choices)
    title = models.CharField(_("titre"), max_length=200)
    prompt = models.TextField(_("consigne"))
    planned_minutes = models.PositiveSmallIntegerField(_("durée prévue (minutes)"))
    points_per_participant = models.PositiveSmallIntegerField(
        _("points par participant·e"), default=0
    )
    max_points_per_item = models.PositiveSmallIntegerField(
        _("points maximum par élément"), default=0
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    results_revealed = models.BooleanField(_("résultats dévoilés"), default=False)
    elapsed_seconds = models.PositiveIntegerField(
        _("temps écoulé avant la dernière reprise (secondes)"), default=0
    )
    running_since = models.DateTimeField(_("en cours depuis"), null=True, blank=True)
    pole = models.CharField(
        _("pôle affiché sur les tablettes"), max_length=10, choices=Pole.choices, blank=True
    )

    class Meta:
        ordering = ["workshop", "order"]
        verbose_name = _("séquence")
        verbose_name_plural = _("séquences")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "order"], name="sequence_order"),
            models.UniqueConstraint(
                fields=["workshop"],
                condition=Q(status__in=["open", "paused"]),
                name="sequence_one_live_per_workshop",
            ),
            models.CheckConstraint(
                condition=Q(running_since__isnull=True) | Q(status="open"),
                name="sequence_runs_only_when_open",
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=1), name="sequence_minutes_positive"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(opened_at__isnull=False) & Q(closed_at__gte=models.F("opened_at"))),
                name="sequence_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def elapsed(self, now=None) -> int:
        """Seconds the sequence has run, pauses excluded, from DB timestamps (any server agrees)."""
        running = 0
        if self.running_since is not None:
            running = max(0, int(((now or timezone.now()) - self.running_since).total_seconds()))
        return self.elapsed_seconds + running

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_vote(self) -> bool:
        return self.activity in Activity.voting()


class Attendance(models.Model):
    """One participant present in one workshop, on a device identified by an unguessable token.

    A walk-in (not on the panel list) waits with only a first name until the facilitator admits
    them; the row is also what serialises one participant's submissions (SELECT … FOR UPDATE)."""

    class Mode(models.TextChoices):
        TABLET = "tablet", _("Sa propre tablette")
        SHARED = "shared", _("Tablette partagée")
        PAPER = "paper", _("Sur papier (saisi par l'animation)")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("atelier"), on_delete=models.CASCADE, related_name="attendances"
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendances",
    )
    walk_in_name = models.CharField(_("prénom donné à l'arrivée"), max_length=100, blank=True)
    mode = models.CharField(_("participe"), max_length=10, choices=Mode.choices, default=Mode.TABLET)
    token = models.CharField(max_length=64, unique=True, default=new_public_token)
    joined_at = models.DateTimeField(_("arrivé·e le"), default=timezone.now)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "participant"], name="attendance_once_per_workshop"
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | ~Q(walk_in_name=""),
                name="attendance_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant or self.walk_in_name} @ {self.workshop}"

    @property
    def admitted(self) -> bool:
        return self.participant_id is not None


class Submission(models.Model):
    """The idempotency key of one tablet (or paper) submission: a double tap or a request
    retried after lost Wi-Fi carries the same key and is applied once, never twice."""

    key = models.CharField(_("clé"), max_length=64, unique=True)
    attendance = models.ForeignKey(
        Attendance, verbose_name=_("présence"), on_delete=models.CASCADE, related_name="submissions"
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")

    def __str__(self) -> str:
        return self.key


class Contribution(models.Model):
    """Shared shape of words a participant brings; the original wording is never overwritten."""

    text = models.CharField(_("texte"), max_length=300)
    original_text = models.CharField(_("texte d'origine"), max_length=300, editable=False)
    hidden = models.BooleanField(_("masqué"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )
    entered_by_facilitator = models.BooleanField(_("saisi par l'animation"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        if not self.original_text:
            self.original_text = self.text
        super().save(*args, **kwargs)


class QualityQuerySet(models.QuerySet):
    def visible(self) -> "QualityQuerySet":
        return self.filter(hidden=False, merged_into__isnull=True)


class Quality(Contribution):
    Pole = Pole

    sequence = models.ForeignKey(
        Sequence, verbose_name=_("séquence"), on_delete=models.CASCADE, related_name="qualities"
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qualities",
    )
    pole = models.CharField(_("pôle"), max_length=10, choices=Pole.choices)

    objects = QualityQuerySet.as_manager()

    class Meta(Contribution.Meta):
        verbose_name = _("qualité")
        verbose_name_plural = _("qualités")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="quality_text_not_empty"),
        ]


class Position(models.Model):
    """Where one participant places today's relationship: 0 = chaotic, 10 = ideal."""

    MIN = 0
    MAX = 10

    sequence = models.ForeignKey(
        Sequence, verbose_name=_("séquence"), on_delete=models.CASCADE, related_name="positions"
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    value = models.PositiveSmallIntegerField(_("positionnement (0 chaotique – 10 idéal)"))
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("positionnement")
        verbose_name_plural = _("positionnements")
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "participant"], name="position_once_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=10), name="position_value_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.value}/10"


class Carrier(models.TextChoices):
    AGENTS = "agents", _("Les agents")
    USERS = "users", _("Les usagers")
    BOTH = "both", _("Les deux")


class ProposalQuerySet(models.QuerySet):
    def visible(self) -> "ProposalQuerySet":
        return self.filter(hidden=False, merged_into__isnull=True)


class Proposal(Contribution):
    sequence = models.ForeignKey(
        Sequence, verbose_name=_("séquence"), on_delete=models.CASCADE, related_name="proposals"
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    carried_by = models.CharField(_("portée par"), max_length=10, choices=Carrier.choices)

    objects = ProposalQuerySet.as_manager()

    class Meta(Contribution.Meta):
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="proposal_text_not_empty"),
        ]


class BallotItem(models.Model):
    """An item put to the vote in the mixed workshop, curated from workshops 1 and 2."""

    sequence = models.ForeignKey(
        Sequence, verbose_name=_("séquence de vote"), on_delete=models.CASCADE,
        related_name="ballot_items",
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    text = models.CharField(_("texte soumis au vote"), max_length=300)
    carried_by = models.CharField(
        _("portée par"), max_length=10, choices=Carrier.choices, blank=True
    )
    source_qualities = models.ManyToManyField(
        Quality, verbose_name=_("qualités d'origine"), blank=True, related_name="ballot_items"
    )
    source_proposals = models.ManyToManyField(
        Proposal, verbose_name=_("propositions d'origine"), blank=True, related_name="ballot_items"
    )

    class Meta:
        ordering = ["sequence", "order", "pk"]
        verbose_name = _("élément soumis au vote")
        verbose_name_plural = _("éléments soumis au vote")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="ballotitem_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class Vote(models.Model):
    ballot_item = models.ForeignKey(
        BallotItem, verbose_name=_("élément"), on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.ForeignKey(
        "panels.Participant",
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    points = models.PositiveSmallIntegerField(_("points"))
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot_item", "participant"], name="vote_once_per_item"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="vote_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.ballot_item}: {self.points}"


class CalendarFeedKey(models.Model):
    """Which generation of calendar subscription address is valid for a user.

    Only created on the first renewal: a user without a row is at generation 0, so the addresses
    issued before renewal existed keep working until their owner renews."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur·rice"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_key",
    )
    generation = models.PositiveIntegerField(_("génération"), default=0)
    renewed_at = models.DateTimeField(_("renouvelée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse d'abonnement au calendrier")
        verbose_name_plural = _("adresses d'abonnement au calendrier")

    def __str__(self) -> str:
        return f"{self.user} — {self.generation}"
