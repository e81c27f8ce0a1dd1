"""The starting catalogues (``catalogue.py``). The office edits them afterwards; reversing
removes them only while no visit uses them."""

from django.db import migrations

from dangjian.warmth.visits.catalogue import ensure_catalogue


def seed(apps, schema_editor):
    ensure_catalogue(
        apps.get_model("warmth_visits", "VisitKind"),
        apps.get_model("warmth_visits", "TailoredServiceType"),
        apps.get_model("warmth_visits", "VisitPlan"),
    )


def unseed(apps, schema_editor):
    Visit = apps.get_model("warmth_visits", "Visit")
    if Visit.objects.exists():
        return
    for name in ("VisitPlan", "TailoredServiceType", "VisitKind"):
        apps.get_model("warmth_visits", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("warmth_visits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
