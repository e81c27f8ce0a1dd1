import datetime as dt
from types import SimpleNamespace

import pytest

from dangjian.accounts.roles import Role
from dangjian.conftest import make_person, make_user
from dangjian.warmth.window import services
from dangjian.warmth.window.models import LicenceWindow

# Monday before the 2026 National Day week: 5 working days later is Saturday 10-10 (调休).
BEFORE_HOLIDAY = dt.date(2026, 9, 28)
NOTICE_DUE = dt.date(2026, 10, 10)
# 20 working days from 09-28 skip 10-01..10-07 and count the 调休 Saturday 10-10.
DECISION_DUE = dt.date(2026, 10, 30)
ID_NUMBER = "360102198001010013"


@pytest.fixture
def window(cast):
    """东湖's window with two staff; the clerk (a window clerk on 东湖) is one of them."""
    clerk = make_user("clerk", (Role.WINDOW_CLERK, cast.city.east))
    clerk_person = make_person("周窗口", cast.city.east, user=clerk, post="窗口人员")
    colleague = make_person("吴核查", cast.city.east, post="专卖稽查员")
    w = LicenceWindow.objects.create(
        unit=cast.city.east,
        name="东湖县局办证窗口",
        address="东湖县人民路1号",
        phone="0797-1234567",
        opening_hours="工作日 8:30-12:00 14:00-17:30",
        benchmark=cast.people.secretary,
    )
    w.staff.set([clerk_person, colleague, cast.people.secretary])
    return SimpleNamespace(
        window=w, clerk=clerk, clerk_person=clerk_person, colleague=colleague, cast=cast
    )


@pytest.fixture
def receive(window):
    """``receive(**overrides)`` → a new-shop application received by the clerk."""

    def _receive(**overrides):
        values = {
            "actor": window.clerk,
            "window": window.window,
            "kind": "new",
            "applicant_name": "陈小店",
            "applicant_id_number": ID_NUMBER,
            "applicant_phone": "13912345678",
            "shop_name": "东湖陈记便利店",
            "shop_address": "东湖县解放路8号",
            "received_on": BEFORE_HOLIDAY,
            "today": BEFORE_HOLIDAY,
        }
        values.update(overrides)
        return services.application_receive(**values)

    return _receive


ALL_NEW = {"form", "id_card", "premises"}
