"""The read-only API for campaigns and ratings."""

from dangjian.appraisal import services

from .conftest import full_scores, make_campaign


def test_campaigns_with_criteria_and_weights(api, cast, campaign):
    data = api(cast.office).get("/api/v1/appraisal/campaigns").json()
    assert data["count"] == 1
    item = data["items"][0]
    assert [c["name"] for c in item["criteria"]][:1] == ["服务态度"]
    assert sum(w["weight"] for w in item["weights"]) == 100


def test_ratings_are_anonymous(api, cast, campaign):
    services.rating_submit(
        actor=cast.member,
        campaign=campaign,
        ratee=cast.people.secretary,
        kind="peer",
        raw=full_scores(campaign),
        comment="",
    )
    data = api(cast.office).get(f"/api/v1/appraisal/campaigns/{campaign.pk}/ratings").json()
    (item,) = data["items"]
    assert item["ratee_name"] == "张三" and "rater" not in str(item)
    assert len(item["scores"]) == 4


def test_the_outsider_gets_404_for_a_branch_campaign(api, cast):
    campaign = make_campaign(cast.secretary, cast.city.east_branch)
    client = api(cast.outsider)
    assert client.get(f"/api/v1/appraisal/campaigns/{campaign.pk}").status_code == 404
    assert client.get(f"/api/v1/appraisal/campaigns/{campaign.pk}/ratings").status_code == 404
    assert client.get("/api/v1/appraisal/campaigns").json()["count"] == 0
