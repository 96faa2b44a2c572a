"""The default rating scale and a starter topic list (both editable in the admin)."""

from django.db import migrations

RATINGS = [
    # slug, label, ordinal value (higher = truer) or None, description
    ("true", "True", 5, "The claim is accurate and nothing significant is missing."),
    ("mostly-true", "Mostly true", 4, "Accurate but needs clarification or more information."),
    ("half-true", "Half true", 3, "Partially accurate, leaves out important details."),
    ("mostly-false", "Mostly false", 2, "Contains an element of truth but ignores critical facts."),
    ("false", "False", 1, "The claim is not accurate."),
    ("misleading", "Misleading", None, "Accurate elements arranged to give a false impression."),
    ("missing-context", "Missing context", None, "Could mislead without more context."),
    ("unverifiable", "Unverifiable", None, "The available evidence cannot prove or disprove it."),
]

TOPICS = [
    ("security", "Security and defence",
     "military, army, troops, terrorist, terrorism, airstrike, airstrikes, militants, intelligence, "
     "security, insurgency, Daesh, ISIL, ISIS, Taliban, war, weapons"),
    ("foreign-affairs", "Foreign affairs",
     "diplomat, envoy, foreign ministry, embassy, sanctions, United Nations, treaty, coalition"),
    ("economy", "Economy", "economy, jobs, unemployment, inflation, tax, taxes, GDP, budget, deficit, "
     "trade, wages, debt"),
    ("health", "Health", "health, hospital, vaccine, disease, pandemic, doctors, medicare, medicaid"),
    ("elections", "Elections", "election, vote, voters, ballot, campaign, poll, polls"),
    ("immigration", "Immigration", "immigration, immigrants, migrants, border, asylum, refugees"),
    ("climate", "Climate and energy", "climate, emissions, energy, oil, gas, coal, renewable"),
    ("crime", "Crime and justice", "crime, police, prison, murder, court, justice"),
]


def forwards(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    Topic = apps.get_model("claims", "Topic")
    for position, (slug, label, value, description) in enumerate(RATINGS):
        Rating.objects.update_or_create(
            scale="default", slug=slug,
            defaults={"label": label, "value": value, "description": description,
                      "position": position},
        )
    for slug, name, keywords in TOPICS:
        Topic.objects.update_or_create(slug=slug, defaults={"name": name, "keywords": keywords})


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
