"""API: 三评 campaigns and their ratings (read-only).

Campaigns are those the token's user may open (``selectors.campaigns_visible``); ratings are
limited to the branches he sees in that campaign and never carry the rater (anonymous).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema

from dangjian.platform.api import ErrorOut, PageParams, page

from . import selectors
from .models import Campaign, RaterKind

router = Router(tags=["三评"])


class CampaignFilters(PageParams):
    q: str = Field("", description="名称或组织")
    year: int | None = Field(None, description="年度")
    status: str = Field("", description="draft 草稿 / open 评议中 / closed 已截止 / graded 已评定")


class CriterionOut(Schema):
    id: int
    name: str
    weight: float


class WeightOut(Schema):
    kind: str
    kind_display: str
    weight: float


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    party_org_id: int
    party_org_name: str
    scale: str = Field(description="five 1–5 分 / hundred 0–100 分")
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_display: str
    tokens_total: int = Field(description="客户评议码数")
    criteria: list[CriterionOut]
    weights: list[WeightOut]


class CampaignPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CampaignOut]


class RatingFilters(PageParams):
    kind: str = Field("", description="customer / peer / leader / self / public")
    ratee_id: int | None = Field(None, description="被评党员")


class ScoreOut(Schema):
    criterion_id: int
    value: int


class RatingOut(Schema):
    id: int
    ratee_id: int
    ratee_name: str
    branch_id: int
    kind: str
    submitted_at: dt.datetime
    comment: str
    excluded: bool
    scores: list[ScoreOut]


class RatingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RatingOut]


def _campaign_out(campaigns) -> list[dict]:
    ids = [c.pk for c in campaigns]
    from .models import Criterion, RaterWeight

    criteria: dict[int, list] = {}
    for c in Criterion.objects.filter(campaign_id__in=ids).order_by("position", "pk"):
        criteria.setdefault(c.campaign_id, []).append(
            {"id": c.pk, "name": c.name, "weight": float(c.weight)}
        )
    weights: dict[int, list] = {}
    for w in RaterWeight.objects.filter(campaign_id__in=ids).order_by("kind"):
        weights.setdefault(w.campaign_id, []).append(
            {
                "kind": w.kind,
                "kind_display": str(RaterKind(w.kind).label),
                "weight": float(w.weight),
            }
        )
    return [
        {
            "id": c.pk,
            "name": c.name,
            "year": c.year,
            "party_org_id": c.party_org_id,
            "party_org_name": c.party_org.name,
            "scale": c.scale,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "status": c.status,
            "status_display": str(c.get_status_display()),
            "tokens_total": c.tokens_total,
            "criteria": criteria.get(c.pk, []),
            "weights": weights.get(c.pk, []),
        }
        for c in campaigns
    ]


def _campaign_or_404(actor, campaign_id: int) -> Campaign:
    campaign = (
        selectors.campaigns_visible(actor)
        .select_related("party_org")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


@router.get("/appraisal/campaigns", response=CampaignPage, summary="评议活动列表")
def campaign_list(request, filters: Query[CampaignFilters]):
    campaigns = selectors.campaign_list(
        request.auth, query=filters.q, year=filters.year, status=filters.status
    ).order_by("-year", "-pk")
    return page(campaigns, filters, _campaign_out)


@router.get(
    "/appraisal/campaigns/{campaign_id}",
    response={200: CampaignOut, 404: ErrorOut},
    summary="评议活动详情",
)
def campaign_detail(request, campaign_id: int):
    return _campaign_out([_campaign_or_404(request.auth, campaign_id)])[0]


@router.get(
    "/appraisal/campaigns/{campaign_id}/ratings",
    response={200: RatingPage, 404: ErrorOut},
    summary="评议记录（匿名，不含评议人）",
)
def rating_list(request, campaign_id: int, filters: Query[RatingFilters]):
    campaign = _campaign_or_404(request.auth, campaign_id)
    ratings = selectors.ratings_for_export(request.auth, campaign)
    if filters.kind:
        ratings = ratings.filter(kind=filters.kind)
    if filters.ratee_id:
        ratings = ratings.filter(ratee_id=filters.ratee_id)
    ratings = ratings.order_by("pk")

    def convert(rows):
        return [
            {
                "id": r.pk,
                "ratee_id": r.ratee_id,
                "ratee_name": r.ratee.name,
                "branch_id": r.ratee.membership.branch_id,
                "kind": r.kind,
                "submitted_at": r.submitted_at,
                "comment": r.comment,
                "excluded": r.excluded,
                "scores": [
                    {"criterion_id": s.criterion_id, "value": s.value} for s in r.scores.all()
                ],
            }
            for r in rows
        ]

    return page(ratings, filters, convert)
