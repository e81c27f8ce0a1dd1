"""The study kinds with their points per hour, and the first originality threshold."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

KINDS = [
    ("collective", "组织生活集中学习", Decimal("2"), 0),
    ("book", "书籍阅读", Decimal("1"), 10),
    ("online", "网络学院", Decimal("1.5"), 20),
    ("lecture", "专题讲座", Decimal("2"), 30),
    ("training", "培训班", Decimal("2"), 40),
    ("app", "学习强国", Decimal("0.5"), 50),
    ("other", "其他", Decimal("1"), 90),
]


def forward(apps, schema_editor):
    StudyKind = apps.get_model("exemplar_study", "StudyKind")
    Setting = apps.get_model("exemplar_study", "OriginalitySetting")
    for code, name, points, sort in KINDS:
        StudyKind.objects.get_or_create(
            code=code, defaults={"name": name, "points_per_hour": points, "sort": sort}
        )
    Setting.objects.get_or_create(
        effective_from=dt.date(2020, 1, 1),
        defaults={"containment_threshold": Decimal("0.50"), "note": "默认：重合一半即标记"},
    )


def backward(apps, schema_editor):
    apps.get_model("exemplar_study", "StudyKind").objects.filter(
        code__in=[k[0] for k in KINDS]
    ).delete()
    apps.get_model("exemplar_study", "OriginalitySetting").objects.filter(
        effective_from=dt.date(2020, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("exemplar_study", "0001_study_reflections_originality")]
    operations = [migrations.RunPython(forward, backward)]
