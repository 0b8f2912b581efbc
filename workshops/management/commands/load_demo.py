"""French demo data: a territorial concertation modelled on Strasbourg's Maison de Hautepierre."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from panels.models import Panel, Participant
from posters.models import (
    Commitment,
    Poster,
    PosterQuality,
    PosterValidation,
    PosterVersion,
    ProgressNote,
    Roadmap,
    RoadmapAction,
)
from posters.services import content_hash, poster_content
from workshops.models import (
    Activity,
    Attendance,
    BallotItem,
    Concertation,
    Position,
    Proposal,
    Quality,
    Sequence,
    Service,
    Site,
    Vote,
    Workshop,
)
from workshops.roles import FACILITATORS, SERVICE_MANAGERS
from workshops.services import concertation_create, default_method

DEMO_PASSWORD = "demo-vivre-ensemble"
PARIS = ZoneInfo("Europe/Paris")

HAUTEPIERRE_SERVICES = [
    "Centre médico-social",
    "Mairie de quartier",
    "Médiathèque",
    "Direction de proximité",
]

AGENTS = [
    # name, sex, age band, category, job family, mixed volunteer
    ("Nadia B.", "f", "40-54", "B", "administrative", True),
    ("Thierry K.", "m", "55-64", "C", "technical", True),
    ("Sophie L.", "f", "25-39", "A", "administrative", True),
    ("Karim H.", "m", "25-39", "C", "administrative", True),
    ("Martine S.", "f", "55-64", "C", "technical", False),
    ("Julien W.", "m", "40-54", "B", "technical", False),
    ("Aïcha M.", "f", "25-39", "C", "administrative", True),
    ("Élodie R.", "f", "40-54", "A", "administrative", False),
]
USERS = [
    # name, sex, age band, profile, mixed volunteer
    ("Fatima Z.", "f", "40-54", "individual", True),
    ("Bernard G.", "m", "65+", "individual", True),
    ("Léa P.", "f", "u25", "individual", True),
    ("Mamadou D.", "m", "25-39", "association", True),
    ("Christine F.", "f", "55-64", "business", False),
    ("Yasmine A.", "f", "25-39", "individual", True),
    ("Paul N.", "m", "40-54", "association", False),
]

IDEAL = {
    "agents": ["respect", "écoute", "dialogue", "accueil de qualité", "confiance", "patience",
               "sourire", "clarté des informations"],
    "users": ["respect", "écoute", "disponibilité", "accueil chaleureux", "politesse",
              "informations claires", "rapidité", "bienveillance"],
}
CHAOTIC = {
    "agents": ["agressivité", "incivilités", "mépris", "incompréhension", "menaces",
               "impatience"],
    "users": ["attente interminable", "guichet fermé", "mépris", "impolitesse",
              "renvoyé de service en service", "jargon administratif"],
}
PROPOSALS = {
    "agents": [
        ("Prendre plus de temps pour accompagner l'usager dans ses démarches", "agents"),
        ("Afficher clairement les horaires et les pièces à fournir à l'entrée", "agents"),
        ("Respecter le règlement intérieur de la maison", "users"),
        ("Organiser une journée portes ouvertes pour présenter les métiers", "both"),
        ("Se dire bonjour et se présenter à chaque rendez-vous", "both"),
    ],
    "users": [
        ("Prévenir quand on ne peut pas venir à un rendez-vous", "users"),
        ("Orienter vers le bon service sans renvoyer de guichet en guichet", "agents"),
        ("Écrire les courriers en français simple", "agents"),
        ("Être plus poli, de part et d'autre", "both"),
        ("Créer un espace d'attente accueillant pour les enfants", "agents"),
    ],
}
POSITIONS = {"agents": [6, 5, 7, 4, 6, 5, 7, 6], "users": [4, 3, 6, 5, 4, 5, 3]}


class Command(BaseCommand):
    help = "Charge des données de démonstration (Maison de Hautepierre, service funéraire)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Supprime d'abord les démarches existantes."
        )

    @transaction.atomic
    def handle(self, *args, reset: bool = False, **options):
        if reset:
            Concertation.objects.all().delete()
        if Concertation.objects.filter(title__startswith="Vivre ensemble à la Maison").exists():
            self.stdout.write("Les données de démonstration sont déjà chargées.")
            self._print_logins()
            return
        self.rng = random.Random(2015)
        users = self._users()
        hautepierre = self._hautepierre(users)
        self._funeral(users)
        managers = users["manager"]
        managers.managed_services.add(
            *Service.objects.filter(name="Médiathèque", site=hautepierre.site)
        )
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(
            "Comptes de démonstration (mot de passe : "
            f"{DEMO_PASSWORD}) :\n"
            "  animatrice              — animatrice des démarches\n"
            "  responsable.mediatheque — responsable de la médiathèque de Hautepierre\n"
            "  admin                   — administrateur"
        )

    def _users(self) -> dict:
        User = get_user_model()
        facilitators = Group.objects.get(name=FACILITATORS)
        managers = Group.objects.get(name=SERVICE_MANAGERS)

        def user(username: str, first: str, last: str, **extra):
            account, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.fr"}
                | extra,
            )
            if created:
                account.set_password(DEMO_PASSWORD)
                account.save()
            return account

        facilitator = user("animatrice", "Claire", "Muller")
        facilitator.groups.add(facilitators)
        manager = user("responsable.mediatheque", "Marc", "Schneider")
        manager.groups.add(managers)
        user("admin", "Admin", "Démo", is_staff=True, is_superuser=True)
        return {"facilitator": facilitator, "manager": manager}

    def _hautepierre(self, users: dict) -> Concertation:
        site, _ = Site.objects.get_or_create(
            name="Maison de Hautepierre", defaults={"address": "Place André Maurois, Strasbourg"}
        )
        services = [
            Service.objects.get_or_create(name=name, site=site)[0] for name in HAUTEPIERRE_SERVICES
        ]
        concertation = concertation_create(
            title="Vivre ensemble à la Maison de Hautepierre",
            scope=Concertation.Scope.TERRITORIAL,
            site=site,
            services=services,
            method=default_method(),
            facilitators=[users["facilitator"]],
            sponsor="Direction générale adjointe cohésion sociale et développement éducatif "
            "et culturel",
            project_lead="Yves Aubert",
            objectives=(
                "Valoriser le service public comme élément structurant du vivre ensemble.\n"
                "Établir un cadre de référence partagé pour l'usage des services.\n"
                "Valoriser l'image des agents publics auprès des usagers."
            ),
        )
        panels = {panel.kind: panel for panel in concertation.panels.all()}
        agents = Participant.objects.bulk_create(
            [
                Participant(
                    home_panel=panels["agents"], display_name=name, sex=sex, age_band=age,
                    admin_category=category, job_family=family, mixed_volunteer=volunteer,
                    consent_on=date(2026, 9, 1), consent_method="written", consent_contact=True,
                    email=f"agent{i}@example.fr",
                )
                for i, (name, sex, age, category, family, volunteer) in enumerate(AGENTS)
            ]
        )
        users_ = Participant.objects.bulk_create(
            [
                Participant(
                    home_panel=panels["users"], display_name=name, sex=sex, age_band=age,
                    profile=profile, mixed_volunteer=volunteer, consent_on=date(2026, 9, 20),
                    consent_method="written", consent_contact=i % 2 == 0,
                )
                for i, (name, sex, age, profile, volunteer) in enumerate(USERS)
            ]
        )
        mixed = [p for p in agents if p.mixed_volunteer][:4] + [
            p for p in users_ if p.mixed_volunteer
        ][:4]
        Participant.objects.filter(pk__in=[p.pk for p in mixed]).update(in_mixed_panel=True)
        for panel in panels.values():
            panel.target_size = 8
        Panel.objects.bulk_update(panels.values(), ["target_size"])

        workshops = {w.panel.kind: w for w in concertation.workshops.select_related("panel")}
        starts = {
            "agents": datetime(2026, 9, 15, 14, 0, tzinfo=PARIS),
            "users": datetime(2026, 10, 6, 18, 0, tzinfo=PARIS),
            "mixed": datetime(2026, 10, 20, 18, 0, tzinfo=PARIS),
        }
        for kind in ["agents", "users", "mixed"]:
            workshop = workshops[kind]
            workshop.starts_at = starts[kind]
            workshop.place = "Maison de Hautepierre, salle polyvalente"
            workshop.status = Workshop.Status.DONE
            workshop.save()

        proposals_by_text = {}
        for kind, people in [("agents", agents), ("users", users_)]:
            workshop = workshops[kind]
            Attendance.objects.bulk_create(
                [Attendance(workshop=workshop, participant=p) for p in people]
            )
            sequences = self._run_sequences(workshop)
            qualities = [
                Quality(
                    sequence=sequences[Activity.QUALITIES], participant=people[i % len(people)],
                    pole=pole, text=text,
                )
                for pole, words in [("ideal", IDEAL[kind]), ("chaotic", CHAOTIC[kind])]
                for i, text in enumerate(words)
            ]
            for quality in qualities:
                quality.original_text = quality.text
            Quality.objects.bulk_create(qualities)
            Position.objects.bulk_create(
                [
                    Position(sequence=sequences[Activity.POSITIONING], participant=p, value=v)
                    for p, v in zip(people, POSITIONS[kind], strict=False)
                ]
            )
            for i, (text, carrier) in enumerate(PROPOSALS[kind]):
                proposal = Proposal.objects.create(
                    sequence=sequences[Activity.PROPOSALS], participant=people[i],
                    text=text, carried_by=carrier,
                )
                proposals_by_text[text] = proposal
        # A typo fixed by the facilitator: the original words stay traceable.
        typo = Proposal.objects.filter(text__startswith="Écrire les courriers").first()
        typo.original_text = "ecrire les courier en francais simple"
        typo.save()

        mixed_workshop = workshops["mixed"]
        mixed_people = list(Participant.objects.in_panel(panels["mixed"]))
        Attendance.objects.bulk_create(
            [Attendance(workshop=mixed_workshop, participant=p) for p in mixed_people]
        )
        sequences = self._run_sequences(mixed_workshop)
        quality_items = self._quality_ballot(concertation, sequences[Activity.VOTE_QUALITIES])
        proposal_items = self._proposal_ballot(sequences[Activity.VOTE_PROPOSALS])
        for items, sequence in [
            (quality_items, sequences[Activity.VOTE_QUALITIES]),
            (proposal_items, sequences[Activity.VOTE_PROPOSALS]),
        ]:
            self._votes(items, mixed_people, sequence)

        self._poster(concertation, users["facilitator"], mixed_people, sequences)
        concertation.status = Concertation.Status.FOLLOW_UP
        concertation.steering_committee_on = date(2026, 11, 11)
        concertation.steering_committee_decisions = (
            "Le comité de pilotage valide les huit engagements de l'affiche et demande un "
            "premier bilan à six mois. Chaque service désigne un référent."
        )
        concertation.public_followup_enabled = True
        concertation.save()
        return concertation

    def _run_sequences(self, workshop: Workshop) -> dict:
        sequences = {}
        moment = workshop.starts_at
        for sequence in workshop.sequences.order_by("order"):
            sequence.status = Sequence.Status.CLOSED
            sequence.opened_at = moment
            moment = moment + timedelta(minutes=sequence.planned_minutes)
            sequence.closed_at = moment
            sequence.results_revealed = True
            sequence.save()
            sequences[sequence.activity] = sequence
        return sequences

    def _quality_ballot(self, concertation: Concertation, sequence: Sequence) -> list[BallotItem]:
        """Curation: identical words from both panels become one item, keeping every source."""
        by_text: dict[str, list[Quality]] = {}
        for quality in Quality.objects.filter(
            sequence__workshop__concertation=concertation, pole="ideal"
        ):
            by_text.setdefault(quality.text.lower(), []).append(quality)
        items = []
        for order, (text, sources) in enumerate(sorted(by_text.items())):
            item = BallotItem.objects.create(sequence=sequence, order=order, text=text)
            item.source_qualities.set(sources)
            items.append(item)
        return items

    def _proposal_ballot(self, sequence: Sequence) -> list[BallotItem]:
        items = []
        proposals = Proposal.objects.filter(
            sequence__workshop__concertation=sequence.workshop.concertation
        )
        for order, proposal in enumerate(proposals):
            item = BallotItem.objects.create(
                sequence=sequence, order=order, text=proposal.text, carried_by=proposal.carried_by
            )
            item.source_proposals.add(proposal)
            items.append(item)
        return items

    def _votes(self, items: list[BallotItem], people: list, sequence: Sequence) -> None:
        favourites = items[: max(4, len(items) // 2)]
        votes = []
        for person in people:
            budget = sequence.points_per_participant
            chosen = self.rng.sample(favourites, k=min(3, len(favourites)))
            given = {}
            while budget:
                item = self.rng.choice(chosen)
                if given.get(item.pk, 0) < sequence.max_points_per_item:
                    given[item.pk] = given.get(item.pk, 0) + 1
                    budget -= 1
            votes += [
                Vote(ballot_item_id=pk, participant=person, points=points)
                for pk, points in given.items()
            ]
        Vote.objects.bulk_create(votes)

    def _poster(self, concertation, facilitator, people, sequences) -> None:
        poster = Poster.objects.create(concertation=concertation)
        version = PosterVersion.objects.create(
            poster=poster,
            number=1,
            heading="Vivre ensemble à la Maison de Hautepierre",
            scope_label="Maison de Hautepierre",
            held_on=date(2026, 10, 20),
            participants_count=len(people),
        )
        PosterQuality.objects.bulk_create(
            [
                PosterQuality(version=version, order=i, text=text)
                for i, text in enumerate(["respect", "dialogue", "accueil de qualité", "écoute"])
            ]
        )
        commitments = [
            ("agents", "prendre plus de temps pour accompagner l'usager",
             "Prendre plus de temps pour accompagner l'usager dans ses démarches"),
            ("agents", "orienter vers le bon service, sans renvoyer de guichet en guichet",
             "Orienter vers le bon service sans renvoyer de guichet en guichet"),
            ("agents", "écrire les courriers en français simple",
             "Écrire les courriers en français simple"),
            ("users", "respecter le règlement intérieur de la maison",
             "Respecter le règlement intérieur de la maison"),
            ("users", "prévenir quand ils ne peuvent pas venir à un rendez-vous",
             "Prévenir quand on ne peut pas venir à un rendez-vous"),
            ("both", "plus de politesse, de part et d'autre",
             "Être plus poli, de part et d'autre"),
            ("both", "se dire bonjour et se présenter à chaque rendez-vous",
             "Se dire bonjour et se présenter à chaque rendez-vous"),
        ]
        created = []
        for order, (party, text, source) in enumerate(commitments):
            commitment = Commitment.objects.create(
                version=version, party=party, order=order, text=text
            )
            commitment.source_proposals.set(Proposal.objects.filter(text=source))
            created.append(commitment)
        PosterValidation.objects.bulk_create(
            [PosterValidation(version=version, participant=p, approves=True) for p in people]
        )
        # Sealed like poster_seal does, except that the PDFs and the PNG are rendered on the
        # first download (then stored), to keep the demo quick to load.
        content = poster_content(version)
        version.content = content
        version.content_hash = content_hash(content)
        version.status = PosterVersion.Status.VALIDATED
        version.validation_method = PosterVersion.ValidationMethod.TABLETS
        version.validated_at = datetime(2026, 10, 20, 19, 50, tzinfo=PARIS)
        version.validated_by = facilitator
        version.approvals = len(people)
        version.save()

        owners = {
            "Centre médico-social": "Responsable du CMS",
            "Mairie de quartier": "Cheffe de la mairie de quartier",
            "Médiathèque": "Marc Schneider",
            "Direction de proximité": "Chargé de mission proximité",
        }
        statuses = [
            RoadmapAction.Status.DONE,
            RoadmapAction.Status.DOING,
            RoadmapAction.Status.TODO,
        ]
        for service in concertation.services.all():
            roadmap = Roadmap.objects.create(concertation=concertation, service=service)
            for i, commitment in enumerate(created[:3] + created[5:]):
                action = RoadmapAction.objects.create(
                    roadmap=roadmap,
                    commitment=commitment,
                    title=commitment.text[0].upper() + commitment.text[1:],
                    owner=owners[service.name],
                    due_on=date(2026, 11, 1) + timedelta(days=45 * i),
                    status=statuses[i % 3],
                )
                if action.status != RoadmapAction.Status.TODO:
                    ProgressNote.objects.create(
                        action=action,
                        author=facilitator,
                        written_on=date(2026, 11, 15),
                        text="Point fait en réunion de service ; l'équipe s'est organisée.",
                    )

    def _funeral(self, users: dict) -> Concertation:
        service, _ = Service.objects.get_or_create(name="Service funéraire", site=None)
        concertation = concertation_create(
            title="Vivre ensemble au service funéraire",
            scope=Concertation.Scope.THEMATIC,
            services=[service],
            method=default_method(),
            facilitators=[users["facilitator"]],
            sponsor="Direction de la population",
            project_lead="Aude Fournier",
            objectives="Améliorer l'accueil des familles endeuillées.",
        )
        concertation.status = Concertation.Status.RECRUITING
        concertation.save()
        agents_panel = concertation.panels.get(kind="agents")
        Participant.objects.bulk_create(
            [
                Participant(
                    home_panel=agents_panel, display_name=name, sex=sex, age_band=age,
                    admin_category=category, job_family=family, mixed_volunteer=volunteer,
                    consent_on=date(2026, 11, 2), consent_method="oral",
                )
                for name, sex, age, category, family, volunteer in [
                    ("Gérard V.", "m", "55-64", "C", "technical", True),
                    ("Isabelle C.", "f", "40-54", "B", "administrative", True),
                    ("Hugo M.", "m", "25-39", "C", "technical", False),
                ]
            ]
        )
        first = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
        workshop = concertation.workshops.get(order=1)
        workshop.starts_at = first + timedelta(days=10)
        workshop.place = "Centre funéraire, salle de réunion"
        workshop.save()
        return concertation
