from dangjian.warmth.tickets.models import Ticket


def test_list_and_detail_are_scoped(cast, make_ticket, api):
    ticket = make_ticket()
    body = api(cast.manager).get("/api/v1/tickets").json()
    assert body["count"] == 1 and body["items"][0]["contact_phone_masked"] == "139****0000"
    assert api(cast.outsider).get("/api/v1/tickets").json()["count"] == 0
    assert api(cast.outsider).get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    detail = api(cast.manager).get(f"/api/v1/tickets/{ticket.pk}").json()
    assert [e["kind"] for e in detail["events"]] == ["created", "accepted"]


def test_another_system_creates_an_unowned_ticket(cast, api):
    response = api(cast.manager).post(
        "/api/v1/tickets",
        {
            "kind": "inquiry",
            "category": "货源供应",
            "customer_id": cast.customers.east.pk,
            "contact_name": "王小明",
            "subject": "12313热线转来",
            "text": "咨询新品上市时间",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.channel == "api" and ticket.status == "new" and ticket.owner is None
    assert response.json()["tracking_url"].endswith(f"/track/{ticket.tracking_code}/")


def test_bad_payload_names_the_field(cast, api):
    response = api(cast.manager).post(
        "/api/v1/tickets",
        {"kind": "inquiry", "category": "不存在", "contact_name": "x", "subject": "s", "text": "t"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "category" in response.json()["errors"]
    assert Ticket.objects.count() == 0
