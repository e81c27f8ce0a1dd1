"""A 2026 三评 of the cast's committee: four default criteria (1–5), every rater kind, open
today; helpers to rate through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.appraisal import services
from dangjian.appraisal.models import Campaign, RatingToken
from dangjian.exemplar.showcase.models import MemberCard


def make_campaign(actor, org, *, scale="five", status="open", weights=None, criteria=None):
    today = timezone.localdate()
    campaign = services.campaign_save(
        actor=actor,
        campaign=Campaign(
            year=today.year,
            party_org=org,
            scale=scale,
            starts_on=today - dt.timedelta(days=3),
            ends_on=today + dt.timedelta(days=20),
        ),
        criteria=criteria or services.default_criteria(),
        weights=weights or dict(services.DEFAULT_WEIGHTS),
    )
    if status == "open":
        campaign = services.campaign_open(actor=actor, campaign=campaign)
    return campaign


def full_scores(campaign, value=5):
    return {c.pk: value for c in campaign.criteria.all()}


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.office, cast.city.committee)


@pytest.fixture
def east_token(cast, campaign):
    """The east customer's token: his account manager (a party member here) serves him."""
    from dangjian.people.models import Membership

    Membership.objects.create(
        person=cast.people.manager,
        branch=cast.city.east_branch,
        status="full",
        joined_on=dt.date(2012, 7, 1),
        full_member_on=dt.date(2013, 7, 1),
    )
    services.tokens_write(campaign_id=campaign.pk)
    return RatingToken.objects.get(campaign=campaign, customer=cast.customers.east)


@pytest.fixture
def member_card(cast):
    return MemberCard.objects.create(person=cast.people.member, department="营销部")


@pytest.fixture
def weights():
    return {k: Decimal(v) for k, v in services.DEFAULT_WEIGHTS.items()}
