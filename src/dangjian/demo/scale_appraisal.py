"""Scale data for 三评 collection on top of ``demo.scale``: a national campaign open now over
the whole scale party tree, its customer tokens written by the real token job body
(``services.tokens_write``: ``INSERT … SELECT`` chunks with ``gen_random_uuid()``), and the
sheets of the first ten days — a fifth of the customers answered (each rating the members
who serve him), half of the members assessed themselves, peers rated the next colleagues of
their branch, and some 群众评议. The remaining tokens stay unused for the submission load
test (``bench/appraisal_load.py``).

Sheets and scores are written inside the database (``INSERT … SELECT``), never row by row
through Python. PostgreSQL only for the sheets; on SQLite only the campaign and tokens.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.utils import timezone

from dangjian.appraisal import services
from dangjian.appraisal.models import Campaign
from dangjian.orgs.models import PartyOrg

from .scale import PREFIX

CAMPAIGN_NAME = "规模测试三评（评议进行中）"
CUSTOMER_SHARE = 0.2


def _campaign(root: PartyOrg) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=CAMPAIGN_NAME,
        year=today.year,
        party_org=root,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=25),
        status=Campaign.Status.OPEN,
    )
    campaign.criteria.bulk_create(
        campaign.criteria.model(campaign=campaign, name=name, weight=weight, position=i)
        for i, (name, weight) in enumerate(services.default_criteria())
    )
    campaign.rater_weights.bulk_create(
        campaign.rater_weights.model(campaign=campaign, kind=kind, weight=weight)
        for kind, weight in services.DEFAULT_WEIGHTS.items()
    )
    return campaign


RATING_COLUMNS = (
    "campaign_id, ratee_id, kind, rater_id, rater_user_id, token_id, device_hash, comment, "
    "submitted_at, excluded, excluded_reason"
)


def _sheets(campaign: Campaign, root: PartyOrg) -> dict:
    subtree = f"{root.path}%"
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE appraisal_ratingtoken SET used_at = now() - random() * interval '9 days' "
            "WHERE campaign_id = %s AND random() < %s",
            [campaign.pk, CUSTOMER_SHARE],
        )
        counts["tokens_used"] = cursor.rowcount
        cursor.execute(
            f"INSERT INTO appraisal_rating ({RATING_COLUMNS}) "  # noqa: S608 - constants
            "SELECT DISTINCT t.campaign_id, s.pid, 'customer', NULL::bigint, NULL::bigint, t.id, "
            "'', '', t.used_at, false, '' "
            "FROM appraisal_ratingtoken t "
            "JOIN customers_retailcustomer c ON c.id = t.customer_id "
            "CROSS JOIN LATERAL (VALUES (c.account_manager_id), (c.inspector_id), "
            "(c.courier_id)) AS s(pid) "
            "JOIN people_membership m ON m.person_id = s.pid "
            "WHERE t.campaign_id = %s AND t.used_at IS NOT NULL",
            [campaign.pk],
        )
        counts["customer_sheets"] = cursor.rowcount
        members = (
            "SELECT m.person_id, m.branch_id, "
            "row_number() OVER (PARTITION BY m.branch_id ORDER BY m.person_id) AS rn "
            "FROM people_membership m JOIN orgs_partyorg o ON o.id = m.branch_id "
            "WHERE o.path LIKE %s"
        )
        cursor.execute(
            f"INSERT INTO appraisal_rating ({RATING_COLUMNS}) "  # noqa: S608 - constants
            "SELECT %s, person_id, 'self', person_id, NULL, NULL, '', '', "
            "now() - random() * interval '9 days', false, '' "
            f"FROM ({members}) AS x WHERE random() < 0.5",
            [campaign.pk, subtree],
        )
        counts["self_sheets"] = cursor.rowcount
        cursor.execute(
            f"WITH x AS ({members}) "  # noqa: S608 - constants
            f"INSERT INTO appraisal_rating ({RATING_COLUMNS}) "
            "SELECT %s, b.person_id, 'peer', a.person_id, NULL, NULL, '', '', "
            "now() - random() * interval '9 days', false, '' "
            "FROM x a JOIN x b ON b.branch_id = a.branch_id AND b.rn BETWEEN a.rn + 1 AND a.rn + 4 "
            "WHERE random() < 0.5",
            [subtree, campaign.pk],
        )
        counts["peer_sheets"] = cursor.rowcount
        cursor.execute(
            f"INSERT INTO appraisal_rating ({RATING_COLUMNS}) "  # noqa: S608 - constants
            "SELECT %s, person_id, 'public', NULL, NULL, NULL, md5(random()::text || person_id), "
            "'', now() - random() * interval '9 days', false, '' "
            f"FROM ({members}) AS x WHERE random() < 0.2",
            [campaign.pk, subtree],
        )
        counts["public_sheets"] = cursor.rowcount
        cursor.execute(
            "INSERT INTO appraisal_score (rating_id, criterion_id, value) "
            "SELECT r.id, cr.id, least(5, greatest(1, round(3.9 + random() * 1.6 - 0.4)))::int "
            "FROM appraisal_rating r JOIN appraisal_criterion cr ON cr.campaign_id = r.campaign_id "
            "WHERE r.campaign_id = %s",
            [campaign.pk],
        )
        counts["scores"] = cursor.rowcount
    return counts


def generate(*, years: int = 5, seed: int = 23) -> dict:
    """The open national campaign with its tokens and first sheets; returns counts (and the
    token job's seconds under ``tokens_s``)."""
    root = PartyOrg.objects.get(code=f"{PREFIX}-PROOT")
    if Campaign.objects.filter(name=CAMPAIGN_NAME, party_org=root).exists():
        return {}
    with transaction.atomic():
        campaign = _campaign(root)
    started = time.monotonic()
    made = services.tokens_write(campaign_id=campaign.pk)
    counts = {"appraisal_tokens": made["total"], "tokens_s": round(time.monotonic() - started, 1)}
    if connection.vendor == "postgresql":
        with transaction.atomic():
            counts.update({f"appraisal_{k}": v for k, v in _sheets(campaign, root).items()})
    return counts


_CASES = [
    ("三评 活动列表", "office", "/appraisal/"),
    ("三评 活动详情 全国", "office", "/appraisal/{campaign}/"),
    ("三评 活动详情 支部书记", "secretary", "/appraisal/{campaign}/"),
    ("三评 评议码列表", "office", "/appraisal/{campaign}/tokens/"),
    ("三评 评议码 搜索", "office", "/appraisal/{campaign}/tokens/?q=36"),
    ("三评 待我评议 党员", "member", "/appraisal/todo/"),
    ("三评 待我评议 支部书记", "secretary", "/appraisal/todo/"),
    ("三评 党员互评表", "member", "/appraisal/{campaign}/sheet/{peer}/peer/"),
    ("三评 客户评议页", "member", "/appraisal/rate/{token}/"),
    ("API 三评 评议记录", "office", "/api/v1/appraisal/campaigns/{campaign}/ratings"),
]


class _BenchCases:
    """The cases with the campaign's id, an unused token and a peer of the bench member
    filled in when the bench iterates them (they exist only once the data is generated)."""

    def __iter__(self):
        from dangjian.appraisal.models import RatingToken
        from dangjian.people.models import Person

        campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).order_by("-pk").first()
        if campaign is None:
            return iter(())
        token = (
            RatingToken.objects.filter(
                campaign=campaign,
                used_at__isnull=True,
                customer__account_manager__membership__isnull=False,
            )
            .values_list("token", flat=True)
            .first()
        )
        me = Person.objects.filter(user__username="bench_member").select_related("membership")
        me = me.first()
        peer = (
            Person.objects.filter(membership__branch_id=me.membership.branch_id)
            .exclude(pk=me.pk)
            .values_list("pk", flat=True)
            .first()
            if me is not None and hasattr(me, "membership")
            else 0
        )
        return iter(
            (label, user, url.format(campaign=campaign.pk, token=token or "x", peer=peer or 0))
            for label, user, url in _CASES
        )


BENCH_CASES = _BenchCases()
