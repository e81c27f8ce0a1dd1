import datetime as dt

import pytest

from dangjian.transfers import services

ISSUED = dt.date(2026, 10, 9)


@pytest.fixture
def issue(cast):
    """``issue(**overrides)`` → a letter for 李四 issued by the east secretary."""

    def _issue(**overrides):
        values = {
            "actor": cast.secretary,
            "person": cast.people.member,
            "reason": "job",
            "issued_on": ISSUED,
            "to_org": cast.city.west_branch,
            "dues_paid_through": dt.date(2026, 9, 1),
        }
        values.update(overrides)
        return services.transfer_issue(**values)

    return _issue
