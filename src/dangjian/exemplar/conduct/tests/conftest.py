import datetime as dt

import pytest

from dangjian.exemplar.conduct import services
from dangjian.exemplar.conduct.models import ProblemCategory

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def category(db):
    return ProblemCategory.objects.get(name="作风建设")


@pytest.fixture
def inspection(cast):
    """李四's 2026 self-inspection, started by himself."""
    return services.inspection_start(actor=cast.member, person=cast.people.member, today=TODAY)


@pytest.fixture
def problem(cast, inspection, category):
    return services.problem_add(
        actor=cast.member,
        inspection=inspection,
        category=category,
        description="走访客户不够深入，听取意见少",
        measure="每月走访客户不少于25户并记录意见",
        owner=cast.people.member,
        deadline=TODAY + dt.timedelta(days=30),
        today=TODAY,
    )


@pytest.fixture
def measure(problem):
    return problem.measures.get()
