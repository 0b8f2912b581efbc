from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Démarches et ateliers")

    def ready(self) -> None:
        from django.apps import apps

        from workshops.method_data import ensure_default_method
        from workshops.roles import ensure_role_groups

        # The last of our apps: by then every permission the roles name exists.
        post_migrate.connect(
            ensure_role_groups,
            sender=apps.get_app_config("posters"),
            dispatch_uid="workshops.ensure_role_groups",
        )
        post_migrate.connect(
            ensure_default_method,
            sender=self,
            dispatch_uid="workshops.ensure_default_method",
        )
