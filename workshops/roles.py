"""The two staff roles as Django groups, kept in step with the code on every migrate."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_noop

FACILITATORS = gettext_noop("Animation")
SERVICE_MANAGERS = gettext_noop("Responsables de service")

ROLE_PERMISSIONS = {
    FACILITATORS: [
        ("workshops", "add_concertation"),
        ("workshops", "view_concertation"),
        ("workshops", "change_concertation"),
        ("workshops", "add_methodtemplate"),
        ("workshops", "view_methodtemplate"),
    ],
    SERVICE_MANAGERS: [
        ("workshops", "view_concertation"),
        ("posters", "view_roadmap"),
        ("posters", "change_roadmapaction"),
    ],
}


def ensure_role_groups(**kwargs) -> None:
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.set(permissions)
