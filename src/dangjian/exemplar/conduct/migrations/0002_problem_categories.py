from django.db import migrations

# The usual headings of a 做合格党员 self-inspection (data: the office may add more).
CATEGORIES = [
    "理想信念",
    "政治纪律和政治规矩",
    "组织纪律",
    "作风建设",
    "廉洁自律",
    "业务能力",
    "服务群众",
    "发挥先锋模范作用",
]


def seed(apps, schema_editor):
    ProblemCategory = apps.get_model("exemplar_conduct", "ProblemCategory")
    for order, name in enumerate(CATEGORIES, 1):
        ProblemCategory.objects.get_or_create(name=name, defaults={"order": order})


def unseed(apps, schema_editor):
    ProblemCategory = apps.get_model("exemplar_conduct", "ProblemCategory")
    ProblemCategory.objects.filter(name__in=CATEGORIES).delete()


class Migration(migrations.Migration):
    dependencies = [("exemplar_conduct", "0001_self_inspection")]

    operations = [migrations.RunPython(seed, unseed)]
