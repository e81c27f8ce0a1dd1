"""Seed the broadcast kinds, the greeting occasions and the staff message templates
(editable data afterwards)."""

from django.db import migrations

from dangjian.warmth.outreach.defaults import MESSAGE_TEMPLATES, ensure_defaults


def seed(apps, schema_editor):
    ensure_defaults(
        apps.get_model("warmth_outreach", "BroadcastKind"),
        apps.get_model("warmth_outreach", "GreetingOccasion"),
        apps.get_model("notifications", "MessageTemplate"),
    )


def unseed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(kind__in=[k for k, *_ in MESSAGE_TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("warmth_outreach", "0001_outreach"),
        ("notifications", "0002_seed_message_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
