import datetime as dt

import pytest

from dangjian.exemplar.contests import services
from dangjian.exemplar.contests.models import Contest


@pytest.fixture
def contest(cast):
    return services.contest_save(
        actor=cast.secretary,
        contest=Contest(
            kind=Contest.Kind.DRILL,
            name="客户经理营销技能练兵",
            organiser=cast.city.east_branch,
            business_line=Contest.Line.SALES,
            held_on=dt.date(2026, 9, 18),
            first_prizes=1,
            second_prizes=1,
            third_prizes=1,
        ),
    )


@pytest.fixture
def entered(cast, contest):
    people = [cast.people.secretary, cast.people.member, cast.people.probationary]
    services.participants_add(actor=cast.secretary, contest=contest, people=people)
    return {p.person.name: p for p in contest.participants.select_related("person")}
