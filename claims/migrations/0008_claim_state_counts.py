"""How many claims are in each state, kept by database triggers (claims/state_counts.py says
how, and re-creates them after any later migration that drops them on SQLite)."""

from django.db import migrations, models

from claims import state_counts


def create_triggers(apps, schema_editor):
    state_counts.create_triggers(schema_editor.execute, schema_editor.connection.vendor)


def drop_triggers(apps, schema_editor):
    state_counts.drop_triggers(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_queue_index_pages"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimStateCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("state", models.CharField(max_length=12)),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
