"""A reviewer's load as a counter on their profile, kept by triggers on reviewers_assignment
(reviewers/load_triggers.py says how, and re-creates them after any later migration that drops
them).
"""

from django.db import migrations, models

from reviewers import load_triggers


def create_triggers(apps, schema_editor):
    load_triggers.create_triggers(schema_editor.execute, schema_editor.connection.vendor)


def drop_triggers(apps, schema_editor):
    load_triggers.drop_triggers(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0006_scheduler_indexes_assign"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewerprofile",
            name="load",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
