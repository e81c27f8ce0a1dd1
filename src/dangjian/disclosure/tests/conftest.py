import datetime as dt

import pytest

from dangjian.disclosure import services
from dangjian.disclosure.models import Notice

# A week fully covered by the official calendar, Monday 2026-11-02 to Friday 2026-11-06.
MONDAY = dt.date(2026, 11, 2)


@pytest.fixture
def make_notice(cast):
    """``make_notice(**fields)`` → a draft built through the service (as the secretary)."""

    def _make(*, actor=None, audience_orgs=(), publish=False, today=None, **fields):
        values = {
            "kind": Notice.Kind.PRE_APPOINTMENT,
            "title": "关于李四同志拟任职务的任前公示",
            "content": "李四同志拟任东湖县局营销部主任。\n\n如有异议请在公示期内反映。",
            "issuing_org": cast.city.east_branch,
            "audience": Notice.Audience.SUBTREE,
            "working_days": 5,
            "starts_on": MONDAY,
        }
        values.update(fields)
        actor = actor or cast.secretary
        notice = services.notice_save(
            actor=actor, notice=Notice(**values), audience_orgs=audience_orgs
        )
        if publish:
            notice = services.notice_publish(
                actor=actor, notice=notice, today=today or values["starts_on"]
            )
        return notice

    return _make
