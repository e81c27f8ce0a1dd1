"""Seed the default Chinese message templates (editable data afterwards)."""

from django.db import migrations

from dangjian.notifications.message_templates import DEFAULT_TEMPLATES


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, name, subject, body in DEFAULT_TEMPLATES:
        MessageTemplate.objects.get_or_create(
            kind=kind, defaults={"name": name, "subject": subject, "body": body}
        )


def unseed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    kinds = [kind for kind, *_ in DEFAULT_TEMPLATES]
    MessageTemplate.objects.filter(kind__in=kinds).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
