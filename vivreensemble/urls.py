from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from vivreensemble.auth_views import LoginView
from vivreensemble.converters import RowId

register_converter(RowId, "id")  # before the apps' URLs are included: they name their ids with it

urlpatterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("panels/", include("panels.urls")),
    path("affiches/", include("posters.urls")),
    path("", include("workshops.urls")),
]
