from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("demarches/<int:pk>/", views.concertation_detail, name="concertation"),
]
