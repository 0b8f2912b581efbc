from django.urls import path

import workshops.live_views as live_views
from workshops import curation_views, views

app_name = "workshops"

urlpatterns = [
    # First, so they resolve fastest: every tablet polls every 2 s, and votes in bursts.
    path("atelier/etat/", live_views.poll, name="live_poll"),
    path("atelier/sequences/<id:sequence_pk>/vote/", live_views.vote, name="live_vote"),
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("demarches/<id:pk>/", views.concertation_detail, name="concertation"),
    path("demarches/<id:pk>/curation/", curation_views.curation, name="curation"),
    path("demarches/<id:pk>/curation/bulletins/", curation_views.ballot_carry_view, name="curation_carry"),
    path(
        "demarches/<id:pk>/curation/bulletins/<id:item_pk>/reformuler/",
        curation_views.ballot_item_reword_view,
        name="curation_ballot_reword",
    ),
    path(
        "demarches/<id:pk>/curation/bulletins/<id:item_pk>/deplacer/",
        curation_views.ballot_item_move_view,
        name="curation_ballot_move",
    ),
    path(
        "demarches/<id:pk>/curation/<slug:kind>/<id:item_pk>/reformuler/",
        curation_views.contribution_reword_view,
        name="curation_reword",
    ),
    path(
        "demarches/<id:pk>/curation/<slug:kind>/<id:item_pk>/masquer/",
        curation_views.contribution_hide_view,
        name="curation_hide",
    ),
    path(
        "demarches/<id:pk>/curation/<slug:kind>/<id:item_pk>/separer/",
        curation_views.contribution_unmerge_view,
        name="curation_unmerge",
    ),
    path(
        "demarches/<id:pk>/curation/<slug:kind>/fusionner/",
        curation_views.contributions_merge_view,
        name="curation_merge",
    ),
    path("demarches/nouvelle/", views.concertation_create, name="concertation_create"),
    path("demarches/<id:pk>/modifier/", views.concertation_edit, name="concertation_edit"),
    path("demarches/<id:pk>/responsables/", views.concertation_managers, name="concertation_managers"),
    path("demarches/<id:pk>/cloturer/", views.concertation_close_view, name="concertation_close"),
    path("demarches/<id:pk>/rouvrir/", views.concertation_reopen_view, name="concertation_reopen"),
    path("demarches/<id:pk>/planifier/", views.schedule, name="schedule"),
    path("calendrier/", views.calendar, name="calendar"),
    path("calendrier/renouveler/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("calendrier/<str:token>/ateliers.ics", views.calendar_feed, name="calendar_feed"),
    path("ateliers/<id:pk>/atelier.ics", views.workshop_calendar_file, name="workshop_ics"),
    path("ateliers/<id:pk>/deroule/", views.run_of_show, name="run_of_show"),
    path("sequences/<id:pk>/modifier/", views.sequence_edit, name="sequence_edit"),
    path("rejoindre/", live_views.join, name="live_join"),
    path("rejoindre/<str:code>/", live_views.join_code, name="live_join_code"),
    path("atelier/", live_views.tablet, name="live_tablet"),
    path("atelier/activite/", live_views.activity, name="live_activity"),
    path("atelier/suivant/", live_views.next_participant, name="live_next"),
    path("atelier/sequences/<id:sequence_pk>/qualites/", live_views.quality_add, name="live_quality_add"),
    path(
        "atelier/sequences/<id:sequence_pk>/propositions/", live_views.proposal_add, name="live_proposal_add"
    ),
    path("atelier/sequences/<id:sequence_pk>/position/", live_views.position_set, name="live_position"),
    path("atelier/sequences/<id:sequence_pk>/affiche/", live_views.poster_opinion, name="live_poster"),
    path("atelier/<slug:kind>/<id:pk>/modifier/", live_views.contribution_edit, name="live_edit"),
    path("atelier/<slug:kind>/<id:pk>/supprimer/", live_views.contribution_delete, name="live_delete"),
    path("ateliers/<id:pk>/console/", live_views.console, name="live_console"),
    path("ateliers/<id:pk>/console/direct/", live_views.console_live, name="live_console_live"),
    path("ateliers/<id:pk>/console/terminer/", live_views.console_finish, name="live_finish"),
    path("ateliers/<id:pk>/console/papier/", live_views.console_paper, name="live_paper"),
    path(
        "ateliers/<id:pk>/console/sequences/<id:sequence_pk>/",
        live_views.console_sequence,
        name="live_sequence",
    ),
    path(
        "ateliers/<id:pk>/console/arrivees/<id:attendance_pk>/",
        live_views.console_admit,
        name="live_admit",
    ),
    path(
        "ateliers/<id:pk>/console/<slug:kind>/<id:item_pk>/moderer/",
        live_views.console_moderate,
        name="live_moderate",
    ),
    path("ateliers/<id:pk>/console/<slug:kind>/fusionner/", live_views.console_merge, name="live_merge"),
    path("ateliers/<id:pk>/projection/", live_views.projector, name="live_projector"),
    path("ateliers/<id:pk>/projection/tableau/", live_views.projector_board, name="live_board"),
    path(
        "ateliers/<id:pk>/projection/nouvelle-adresse/", live_views.screen_renew, name="live_screen_renew"
    ),
    path("projection/<slug:token>/", live_views.screen, name="live_screen"),
    path("projection/<slug:token>/tableau/", live_views.screen_board, name="live_screen_board"),
]
