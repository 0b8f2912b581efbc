from django.urls import path

from panels import views

app_name = "panels"

urlpatterns = [
    path("<int:pk>/", views.panel_detail, name="detail"),
    path("<int:pk>/ajouter/", views.participant_add, name="participant_add"),
    path("<int:pk>/importer/", views.panel_import, name="import"),
    path("<int:pk>/cibles/", views.panel_targets, name="targets"),
    path("participants/<int:pk>/modifier/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/retirer/", views.participant_delete, name="participant_delete"),
    path("participants/<int:pk>/panel-mixte/", views.mixed_toggle, name="mixed_toggle"),
    path("participants/<int:pk>/invitation.pdf", views.participant_letter, name="participant_letter"),
    path("participants/<int:pk>/donnees/", views.participant_data, name="participant_data"),
    path("participants/<int:pk>/donnees.json", views.participant_data_json, name="participant_data_json"),
    path("participants/<int:pk>/effacer/", views.participant_erase_view, name="participant_erase"),
    path("demarches/<int:pk>/panel-mixte/", views.mixed_panel, name="mixed"),
    path("ateliers/<int:pk>/invitations.pdf", views.workshop_letters, name="workshop_letters"),
    path("ateliers/<int:pk>/emargement.pdf", views.signin_sheet, name="signin_sheet"),
    path("ateliers/<int:pk>/envoyer-invitations/", views.send_invitations, name="send_invitations"),
]
