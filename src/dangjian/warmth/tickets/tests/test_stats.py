import datetime as dt

from dangjian.warmth.tickets import services, stats
from dangjian.warmth.tickets.models import TicketStat

from .conftest import at


def _snapshot():
    return sorted(
        TicketStat.objects.values_list("unit_id", "month", "category_id", "kind", *stats.METRICS)
    )


def test_services_keep_the_rollup_for_the_unit_and_its_ancestors(cast, make_ticket):
    ticket = make_ticket()
    services.ticket_close(actor=cast.manager, ticket=ticket, resolution="好", now=at(24, 9))
    ticket.refresh_from_db()
    services.ticket_rate(code=ticket.rating_code, rating=4)
    cells = TicketStat.objects.filter(month=dt.date(2026, 11, 1))
    # 东湖城区片区, 东湖县局, the company.
    assert {c.unit_id for c in cells} == {
        cast.city.east_area.pk,
        cast.city.east.pk,
        cast.city.company.pk,
    }
    company = cells.get(unit=cast.city.company)
    assert (company.created, company.closed, company.rated, company.rating_sum) == (1, 1, 1, 4)


def test_rebuild_gives_what_the_services_kept(cast, staff, make_ticket, public_ticket):
    a, b = make_ticket(), make_ticket(kind="inquiry")
    services.ticket_close(actor=cast.manager, ticket=a, resolution="好", now=at(25, 9))
    services.ticket_merge(actor=cast.manager, ticket=b, into=a)
    p = public_ticket()
    services.ticket_accept(actor=staff.clerk, ticket=p, now=at(23, 16))
    kept = _snapshot()
    stats.rebuild()
    assert [row for row in _snapshot() if any(row[4:])] == [row for row in kept if any(row[4:])]


def test_read_gives_totals_months_categories_and_children(cast, make_ticket):
    make_ticket()
    make_ticket(now=at(5, 10, month=10))
    figures = stats.read(
        cast.city.company, month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 12, 1)
    )
    assert figures["total"]["created"] == 2
    assert [r["created"] for r in figures["by_month"]] == [1, 1]
    by_unit = {u.name: r for u, r in figures["by_unit"]}
    assert by_unit["东湖县局"]["created"] == 2 and by_unit["西山县局"] is None
