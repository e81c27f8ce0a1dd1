import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps

from dangjian.orglife.models import Attendance, Meeting

ESSAY = (
    "通过参加本次主题党日活动，我深刻认识到理论学习是党员的必修课。作为一名客户经理，"
    "我要把学习成果转化为服务零售客户的实际行动，坚持每周走访辖区商户，倾听他们的经营困难，"
    "帮助他们优化陈列、规范经营。今后我将继续加强政治理论学习，做到学思用贯通、知信行统一，"
    "在岗位上亮身份、作表率，以实际行动践行全心全意为人民服务的根本宗旨。"
)
OTHER = (
    "这次支部党员大会让我对基层党建工作有了新的理解。专卖稽查工作点多面广，"
    "必须坚持依法行政、文明执法，把每一次检查都当作一次普法宣传。我将以更加饱满的热情投入"
    "市场监管，严格落实一岗双责，认真查找自身在工作作风方面存在的差距和不足，并逐项整改到位。"
)


@pytest.fixture(autouse=True)
def study_kinds(db):
    """The reference rows the data migration writes (also under ``--nomigrations``)."""
    import_module("dangjian.exemplar.study.migrations.0002_default_kinds_and_threshold").forward(
        apps, None
    )


@pytest.fixture
def meeting(cast):
    meeting = Meeting.objects.create(
        branch=cast.city.east_branch,
        kind="theme_day",
        planned_on=dt.date(2026, 3, 5),
        held_on=dt.date(2026, 3, 5),
        status=Meeting.Status.HELD,
        topic="学习贯彻全会精神",
        study_hours=3,
    )
    Attendance.objects.create(meeting=meeting, person=cast.people.member, status="present")
    Attendance.objects.create(meeting=meeting, person=cast.people.secretary, status="present")
    return meeting
