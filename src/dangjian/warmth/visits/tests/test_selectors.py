import datetime as dt

from django.utils import timezone

from dangjian.conftest import make_customer
from dangjian.warmth.visits import rules, selectors
from dangjian.warmth.visits.models import LastVisit, VisitPlan

TODAY = timezone.localdate


def _last(customer, days_ago):
    LastVisit.objects.create(
        customer=customer, visited_on=TODAY() - dt.timedelta(days=days_ago), visit_count=1
    )


def test_the_due_list_follows_the_plans_by_tier_and_segment(cast):
    m = cast.people.manager
    area = cast.city.east_area
    high = make_customer("360101000101", area, account_manager=m, tier=28)
    vulnerable = make_customer("360101000102", area, account_manager=m, vulnerable=True)
    plain = make_customer("360101000103", area, account_manager=m)
    _last(high, 8)  # weekly: overdue
    _last(vulnerable, 10)  # fortnightly: not yet
    _last(plain, 29)  # monthly: not yet
    # cast.customers.east (same manager) was never visited: due today.
    due = {c.pk: c for c in selectors.due_list(cast.manager, manager=m)}
    assert set(due) == {high.pk, cast.customers.east.pk}
    assert due[high.pk].every_days == 7
    assert set(c.pk for c in selectors.due_list(cast.manager, manager=m, within_days=5)) == {
        high.pk,
        vulnerable.pk,
        plain.pk,
        cast.customers.east.pk,
    }


def test_the_sql_interval_agrees_with_the_rule_function(cast):
    VisitPlan.objects.create(name="无默认 长周期", segment="prime_location", every_days=45)
    VisitPlan.objects.filter(tier_min__isnull=True, segment="").update(is_active=False)
    area = cast.city.east_area
    made = [
        make_customer(f"3601010002{n:02d}", area, tier=tier, **flags)
        for n, (tier, flags) in enumerate(
            [
                (26, {}),
                (10, {"vulnerable": True}),
                (10, {"prime_location": True}),
                (27, {"vulnerable": True}),
                (5, {}),
            ]
        )
    ]
    plans = selectors.plan_rules()
    rows = {c.pk: c for c in selectors.due_list(cast.office, unit=area)}
    for customer in made:
        segments = [s for s in ("vulnerable", "prime_location") if getattr(customer, s)]
        assert rows[customer.pk].every_days == rules.visit_interval(customer.tier, segments, plans)


def test_overdue_counts_per_market_area(cast):
    _last(cast.customers.east, 100)
    rows = {r["unit__name"]: r for r in selectors.overdue_by_area(cast.office)}
    assert rows["东湖城区片区"]["overdue"] == 1
    assert rows["西山城区片区"]["overdue"] == 1  # never visited
    assert "西山城区片区" not in {
        r["unit__name"] for r in selectors.overdue_by_area(cast.secretary)
    }


def test_coverage_counts_served_segment_customers(cast, record, kind):
    from dangjian.warmth.visits.models import TailoredServiceType

    east = cast.customers.east
    east.vulnerable = True
    east.save()
    make_customer("360101000301", cast.city.east_area, vulnerable=True)
    service = TailoredServiceType.objects.filter(segment="vulnerable").first()
    record(kind=kind("tailored"), service_type=service, visited_on=TODAY())
    data = selectors.coverage(cast.office, segment="vulnerable", year=TODAY().year)
    assert (data["total"], data["served"], data["unserved"]) == (2, 1, 1)
    assert {t.pk: t.delivered for t in data["types"]}[service.pk] == 1
