"""The no-login pages: the customer's token page, 评一评 from a card, the questionnaire."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dangjian.appraisal import public_views, services
from dangjian.appraisal.models import Rating, RatingToken

from .conftest import make_campaign


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _post_all(campaign, person_id, value="5", comment=""):
    data = {f"s-{person_id}-{c.pk}": value for c in campaign.criteria.all()}
    data[f"c-{person_id}"] = comment
    return data


def test_the_customer_sees_who_serves_him_and_rates_once(client, cast, campaign, east_token):
    url = reverse("appraisal:rate", args=[east_token.token])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "王五" in body and "客户经理" in body
    assert "13900000000" not in body  # no personal data
    response = client.post(url, _post_all(campaign, cast.people.manager.pk))
    assert response.status_code == 302 and response["Location"] == url
    assert "已提交" in client.get(url).content.decode()
    again = client.post(url, _post_all(campaign, cast.people.manager.pk))
    assert again.status_code == 200 and Rating.objects.count() == 1


def test_a_score_out_of_range_shows_the_criterion_and_saves_nothing(
    client, cast, campaign, east_token
):
    url = reverse("appraisal:rate", args=[east_token.token])
    response = client.post(url, _post_all(campaign, cast.people.manager.pk, value="9"))
    assert response.status_code == 422
    assert "服务态度：分数须在1–5之间" in response.content.decode()
    assert not Rating.objects.exists()
    assert RatingToken.objects.get(pk=east_token.pk).used_at is None


def test_a_sheet_for_someone_who_does_not_serve_the_customer_writes_nothing(
    client, cast, campaign, east_token
):
    url = reverse("appraisal:rate", args=[east_token.token])
    data = _post_all(campaign, cast.people.manager.pk)
    data.update(_post_all(campaign, cast.people.secretary.pk))  # a member, but not his
    response = client.post(url, data)
    assert response.status_code == 422
    assert "只能评议为您服务的党员" in response.content.decode()
    assert not Rating.objects.exists()
    assert RatingToken.objects.get(pk=east_token.pk).used_at is None
    # The page still offers the member who does serve him, and takes his sheet.
    assert "王五" in response.content.decode()
    assert client.post(url, _post_all(campaign, cast.people.manager.pk)).status_code == 302


def test_an_empty_submission_is_refused(client, cast, campaign, east_token):
    response = client.post(reverse("appraisal:rate", args=[east_token.token]), {})
    assert response.status_code == 422
    assert "请至少为一位党员打分" in response.content.decode()


def test_script_in_a_comment_is_shown_as_text(client, cast, campaign, east_token, login):
    url = reverse("appraisal:rate", args=[east_token.token])
    client.post(url, _post_all(campaign, cast.people.manager.pk, comment="<script>x()</script>"))
    export = login(cast.office).get(reverse("appraisal:export", args=[campaign.pk]))
    assert export.status_code == 200
    response = client.post(
        url, _post_all(campaign, cast.people.manager.pk, value="9", comment="<b>")
    )
    assert "<b>" not in response.content.decode()


def test_a_closed_campaign_says_so(client, cast, campaign, east_token):
    services.campaign_close(actor=cast.office, campaign=campaign)
    url = reverse("appraisal:rate", args=[east_token.token])
    assert "已截止" in client.get(url).content.decode()
    client.post(url, _post_all(campaign, cast.people.manager.pk))
    assert not Rating.objects.exists()


def test_an_unknown_token_is_404(client, campaign):
    assert client.get(reverse("appraisal:rate", args=["x" * 32])).status_code == 404


def test_photos_only_of_the_members_on_the_page(client, cast, campaign, east_token):
    ok = reverse("appraisal:rate_photo", args=[east_token.token, cast.people.member.pk])
    assert client.get(ok).status_code == 404


# -- 评一评 from a member's card ---------------------------------------------------------------


def _public_post(client, url, campaign, **extra):
    page = client.get(url)
    token = page.context["form_token"]
    data = {f"s-{c.pk}": "4" for c in campaign.criteria.all()}
    data.update({"ft": token, "comment": ""}, **extra)
    return client.post(url, data)


def test_public_rating_from_the_card_counts_once_per_device(client, cast, campaign, member_card):
    url = reverse("appraisal:public_rate", args=[member_card.public_token])
    page = client.get(url)
    assert page.status_code == 200 and "李四" in page.content.decode()
    assert "thanks" not in page.context or not page.context["thanks"]
    response = _public_post(client, url, campaign)
    assert response.status_code == 200 and response.context["thanks"]
    again = _public_post(client, url, campaign)
    assert again.status_code == 422 and "只能评一次" in again.content.decode()
    assert Rating.objects.filter(kind="public").count() == 1


def test_a_forged_form_token_is_refused(client, cast, campaign, member_card):
    url = reverse("appraisal:public_rate", args=[member_card.public_token])
    client.get(url)
    data = {f"s-{c.pk}": "4" for c in campaign.criteria.all()}
    response = client.post(url, {**data, "ft": "forged"})
    assert response.status_code == 422 and not Rating.objects.exists()


def test_flooding_from_one_address_is_refused_after_the_limit(
    client, cast, campaign, member_card, monkeypatch
):
    monkeypatch.setattr(public_views, "PUBLIC_RATE_LIMIT", 3)
    url = reverse("appraisal:public_rate", args=[member_card.public_token])
    statuses = []
    for i in range(6):
        client.cookies["dj_device"] = f"{i:032x}"  # a new device each time
        statuses.append(_public_post(client, url, campaign).status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert Rating.objects.count() == 3


def test_no_open_campaign_means_no_form(client, cast, member_card):
    page = client.get(reverse("appraisal:public_rate", args=[member_card.public_token]))
    assert page.status_code == 200
    assert "目前没有进行中的群众评议" in page.content.decode()


def test_an_unpublished_card_is_404(client, cast, campaign, member_card):
    member_card.is_published = False
    member_card.save()
    url = reverse("appraisal:public_rate", args=[member_card.public_token])
    assert client.get(url).status_code == 404


def test_the_questionnaire_lists_published_cards_and_rates_as_public(
    client, cast, campaign, member_card
):
    survey = reverse("appraisal:survey", args=[campaign.public_token])
    page = client.get(survey)
    assert page.status_code == 200 and "李四" in page.content.decode()
    url = reverse("appraisal:survey_rate", args=[campaign.public_token, member_card.public_token])
    assert _public_post(client, url, campaign).context["thanks"]
    assert Rating.objects.get().kind == "public"


def test_a_draft_campaigns_questionnaire_is_404(client, cast):
    draft = make_campaign(cast.office, cast.city.committee, status="draft")
    assert client.get(reverse("appraisal:survey", args=[draft.public_token])).status_code == 404


def test_the_questionnaire_does_not_rate_members_outside_its_campaign(client, cast):
    from dangjian.exemplar.showcase.models import MemberCard

    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    west = MemberCard.objects.create(person=cast.people.west_member)
    url = reverse("appraisal:survey_rate", args=[campaign.public_token, west.public_token])
    assert client.get(url).status_code == 404
