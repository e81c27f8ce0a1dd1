"""A 三评 campaign over the cast's city, built directly with the ORM (the core's services are
another module's business): criteria 服务态度 (weight 2) and 敬业精神 (weight 1) on the 1–5
scale; rater kinds customer 40, peer 40, self 20."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dangjian.appraisal.models import Campaign, Criterion, RaterWeight, Rating, RatingToken, Score


def make_campaign(org, *, name="2026年度三评", scale="five", weights=None, criteria=None):
    campaign = Campaign.objects.create(
        name=name,
        year=2026,
        party_org=org,
        scale=scale,
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 20),
        status="closed",
    )
    for position, (label, weight) in enumerate(
        (criteria or [("服务态度", 2), ("敬业精神", 1)]), start=1
    ):
        Criterion.objects.create(
            campaign=campaign, name=label, weight=Decimal(weight), position=position
        )
    for kind, weight in (weights or {"customer": 40, "peer": 40, "self": 20}).items():
        RaterWeight.objects.create(campaign=campaign, kind=kind, weight=Decimal(weight))
    return campaign


_token_seq = iter(range(1, 10**6))


def rate(campaign, ratee, kind, values, *, rater=None, token=None, device="", excluded=False):
    """One sheet: ``values`` in criterion order."""
    rating = Rating.objects.create(
        campaign=campaign,
        ratee=ratee,
        kind=kind,
        rater=rater,
        token=token,
        device_hash=device,
        excluded=excluded,
    )
    for criterion, value in zip(campaign.criteria.order_by("position"), values, strict=True):
        Score.objects.create(rating=rating, criterion=criterion, value=value)
    return rating


def token_for(campaign, customer):
    return RatingToken.objects.create(
        campaign=campaign, customer=customer, token=f"t{next(_token_seq):031d}"
    )


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.city.committee)


@pytest.fixture
def rated(cast, campaign):
    """李四: customer sheets (5,5)→100 and (4,4)→80, peer 张三 (3,3)→60, self (5,5)→100.
    张三: peer 李四 (4,4)→80. 单雄信 (probationary): peer 李四 (5,5)→100. 钱七 (west):
    peer 赵六 (2,2)→40. The east customer's manager 王五 is not a member."""
    p = cast.people
    east = token_for(campaign, cast.customers.east)
    bureau = token_for(campaign, cast.customers.east_bureau)
    sheets = SimpleNamespace(
        customer_a=rate(campaign, p.member, "customer", [5, 5], token=east),
        customer_b=rate(campaign, p.member, "customer", [4, 4], token=bureau),
        peer=rate(campaign, p.member, "peer", [3, 3], rater=p.secretary),
        self=rate(campaign, p.member, "self", [5, 5], rater=p.member),
        secretary=rate(campaign, p.secretary, "peer", [4, 4], rater=p.member),
        probationary=rate(campaign, p.probationary, "peer", [5, 5], rater=p.member),
        west=rate(campaign, p.west_member, "peer", [2, 2], rater=p.outsider),
    )
    return SimpleNamespace(campaign=campaign, tokens=(east, bureau), sheets=sheets)
