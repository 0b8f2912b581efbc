from django.urls import path, re_path

from posters import views

app_name = "posters"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("demarches/<int:pk>/", views.poster_overview, name="overview"),
    path("demarches/<int:pk>/composer/", views.poster_compose, name="compose"),
    path("demarches/<int:pk>/nouvelle-version/", views.poster_new_draft, name="new_draft"),
    path("demarches/<int:pk>/brouillon/", views.poster_edit, name="edit"),
    path("demarches/<int:pk>/brouillon/apercu/", views.poster_preview, name="preview"),
    path("demarches/<int:pk>/brouillon/logo/", views.poster_logo, name="logo"),
    path("demarches/<int:pk>/brouillon/valider/", views.poster_seal, name="seal"),
    re_path(
        r"^versions/(?P<version_pk>[0-9]+)/affiche-(?P<paper>a4|a3)\.pdf$", views.version_pdf,
        name="version_pdf",
    ),
    path("versions/<int:version_pk>/apercu.png", views.version_png, name="version_png"),
    path("demarches/<int:pk>/compte-rendu.pdf", views.report_pdf, name="report_pdf"),
    path("demarches/<int:pk>/feuilles-de-route/", views.roadmaps, name="roadmaps"),
    path("demarches/<int:pk>/feuilles-de-route/creer/", views.roadmaps_create, name="roadmaps_create"),
    path(
        "demarches/<int:pk>/feuilles-de-route/<int:service_pk>/", views.roadmap_detail, name="roadmap"
    ),
    re_path(
        r"^demarches/(?P<pk>[0-9]+)/feuilles-de-route/(?P<service_pk>[0-9]+)/export\.(?P<fmt>pdf|csv|xlsx|ods)$",
        views.roadmap_export,
        name="roadmap_export",
    ),
    path("actions/<int:action_pk>/", views.action_update, name="action_update"),
    path("actions/<int:action_pk>/avancement/", views.note_add, name="note_add"),
    path("suivi/<str:token>/", views.public_followup, name="public"),
    re_path(
        r"^suivi/(?P<token>[-\w]+)/affiche-(?P<fmt>a4|a3)\.pdf$", views.public_poster, name="public_poster"
    ),
    path("suivi/<str:token>/affiche.png", views.public_poster, {"fmt": "png"}, name="public_png"),
]
