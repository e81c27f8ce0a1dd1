from django.core.cache import cache
from django.urls import reverse

from dangjian.warmth.tickets import services
from dangjian.warmth.tickets.models import Ticket


def _form(client):
    page = client.get(reverse("tickets:public"))
    return page.context["form"].initial["token"]


def _data(cast, category, token, **extra):
    data = {
        "kind": "complaint",
        "category": category.pk,
        "unit": cast.city.east.pk,
        "contact_name": "赵大爷",
        "contact_phone": "13711112222",
        "subject": "送货不及时",
        "text": "连续两周晚到",
        "token": token,
    }
    data.update(extra)
    return data


def test_public_submission_gives_a_tracking_link(client, cast, category):
    cache.clear()
    response = client.post(reverse("tickets:public"), _data(cast, category, _form(client)))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.tracking_code in response["Location"]
    assert ticket.status == Ticket.Status.NEW and ticket.channel == "public"
    page = client.get(response["Location"]).content.decode()
    assert "提交成功" in page and "送货不及时" in page
    assert "13711112222" not in page


def test_a_replayed_form_is_refused(client, cast, category):
    cache.clear()
    token = _form(client)
    client.post(reverse("tickets:public"), _data(cast, category, token))
    response = client.post(reverse("tickets:public"), _data(cast, category, token))
    assert response.status_code == 422
    assert Ticket.objects.count() == 1


def test_bad_public_input_names_the_field(client, cast, category):
    cache.clear()
    response = client.post(
        reverse("tickets:public"),
        _data(cast, category, _form(client), contact_phone="abc", text=""),
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "联系电话：" in body and "具体内容：" in body
    assert Ticket.objects.count() == 0


def test_rate_limit_per_address(client, cast, category):
    cache.clear()
    for _ in range(5):
        client.post(reverse("tickets:public"), _data(cast, category, _form(client)))
    response = client.post(reverse("tickets:public"), _data(cast, category, _form(client)))
    assert response.status_code == 429
    assert Ticket.objects.count() == 5


def test_unknown_tracking_code_is_404(client, db):
    assert client.get(reverse("tickets:track", args=["no-such-code"])).status_code == 404


def test_the_customer_supplements_while_waiting(client, cast, make_ticket):
    cache.clear()
    ticket = make_ticket()
    services.ticket_wait(actor=cast.manager, ticket=ticket, note="请提供照片")
    url = reverse("tickets:track", args=[ticket.tracking_code])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(
        reverse("tickets:supplement", args=[ticket.tracking_code]),
        {"text": "照片已发微信", "token": token},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_rating_link_works_once(client, cast, make_ticket):
    cache.clear()
    ticket = make_ticket()
    services.ticket_close(actor=cast.manager, ticket=ticket, resolution="已解决")
    ticket.refresh_from_db()
    url = reverse("tickets:rate", args=[ticket.rating_code])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"rating": "", "comment": ""})
    assert bad.status_code == 422 and "满意度：" in bad.content.decode()
    assert client.post(url, {"rating": "4", "comment": "不错"}).status_code == 302
    assert client.get(url).status_code == 404
    ticket.refresh_from_db()
    assert ticket.rating == 4


def test_a_merged_ticket_tracks_the_survivor(client, cast, make_ticket):
    first, second = make_ticket(), make_ticket(subject="重复反映")
    services.ticket_merge(actor=cast.manager, ticket=second, into=first)
    body = client.get(reverse("tickets:track", args=[second.tracking_code])).content.decode()
    assert first.number in body
