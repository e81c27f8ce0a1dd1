import pytest
from django.db.models import Q
from django.urls import reverse

from dangjian.platform.models import AccessLog
from dangjian.warmth.tickets import services
from dangjian.warmth.tickets.models import Ticket


def test_list_shows_my_tickets_with_a_pinned_query_count(
    cast, make_ticket, login, django_assert_max_num_queries
):
    for i in range(5):
        make_ticket(subject=f"东湖诉求{i}")
    client = login(cast.manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("tickets:list") + "?view=all")
    assert response.status_code == 200
    assert response.content.decode().count("东湖诉求") == 5


def test_outsider_sees_none_of_the_east_tickets(cast, make_ticket, login):
    ticket = make_ticket()
    client = login(cast.outsider)
    body = client.get(reverse("tickets:list") + "?view=all").content.decode()
    assert "东湖城区货源不足" not in body
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404
    response = client.post(reverse("tickets:step", args=[ticket.pk, "accept"]))
    assert response.status_code == 404


def test_a_handler_outside_the_unit_sees_the_ticket_transferred_to_him(cast, make_ticket, login):
    # The outsider (西山) is made handler: he sees this one ticket, nothing else of 东湖.
    ticket = make_ticket()
    make_ticket(subject="另一条东湖诉求")
    services.ticket_transfer(actor=cast.manager, ticket=ticket, to_user=cast.outsider, note="协办")
    client = login(cast.outsider)
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    body = client.get(reverse("tickets:list") + "?view=mine").content.decode()
    assert "东湖城区货源不足" in body and "另一条东湖诉求" not in body


