"""The default « Vivre ensemble le service public » method (see workshops/method_data.py)."""

from django.db import migrations

from workshops.method_data import DEFAULT_NAME, create_default_method


def forward(apps, schema_editor):
    create_default_method(
        apps.get_model("workshops", "MethodTemplate"),
        apps.get_model("workshops", "WorkshopTemplate"),
        apps.get_model("workshops", "SequenceTemplate"),
    )


def backward(apps, schema_editor):
    apps.get_model("workshops", "MethodTemplate").objects.filter(name=DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
