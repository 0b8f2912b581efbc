from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostersConfig(AppConfig):
    name = "posters"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Affiches et feuilles de route")
