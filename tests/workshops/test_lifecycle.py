"""The end of a concertation: what is left to do after the workshops, closing (which starts the
retention period of personal data), reopening; and the stages the method's steps move it to."""

import html
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone

from panels.models import Participant
from panels.rgpd import personal_data_purge, purge_day
from posters.models import AuditEntry, Poster, PosterVersion, Roadmap, RoadmapAction
from tests import factories
from tests.workshops import live_data
from workshops import services
from workshops.models import Activity, Concertation, Workshop

pytestmark = pytest.mark.django_db
PASSWORD = "demo-vivre-ensemble"


@pytest.fixture
def hautepierre(settings, tmp_path) -> Concertation:
    """The demo's finished concertation: poster validated, four roadmaps, steering committee held."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)
    return Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")


def page(client, concertation) -> str:
    """The concertation page as its reader sees the text (entities such as &#x27; decoded)."""
    response = client.get(reverse("workshops:concertation", args=[concertation.pk]))
    return html.unescape(response.content.decode())


def steps(client, concertation) -> str:
    """The « À faire maintenant » box of the concertation page, as text."""
    html = page(client, concertation)
    return html.split('id="a-faire"', 1)[1].split("</section>", 1)[0]


def actions(concertation):
    return RoadmapAction.objects.filter(roadmap__concertation=concertation)


def none_late(concertation) -> None:
    """The demo's due dates are fixed days: whatever today is, none of its actions is late."""
    actions(concertation).update(due_on=timezone.localdate() + timedelta(days=30))


def test_after_the_workshops_the_steps_lead_from_the_poster_to_closing(client, hautepierre):
    assert client.login(username="animatrice", password=PASSWORD)
    none_late(hautepierre)
    open_ = actions(hautepierre).filter(status__in=["todo", "doing"])
    assert "Rien d'urgent : les feuilles de route sont à jour" in steps(client, hautepierre)

    first, last = open_.first(), open_.last()
    RoadmapAction.objects.filter(pk=first.pk).update(owner="")
    RoadmapAction.objects.filter(pk=last.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    # A done action without an owner is no longer anyone's to do.
    actions(hautepierre).filter(status="done").update(owner="")
    Concertation.objects.filter(pk=hautepierre.pk).update(
        steering_committee_on=None, public_followup_enabled=False
    )
    box = steps(client, hautepierre)
    assert "Présenter les résultats au comité de pilotage" in box
    assert "1 action n'a pas encore de responsable ou d'échéance." in box
    assert "1 action a dépassé son échéance." in box
    assert "Ouvrir la page de suivi publique" in box
    assert reverse("posters:roadmaps", args=[hautepierre.pk]) in box
    assert "peut être clôturée" not in box

    actions(hautepierre).update(status=RoadmapAction.Status.DONE)
    box = steps(client, hautepierre)
    assert "Toutes les actions sont faites ou abandonnées : la démarche peut être clôturée." in box
    assert reverse("workshops:concertation_close", args=[hautepierre.pk]) in box

    Roadmap.objects.filter(concertation=hautepierre).delete()
    assert "créer la feuille de route de chaque service" in steps(client, hautepierre)
    hautepierre.poster.versions.update(status="draft")
    assert "finaliser l'affiche et enregistrer sa validation" in steps(client, hautepierre)


def test_closing_starts_the_retention_period_and_says_when_data_go(client, hautepierre, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    assert client.login(username="animatrice", password=PASSWORD)
    url = reverse("workshops:concertation_close", args=[hautepierre.pk])
    purge_on = timezone.localdate() + timedelta(days=30)
    day = formats.date_format(purge_on, "j F Y")  # French: the tests start in French
    people = Participant.objects.filter(home_panel__concertation=hautepierre).count()
    confirmation = html.unescape(client.get(url).content.decode())
    assert f"Les données personnelles des {people} participant·es" in confirmation
    assert f"effacées à partir du {day}, 30 jours après la clôture" in confirmation
    assert "actions des feuilles de route sont encore à faire ou en cours" in confirmation

    response = client.post(url, follow=True)
    hautepierre.refresh_from_db()
    assert hautepierre.status == Concertation.Status.CLOSED and hautepierre.closed_at is not None
    shown = html.unescape(response.content.decode())
    assert f"seront effacées à partir du {day}" in shown
    assert "Rouvrir la démarche" in shown and "Clôturer la démarche…" not in shown
    entry = AuditEntry.objects.get(
        concertation=hautepierre, model="concertation", changes__status=["follow_up", "closed"]
    )
    assert entry.user_label and entry.changes["closed_at"][0] is None

    # The purge command takes it from here: nothing before the period is over, everything after.
    assert personal_data_purge(now=timezone.now() + timedelta(days=29)).participants == 0
    over = hautepierre.closed_at + timedelta(days=30, seconds=1)
    assert personal_data_purge(now=over).participants == people
    assert not Participant.objects.filter(
        home_panel__concertation=hautepierre, erased_at__isnull=True
    ).exists()


def test_reopening_goes_back_to_the_stage_the_data_show_and_stops_the_clock(client, hautepierre):
    assert client.login(username="animatrice", password=PASSWORD)
    client.post(reverse("workshops:concertation_close", args=[hautepierre.pk]))
    response = client.post(reverse("workshops:concertation_reopen", args=[hautepierre.pk]), follow=True)
    hautepierre.refresh_from_db()
    assert (hautepierre.status, hautepierre.closed_at) == (Concertation.Status.FOLLOW_UP, None)
    assert "La démarche est rouverte, à l'étape « Feuille de route en suivi »" in html.unescape(
        response.content.decode()
    )
    assert personal_data_purge(now=timezone.now() + timedelta(days=3650)).participants == 0


@pytest.mark.parametrize(
    ("setup", "stage"),
    [
        ("nothing", Concertation.Status.DRAFT),
        ("people", Concertation.Status.RECRUITING),
        ("workshop", Concertation.Status.WORKSHOPS),
        ("poster", Concertation.Status.POSTER_VALIDATED),
    ],
)
def test_a_reopened_concertation_resumes_where_its_data_stand(concertation, facilitator, setup, stage):
    if setup in ("people", "workshop"):
        factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    if setup in ("workshop", "poster"):
        concertation.workshops.filter(order=1).update(status=Workshop.Status.DONE)
    if setup == "poster":
        poster = Poster.objects.create(concertation=concertation)
        PosterVersion.objects.create(
            poster=poster, number=1, heading="Affiche", status="validated", validated_at=timezone.now(),
            content_hash="0" * 64,
        )
    services.concertation_close(concertation=concertation, by=facilitator)
    reopened = services.concertation_reopen(concertation=concertation, by=facilitator)
    assert reopened.status == stage


def test_closing_is_refused_while_a_workshop_is_live(client, concertation, facilitator):
    workshop = live_data.workshop(concertation, 1)
    services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    client.force_login(facilitator)
    url = reverse("workshops:concertation_close", args=[concertation.pk])
    confirmation = html.unescape(client.get(url).content.decode())
    assert "terminez-le depuis sa console avant de clôturer" in confirmation
    assert 'class="danger"' not in confirmation  # no button to close
    response = client.post(url, follow=True)
    assert "terminez-le depuis sa console avant de clôturer la démarche" in html.unescape(
        response.content.decode()
    )
    concertation.refresh_from_db()
    assert concertation.status != Concertation.Status.CLOSED and concertation.closed_at is None


def test_a_workshop_going_live_moves_the_concertation_on_and_a_closed_one_cannot(
    concertation, facilitator
):
    Concertation.objects.filter(pk=concertation.pk).update(status=Concertation.Status.RECRUITING)
    workshop = live_data.workshop(concertation, 1)
    services.sequence_open(sequence=live_data.sequence(workshop, Activity.QUALITIES))
    concertation.refresh_from_db()
    assert concertation.status == Concertation.Status.WORKSHOPS
    services.workshop_finish(workshop=workshop)

    services.concertation_close(concertation=concertation, by=facilitator)
    second = live_data.workshop(concertation, 2)
    with pytest.raises(services.LiveError, match="La démarche est clôturée : rouvrez-la"):
        services.sequence_open(sequence=live_data.sequence(second, Activity.QUALITIES))
    second.refresh_from_db()
    assert second.status == Workshop.Status.PLANNED


def test_only_the_team_closes_or_reopens(client, concertation, other_facilitator):
    close = reverse("workshops:concertation_close", args=[concertation.pk])
    reopen = reverse("workshops:concertation_reopen", args=[concertation.pk])
    anonymous = client.post(close)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    manager = factories.service_manager(concertation.services.first(), username="responsable.fin")
    for user in (other_facilitator, manager):
        client.force_login(user)
        assert client.get(close).status_code == 404
        assert client.post(close).status_code == 404
        assert client.post(reopen).status_code == 404
    assert client.get(reopen).status_code == 405  # a logged-in user learns only that it wants a POST
    concertation.refresh_from_db()
    assert concertation.status != Concertation.Status.CLOSED


def test_an_administrator_may_close(client, concertation):
    client.force_login(factories.UserFactory(username="admin.fin", is_superuser=True, is_staff=True))
    client.post(reverse("workshops:concertation_close", args=[concertation.pk]))
    concertation.refresh_from_db()
    assert concertation.status == Concertation.Status.CLOSED


def test_reopen_needs_a_post(client, concertation, facilitator):
    services.concertation_close(concertation=concertation, by=facilitator)
    client.force_login(facilitator)
    assert client.get(reverse("workshops:concertation_reopen", args=[concertation.pk])).status_code == 405
    concertation.refresh_from_db()
    assert concertation.status == Concertation.Status.CLOSED


@pytest.mark.parametrize("size", [2, 20])
def test_finished_concertation_page_query_count_does_not_grow(
    client, hautepierre, django_assert_num_queries, size
):
    none_late(hautepierre)
    roadmap = Roadmap.objects.filter(concertation=hautepierre).first()
    RoadmapAction.objects.bulk_create(
        RoadmapAction(roadmap=roadmap, title=f"Action {n}", due_on=timezone.localdate() - timedelta(days=1))
        for n in range(size)
    )
    assert client.login(username="animatrice", password=PASSWORD)
    page(client, hautepierre)
    # session, user, user and group permissions (nav), concertation, can_lead check, panels with
    # counts, mixed panel count, workshops with minutes, sequences, validated poster (latest),
    # roadmaps (count), their actions (one aggregate), services
    with django_assert_num_queries(14):
        box = steps(client, hautepierre)
    assert f"{size} actions ont dépassé leur échéance." in box


def test_home_shows_the_next_workshop_and_overdue_actions(client, hautepierre):
    assert client.login(username="animatrice", password=PASSWORD)
    none_late(hautepierre)
    late = actions(hautepierre).first()
    RoadmapAction.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=1), status=RoadmapAction.Status.TODO
    )
    funeral = Concertation.objects.get(title="Vivre ensemble au service funéraire")
    upcoming = funeral.workshops.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
    home = html.unescape(client.get(reverse("workshops:home")).content.decode())
    assert "1 action en retard dans les feuilles de route" in home
    assert f"Prochain atelier : {upcoming.title}" in home


def test_the_close_page_reads_in_english_on_request(client, concertation, facilitator, settings):
    factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    client.force_login(facilitator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("workshops:concertation_close", args=[concertation.pk]))
    shown = html.unescape(response.content.decode())
    assert '<html lang="en">' in shown and "What closing changes" in shown
    assert "days after closing" in shown and "Close the consultation process" in shown


def test_the_public_follow_up_page_says_the_concertation_is_closed(client, hautepierre):
    public = reverse("posters:public", args=[hautepierre.public_token])
    assert "La démarche a été clôturée" not in html.unescape(client.get(public).content.decode())
    services.concertation_close(concertation=hautepierre, by=None)
    day = formats.date_format(timezone.localdate(), "j F Y")
    shown = html.unescape(client.get(public).content.decode())
    assert f"La démarche a été clôturée le {day} : voici où en étaient ses engagements." in shown


def test_the_purge_day_is_counted_in_calendar_days_across_a_change_of_time(settings, concertation):
    """Closed at 23:30 in Paris the day before clocks go forward: erased from the day the page
    announced, not an hour early or a day late."""
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    closed_at = datetime(2027, 3, 27, 23, 30, tzinfo=paris)
    Concertation.objects.filter(pk=concertation.pk).update(status="closed", closed_at=closed_at)
    factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    assert purge_day(closed_at) == date(2027, 4, 26)
    eve = datetime(2027, 4, 25, 23, 59, tzinfo=paris)
    assert personal_data_purge(now=eve, dry_run=True).participants == 0
    assert personal_data_purge(now=datetime(2027, 4, 26, 0, 1, tzinfo=paris)).participants == 1


def test_a_concertation_closed_from_the_admin_without_a_date_can_start_its_retention(
    client, concertation, facilitator
):
    Concertation.objects.filter(pk=concertation.pk).update(status="closed", closed_at=None)
    factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    client.force_login(facilitator)
    assert "aucun effacement des données personnelles n'est prévu" in page(client, concertation)
    assert personal_data_purge(now=timezone.now() + timedelta(days=3650)).participants == 0
    client.post(reverse("workshops:concertation_close", args=[concertation.pk]))
    concertation.refresh_from_db()
    assert concertation.status == Concertation.Status.CLOSED and concertation.closed_at is not None
    assert "seront effacées à partir du" in page(client, concertation)


def test_once_the_data_are_erased_the_pages_say_so(client, concertation, facilitator, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 1
    factories.ParticipantFactory(home_panel=factories.panel(concertation, "agents"))
    services.concertation_close(concertation=concertation, by=facilitator)
    concertation.refresh_from_db()
    client.force_login(facilitator)
    assert "seront effacées à partir du" in page(client, concertation)
    personal_data_purge(now=concertation.closed_at + timedelta(days=2))
    shown = page(client, concertation)
    assert "les données personnelles des participant·es ont été effacées" in shown
    assert "seront effacées" not in shown
    reopened = client.post(reverse("workshops:concertation_reopen", args=[concertation.pk]), follow=True)
    message = html.unescape(reopened.content.decode())
    assert "La démarche est rouverte, à l'étape « Recrutement des panels »." in message
    assert "ne seront effacées" not in message
    close = reverse("workshops:concertation_close", args=[concertation.pk])
    closing = html.unescape(client.get(close).content.decode())
    assert "Aucune donnée personnelle de participant·e n'est plus conservée." in closing
    assert "seront effacées" not in closing


def test_a_closed_concertation_takes_no_new_participant(client, concertation, facilitator):
    services.concertation_close(concertation=concertation, by=facilitator)
    panel = factories.panel(concertation, "agents")
    client.force_login(facilitator)
    for url, data in [
        (reverse("panels:participant_add", args=[panel.pk]), {"display_name": "Nouvelle personne"}),
        (reverse("panels:import", args=[panel.pk]), {"text": "Nom\nNouvelle personne", "action": "confirm"}),
    ]:
        response = client.post(url, data, follow=True)
        assert "La démarche est clôturée : rouvrez-la depuis sa page pour compléter ses panels." in (
            html.unescape(response.content.decode())
        )
    assert not panel.participants.exists()


def test_roadmaps_without_actions_ask_for_them(client, hautepierre):
    assert client.login(username="animatrice", password=PASSWORD)
    actions(hautepierre).delete()
    box = steps(client, hautepierre)
    assert "Les feuilles de route n'ont encore aucune action" in box
    assert "Rien d'urgent" not in box


def test_home_leaves_closed_concertations_quiet(client, hautepierre):
    assert client.login(username="animatrice", password=PASSWORD)
    funeral = Concertation.objects.get(title="Vivre ensemble au service funéraire")
    RoadmapAction.objects.filter(pk=actions(hautepierre).first().pk).update(
        due_on=timezone.localdate() - timedelta(days=1), status=RoadmapAction.Status.TODO
    )
    for concertation in (hautepierre, funeral):
        services.concertation_close(concertation=concertation, by=None)
    home = html.unescape(client.get(reverse("workshops:home")).content.decode())
    assert "Prochain atelier" not in home and "en retard" not in home
