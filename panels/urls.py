from django.urls import path

from panels import views

app_name = "panels"

urlpatterns = [
    path("<id:pk>/", views.panel_detail, name="detail"),
    path("<id:pk>/ajouter/", views.participant_add, name="participant_add"),
    path("<id:pk>/importer/", views.panel_import, name="import"),
    path("<id:pk>/cibles/", views.panel_targets, name="targets"),
    path("participants/<id:pk>/modifier/", views.participant_edit, name="participant_edit"),
    path("participants/<id:pk>/retirer/", views.participant_delete, name="participant_delete"),
    path("participants/<id:pk>/panel-mixte/", views.mixed_toggle, name="mixed_toggle"),
    path("participants/<id:pk>/invitation.pdf", views.participant_letter, name="participant_letter"),
    path("participants/<id:pk>/donnees/", views.participant_data, name="participant_data"),
    path("participants/<id:pk>/donnees.json", views.participant_data_json, name="participant_data_json"),
    path("participants/<id:pk>/effacer/", views.participant_erase_view, name="participant_erase"),
    path("demarches/<id:pk>/panel-mixte/", views.mixed_panel, name="mixed"),
    path("ateliers/<id:pk>/invitations.pdf", views.workshop_letters, name="workshop_letters"),
    path("ateliers/<id:pk>/emargement.pdf", views.signin_sheet, name="signin_sheet"),
    path("ateliers/<id:pk>/envoyer-invitations/", views.send_invitations, name="send_invitations"),
]
