import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Rectification = apps.get_model("exemplar_conduct", "Rectification")
    SelfInspection = apps.get_model("exemplar_conduct", "SelfInspection")
    Rectification.objects.filter(branch__isnull=True).update(
        branch_id=Subquery(
            SelfInspection.objects.filter(pk=OuterRef("inspection_id")).values("branch_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("exemplar_conduct", "0002_problem_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectification",
            name="branch",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.partyorg",
                verbose_name="所在支部",
            ),
        ),
        migrations.AddField(
            model_name="historicalrectification",
            name="branch",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="orgs.partyorg",
                verbose_name="所在支部",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rectification",
            name="branch",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.partyorg",
                verbose_name="所在支部",
            ),
        ),
        migrations.AddIndex(
            model_name="rectification",
            index=models.Index(fields=["branch", "deadline"], name="rectification_branch_idx"),
        ),
    ]
