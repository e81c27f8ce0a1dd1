import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dangjian.accounts.roles import Role
from dangjian.conftest import make_person, make_user
from dangjian.warmth.tickets import services
from dangjian.warmth.tickets.models import TicketCategory

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    """A moment in November 2026 (the 23rd is a Monday), Asia/Shanghai."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def staff(cast):
    """Beyond the cast: a window clerk of 东湖, a 专卖 inspector of 东湖 (transfer targets),
    and the leader of 东湖县局 (escalations)."""
    clerk = make_user("clerk", (Role.WINDOW_CLERK, cast.city.east))
    make_person("窗口员", cast.city.east, user=clerk)
    inspector = make_user("inspector", (Role.INSPECTOR, cast.city.east))
    make_person("稽查员", cast.city.east, user=inspector)
    third = make_user("third", (Role.ACCOUNT_MANAGER, cast.city.east_area))
    make_person("第三人", cast.city.east_area, user=third)
    leader = make_user("eastleader", (Role.LEADER, cast.city.east))
    return SimpleNamespace(clerk=clerk, inspector=inspector, third=third, leader=leader)


@pytest.fixture
def category(db):
    return TicketCategory.objects.get(name="货源供应")


@pytest.fixture
def make_ticket(cast, category):
    def _make(actor=None, *, now=None, kind="complaint", **extra):
        values = {
            "actor": actor if actor is not None else cast.manager,
            "kind": kind,
            "category": category,
            "channel": "phone",
            "customer": cast.customers.east,
            "contact_name": "王小明",
            "contact_phone": "13900000000",
            "subject": "东湖城区货源不足",
            "text": "本周卷烟到货少了两条。",
            "now": now or at(23, 9),
        }
        values.update(extra)
        return services.ticket_create(**values)

    return _make


@pytest.fixture
def public_ticket(cast, category):
    def _make(*, now=None, **extra):
        values = {
            "kind": "complaint",
            "category": category,
            "unit": cast.city.east,
            "contact_name": "赵大爷",
            "contact_phone": "13711112222",
            "subject": "送货员态度差",
            "text": "<script>alert(1)</script> 送货员把货扔在门口。",
            "now": now or at(23, 9),
        }
        values.update(extra)
        return services.ticket_create(**values)

    return _make
