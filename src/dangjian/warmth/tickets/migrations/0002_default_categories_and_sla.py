from django.db import migrations


def seed(apps, schema_editor):
    from dangjian.warmth.tickets.rules import DEFAULT_CATEGORIES, DEFAULT_MAX_TRANSFERS, DEFAULT_SLA

    Category = apps.get_model("warmth_tickets", "TicketCategory")
    Policy = apps.get_model("warmth_tickets", "SlaPolicy")
    for order, name in enumerate(DEFAULT_CATEGORIES, 1):
        Category.objects.get_or_create(name=name, defaults={"order": order * 10})
    for (kind, priority), (first, resolution, remind) in DEFAULT_SLA.items():
        Policy.objects.get_or_create(
            kind=kind,
            priority=priority,
            defaults={
                "first_response_hours": first,
                "resolution_hours": resolution,
                "remind_before_hours": remind,
                "max_transfers": DEFAULT_MAX_TRANSFERS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("warmth_tickets", "0001_tickets_sla_and_rollup")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
