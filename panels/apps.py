from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "panels"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Panels et participant·es")
