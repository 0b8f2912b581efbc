"""The default « Vivre ensemble le service public » method, as tested in Strasbourg.

Created by a data migration, and again after a database flush (post_migrate), so every
installation and every test database has it."""

DEFAULT_NAME = "Vivre ensemble le service public"

PEER_SEQUENCES = [
    (
        "qualities",
        "L'idéal et le chaotique",
        "Imaginez la relation idéale entre agents et usagers : quels mots, quelles qualités "
        "la décrivent ? Puis, à l'inverse, imaginez la relation chaotique et qualifiez-la.",
        45,
        0,
        0,
    ),
    (
        "positioning",
        "Se positionner",
        "Aujourd'hui, où se situe la relation entre agents et usagers, entre la situation "
        "chaotique (0) et la situation idéale (10) ? Placez-vous sur l'échelle.",
        20,
        0,
        0,
    ),
    (
        "proposals",
        "Des actions pour atteindre l'idéal",
        "Proposez des actions simples et concrètes pour se rapprocher de la relation idéale. "
        "Pour chacune, dites qui la porterait : les agents, les usagers ou les deux.",
        55,
        0,
        0,
    ),
]

WORKSHOPS = [
    (1, "agents", "Atelier 1 — panel agents", PEER_SEQUENCES),
    (2, "users", "Atelier 2 — panel usagers", PEER_SEQUENCES),
    (
        3,
        "mixed",
        "Atelier 3 — panel mixte",
        [
            (
                "vote_qualities",
                "Les qualités à promouvoir",
                "Voici les qualités dégagées par les agents et par les usagers. Répartissez vos "
                "points sur celles que nous voulons promouvoir ensemble.",
                45,
                5,
                3,
            ),
            (
                "vote_proposals",
                "Les propositions prioritaires",
                "Voici les propositions des agents et des usagers. Répartissez vos points sur "
                "celles à mettre en œuvre en priorité.",
                60,
                5,
                3,
            ),
            (
                "poster_validation",
                "Valider l'affiche",
                "Voici l'affiche issue de vos choix : les qualités à promouvoir et les "
                "engagements. La validez-vous ?",
                15,
                0,
                0,
            ),
        ],
    ),
]


def create_default_method(MethodTemplate, WorkshopTemplate, SequenceTemplate):
    """Takes the model classes so the data migration can pass its historical models."""
    method = MethodTemplate.objects.create(
        name=DEFAULT_NAME,
        description=(
            "Trois ateliers de deux heures : un panel d'agents, un panel d'usagers, puis un "
            "panel mixte qui choisit les qualités à promouvoir et les propositions prioritaires, "
            "et valide l'affiche."
        ),
        is_default=True,
    )
    for order, panel_kind, title, sequences in WORKSHOPS:
        workshop = WorkshopTemplate.objects.create(
            method=method, order=order, panel_kind=panel_kind, title=title, duration_minutes=120
        )
        for index, (activity, seq_title, prompt, minutes, points, max_points) in enumerate(
            sequences, start=1
        ):
            SequenceTemplate.objects.create(
                workshop_template=workshop,
                order=index,
                activity=activity,
                title=seq_title,
                prompt=prompt,
                planned_minutes=minutes,
                points_per_participant=points,
                max_points_per_item=max_points,
            )
    return method


def ensure_default_method(**kwargs) -> None:
    from workshops.models import MethodTemplate, SequenceTemplate, WorkshopTemplate

    if not MethodTemplate.objects.filter(is_default=True).exists():
        create_default_method(MethodTemplate, WorkshopTemplate, SequenceTemplate)
