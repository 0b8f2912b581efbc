from django.urls import path, re_path

from posters import views

app_name = "posters"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("demarches/<id:pk>/", views.poster_overview, name="overview"),
    path("demarches/<id:pk>/composer/", views.poster_compose, name="compose"),
    path("demarches/<id:pk>/nouvelle-version/", views.poster_new_draft, name="new_draft"),
    path("demarches/<id:pk>/brouillon/", views.poster_edit, name="edit"),
    path("demarches/<id:pk>/brouillon/apercu/", views.poster_preview, name="preview"),
    path("demarches/<id:pk>/brouillon/logo/", views.poster_logo, name="logo"),
    path("demarches/<id:pk>/brouillon/valider/", views.poster_seal, name="seal"),
    re_path(
        r"^versions/(?P<version_pk>[0-9]{1,18})/affiche-(?P<paper>a4|a3)\.pdf$", views.version_pdf,
        name="version_pdf",
    ),
    path("versions/<id:version_pk>/apercu.png", views.version_png, name="version_png"),
    path("demarches/<id:pk>/compte-rendu.pdf", views.report_pdf, name="report_pdf"),
    path("demarches/<id:pk>/feuilles-de-route/", views.roadmaps, name="roadmaps"),
    path("demarches/<id:pk>/feuilles-de-route/creer/", views.roadmaps_create, name="roadmaps_create"),
    path(
        "demarches/<id:pk>/feuilles-de-route/<id:service_pk>/", views.roadmap_detail, name="roadmap"
    ),
    re_path(
        r"^demarches/(?P<pk>[0-9]{1,18})/feuilles-de-route/(?P<service_pk>[0-9]{1,18})/export\.(?P<fmt>pdf|csv|xlsx|ods)$",
        views.roadmap_export,
        name="roadmap_export",
    ),
    path("actions/<id:action_pk>/", views.action_update, name="action_update"),
    path("actions/<id:action_pk>/avancement/", views.note_add, name="note_add"),
    path("suivi/<str:token>/", views.public_followup, name="public"),
    re_path(
        r"^suivi/(?P<token>[-\w]+)/affiche-(?P<fmt>a4|a3)\.pdf$", views.public_poster, name="public_poster"
    ),
    path("suivi/<str:token>/affiche.png", views.public_poster, {"fmt": "png"}, name="public_png"),
]
