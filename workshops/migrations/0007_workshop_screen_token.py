import importlib
import secrets

from django.db import migrations, models

import workshops.models

# Making the column unique rebuilds workshops_workshop on SQLite, which drops its triggers:
# recreate the schedule-order trigger of 0003, as 0004 does.
_live_session = importlib.import_module("workshops.migrations.0004_live_session")


def give_each_workshop_its_own_token(apps, schema_editor):
    Workshop = apps.get_model("workshops", "Workshop")
    for workshop in Workshop.objects.only("pk"):
        Workshop.objects.filter(pk=workshop.pk).update(screen_token=secrets.token_urlsafe(24))


class Migration(migrations.Migration):

    dependencies = [
        ("workshops", "0006_calendar_feed_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="workshop",
            name="screen_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_each_workshop_its_own_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="workshop",
            name="screen_token",
            field=models.CharField(
                default=workshops.models.new_public_token, editable=False, max_length=64, unique=True
            ),
        ),
        migrations.RunPython(_live_session._recreate_sqlite_trigger, _live_session._recreate_sqlite_trigger),
    ]
