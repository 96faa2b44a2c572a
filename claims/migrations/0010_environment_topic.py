"""An Environment desk: wildlife, pollution, forests, oceans and conservation, which the Climate and
energy topic only touched in its description ("... and the environment"), so that sentences on
whale strandings, plastic in rivers or deforestation found no topic at all.

Added only where no topic has the slug yet; a newsroom's own topics and edits are kept.
"""

from django.db import migrations

# slug, name, keywords (hints), description, examples (one per line); as in 0006
TOPICS = [
    ("environment", "Environment and wildlife",
     "environment, pollution, wildlife, species, conservation, biodiversity, deforestation, "
     "endangered, extinction, poaching",
     "The natural environment: wildlife and endangered species, conservation, pollution of air, "
     "water and land, forests, oceans, rivers and waste.",
     "More than 500 whales have stranded on the country's beaches in the past decade.\n"
     "The oil spill killed thousands of seabirds along the coast.\n"
     "A third of the world's amphibian species are threatened with extinction.\n"
     "Loggers cleared 10,000 hectares of rainforest in the reserve."),
]  # fmt: skip


def forwards(apps, schema_editor):
    Topic = apps.get_model("claims", "Topic")
    for slug, name, keywords, description, examples in TOPICS:
        if not Topic.objects.filter(slug=slug).exists():
            Topic.objects.create(
                slug=slug, name=name, keywords=keywords, description=description, examples=examples
            )


def backwards(apps, schema_editor):
    Topic = apps.get_model("claims", "Topic")
    Topic.objects.filter(slug__in=[t[0] for t in TOPICS], claims__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_overview_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