def test_staff_registers_a_ticket_and_becomes_its_owner(cast, category, login):
    client = login(cast.manager)
    assert client.get(reverse("tickets:create")).status_code == 200
    response = client.post(
        reverse("tickets:create"),
        {
            "channel": "window",
            "kind": "inquiry",
            "priority": "normal",
            "category": category.pk,
            "customer": cast.customers.east.pk,
            "subject": "怎样办理许可证延续",
            "text": "想问一下延续需要什么材料",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.owner == cast.manager
    assert ticket.contact_name == cast.customers.east.owner_name


def test_form_errors_name_the_field(cast, category, login):
    response = login(cast.manager).post(
        reverse("tickets:create"),
        {"channel": "window", "kind": "inquiry", "priority": "normal", "category": category.pk},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "受理单位" in body and "标题：" in body
    assert Ticket.objects.count() == 0


def test_steps_through_the_detail_page(cast, staff, make_ticket, login):
    ticket = make_ticket()
    client = login(cast.manager)
    url = lambda step: reverse("tickets:step", args=[ticket.pk, step])  # noqa: E731
    assert client.post(url("note"), {"text": "已电话联系", "public": "on"}).status_code == 302
    assert (
        client.post(url("transfer"), {"to_user": staff.inspector.pk, "note": "请核查"}).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.handler == staff.inspector
    inspector = login(staff.inspector)
    assert inspector.post(url("resolve"), {"resolution": "已补货"}).status_code == 302
    client = login(cast.manager)
    assert client.post(url("close"), {"resolution": ""}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and ticket.resolution == "已补货"
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "评价链接" in page


def test_a_loop_is_refused_with_the_message_on_the_page(cast, staff, make_ticket, login):
    ticket = make_ticket()
    services.ticket_transfer(actor=cast.manager, ticket=ticket, to_user=staff.inspector, note="1")
    services.ticket_transfer(actor=staff.inspector, ticket=ticket, to_user=staff.clerk, note="2")
    response = login(staff.clerk).post(
        reverse("tickets:step", args=[ticket.pk, "transfer"]),
        {"to_user": staff.inspector.pk, "note": "还给你"},
    )
    assert response.status_code == 422
    assert "转办形成循环" in response.content.decode()


def test_text_is_shown_as_text_not_html(cast, staff, public_ticket, login):
    ticket = public_ticket()
    body = login(staff.clerk).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_phone_is_masked_and_a_reveal_is_logged(cast, make_ticket, login):
    ticket = make_ticket()
    client = login(cast.manager)
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "139****0000" in body and "13900000000" not in body
    response = client.post(reverse("tickets:reveal", args=[ticket.pk]))
    assert "13900000000" in response.content.decode()
    assert AccessLog.objects.filter(action="reveal", field="contact_phone").count() == 1
    assert login(cast.outsider).post(reverse("tickets:reveal", args=[ticket.pk])).status_code == 404


def test_merge_through_the_page(cast, make_ticket, login):
    first, second = make_ticket(), make_ticket(subject="重复")
    response = login(cast.manager).post(
        reverse("tickets:step", args=[second.pk, "merge"]), {"into": first.number}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/{first.pk}/")
    second.refresh_from_db()
    assert second.merged_into == first


def test_export_is_an_excel_of_the_filtered_rows(cast, make_ticket, login):
    make_ticket()
    response = login(cast.office).get(reverse("tickets:export") + "?view=all&kind=complaint")
    assert response.status_code == 200
    assert AccessLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("who", ["office", "auditor", "manager", "secretary"])
def test_statistics_page_for_each_role(cast, make_ticket, login, who):
    make_ticket()
    response = login(getattr(cast, who)).get(reverse("tickets:stats"))
    assert response.status_code == 200
    assert "chart-month" in response.content.decode()


def test_statistics_for_a_unit_outside_scope_is_404(cast, make_ticket, login):
    make_ticket()
    url = reverse("tickets:stats") + f"?unit={cast.city.east.pk}"
    assert login(cast.outsider).get(url).status_code == 404


def test_settings_office_edits_sla_others_read(cast, login):
    from dangjian.warmth.tickets.models import SlaPolicy

    policy = SlaPolicy.objects.get(kind="complaint", priority="normal")
    data = {
        "policy_id": policy.pk,
        f"p{policy.pk}-first_response_hours": "2",
        f"p{policy.pk}-resolution_hours": "21",
        f"p{policy.pk}-remind_before_hours": "3",
        f"p{policy.pk}-max_transfers": "2",
    }
    assert login(cast.manager).post(reverse("tickets:settings"), data).status_code == 404
    assert login(cast.office).post(reverse("tickets:settings"), data).status_code == 302
    policy.refresh_from_db()
    assert policy.resolution_hours == 21
    assert login(cast.manager).get(reverse("tickets:settings")).status_code == 200


# --- The secretary's list and the 仅超时 filter at scale: same rows, index-friendly SQL ----------


def _spread_tickets(cast, make_ticket):
    """东湖 area (the manager's), 东湖 bureau (the office's) and 西山 area (the outsider's)."""
    make_ticket(subject="东湖片区诉求")
    make_ticket(cast.office, subject="东湖县局诉求", customer=None, unit=cast.city.east)
    make_ticket(cast.outsider, subject="西山片区诉求", customer=cast.customers.west)


def test_the_secretary_lists_his_branch_units_tickets_by_a_literal_unit_list(
    cast, make_ticket, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _spread_tickets(cast, make_ticket)
    client = login(cast.secretary)
    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("tickets:list") + "?view=all")
    rows = {t.subject for t in response.context["listing"].rows}
    assert rows == {"东湖片区诉求", "东湖县局诉求"}
    ticket_sql = [q["sql"] for q in ctx.captured_queries if "warmth_tickets_ticket" in q["sql"]]
    assert ticket_sql and not any("orgs_partyorg" in sql for sql in ticket_sql)
    # The same tickets through the detail pages: his units' open, 西山's 404.
    west = Ticket.objects.get(subject="西山片区诉求")
    assert client.get(reverse("tickets:detail", args=[west.pk])).status_code == 404


def test_the_secretary_list_matches_the_join_through_the_branch_units(cast, make_ticket):
    from dangjian.accounts.models import User
    from dangjian.orgs.models import PartyOrg
    from dangjian.warmth.tickets import selectors

    _spread_tickets(cast, make_ticket)
    for who, branch in (("secretary", cast.city.east_branch), ("outsider", cast.city.west_branch)):
        user = User.objects.get(pk=getattr(cast, who).pk)
        subtree = PartyOrg.objects.filter(path__startswith=branch.path)
        by_join = set(
            Ticket.objects.filter(unit__party_orgs__in=subtree).values_list("pk", flat=True)
        )
        assert set(selectors.ticket_list(user).values_list("pk", flat=True)) == by_join
        mine = Ticket.objects.filter(Q(owner=user) | Q(handler=user)).values_list("pk", flat=True)
        visible = set(selectors.visible_tickets(user).values_list("pk", flat=True))
        assert visible == by_join | set(mine)


def _set_clock(ticket, **values):
    Ticket.objects.filter(pk=ticket.pk).update(**values)
    ticket.refresh_from_db()
    return ticket


def test_the_overdue_filter_lists_exactly_the_overdue_tickets(cast, make_ticket, login):
    import datetime as dt

    from django.utils import timezone

    from dangjian.warmth.tickets import selectors

    now = timezone.now()
    past, future = now - dt.timedelta(hours=1), now + dt.timedelta(days=2)
    cases = {
        "新登记已超时": dict(status="new", first_response_due=past, resolution_due=future),
        "新登记未超时": dict(status="new", first_response_due=future, resolution_due=future),
        "办理中已超时": dict(status="open", first_response_due=past, resolution_due=past),
        "办理中未超时": dict(status="open", first_response_due=past, resolution_due=future),
        "已答复未结案": dict(status="open", resolution_due=past, resolved_at=past),
        "待补充": dict(status="waiting", first_response_due=past, resolution_due=past),
        "已答复": dict(status="resolved", resolution_due=past, resolved_at=past),
        "已结案": dict(status="closed", resolution_due=past, closed_at=past),
    }
    tickets = [_set_clock(make_ticket(subject=s), **v) for s, v in cases.items()]
    expected = {t.subject for t in tickets if t.is_overdue(now)}
    assert expected == {"新登记已超时", "办理中已超时"}
    listed = selectors.ticket_list(cast.office, overdue=True)
    assert {t.subject for t in listed} == expected
    page = login(cast.manager).get(reverse("tickets:list") + "?view=all&overdue=on")
    assert {t.subject for t in page.context["listing"].rows} == expected
    assert selectors.counts_for_home(cast.manager)["overdue"] == 2


@pytest.mark.django_db
def test_the_overdue_filter_is_a_range_of_the_running_clock_index(cast, make_ticket):
    """On PostgreSQL the filter's WHERE matches ticket_running_clock_idx (expression and
    condition): with sequential scans off the plan must use it, whatever the table size."""
    from django.db import connection

    from dangjian.warmth.tickets import selectors

    if connection.vendor != "postgresql":
        pytest.skip("plan shape: PostgreSQL only")
    make_ticket()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = selectors.ticket_list(cast.office, overdue=True).order_by().explain()
    assert "ticket_running_clock_idx" in plan
