# ruff: noqa: S608 - SQL text holds only model table names and generated ids; values are params
"""Scale data for 三评 results on top of ``demo.scale``: one closed campaign over the whole
scale party tree with ratings for every member — peers (up to ``PEERS`` branch colleagues
each), the branch's first member as leader, 90 % self-assessments, a token for every
customer of the tree (60 % used, each rating the members who serve the customer), a few
public ratings, and some lenient raters (every sheet 5) — then its results computed and a
few suggestion-box messages.

Ratings go out with ``COPY`` (``TableWriter``: tuples streamed, ids from the sequence); the
scores (4 criteria per sheet) are derived inside the database with one
``INSERT … SELECT`` over the new sheets (no Python row per score).

``generate(years=…, seed=…)`` is what ``gen_scale`` calls; ``generate_campaign(…)`` can be
called alone (``dangjian shell -c``) and returns counts with timings.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from dangjian.appraisal.models import Campaign, Criterion, RaterWeight, Rating, RatingToken, Score
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.platform.bulk_write import TableWriter, reserve_ids

from .scale import PREFIX

CAMPAIGN_NAME = "规模测试年度三评（结果计算）"
PEERS = 8
CRITERIA = [("服务态度", 2), ("敬业精神", 1), ("政策水平", 1), ("业务技能", 1)]
WEIGHTS = {"customer": 40, "peer": 25, "leader": 20, "self": 5, "public": 10}
BATCH = 50_000


def _ids(model, n: int) -> list[int]:
    if connection.vendor == "postgresql":
        return reserve_ids(model, n)
    start = TableWriter(model).next_id()
    return list(range(start, start + n))


def _write(model, rows: list[dict]) -> int:
    ids = _ids(model, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    return TableWriter(model).write(rows)


def generate(*, years: int = 5, seed: int = 17) -> dict:
    """gen_scale's entry point: the campaign of the last year with its results."""
    counts = generate_campaign(seed=seed)
    return {k: v for k, v in counts.items() if not k.endswith("_s")}


def generate_campaign(*, seed: int = 17, root: PartyOrg | None = None, compute: bool = True):
    rng = random.Random(seed)
    started = time.monotonic()
    timings: dict[str, float] = {}
    root = root or PartyOrg.objects.get(code=f"{PREFIX}-PROOT")
    if Campaign.objects.filter(name=CAMPAIGN_NAME, party_org=root).exists():
        raise ValueError("规模数据中已有三评结果测试活动")
    today = timezone.localdate()
    year = today.year
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=CAMPAIGN_NAME,
            year=year,
            party_org=root,
            scale="five",
            starts_on=dt.date(year, 1, 1),
            ends_on=min(today, dt.date(year, 11, 30)),
            status="closed",
        )
        criteria = [
            Criterion.objects.create(campaign=campaign, name=n, weight=Decimal(w), position=i)
            for i, (n, w) in enumerate(CRITERIA, 1)
        ]
        for kind, weight in WEIGHTS.items():
            RaterWeight.objects.create(campaign=campaign, kind=kind, weight=Decimal(weight))

        members: dict[int, list[int]] = {}
        for person_id, branch_id in (
            Membership.objects.filter(branch__path__startswith=root.path)
            .order_by("branch_id", "person_id")
            .values_list("person_id", "branch_id")
            .iterator(chunk_size=50_000)
        ):
            members.setdefault(branch_id, []).append(person_id)
        n_members = sum(len(v) for v in members.values())

        ratings: list[dict] = []
        written = 0

        def flush(force=False):
            nonlocal ratings, written
            if ratings and (force or len(ratings) >= BATCH):
                written += _write(Rating, ratings)
                ratings = []

        base = {
            "campaign_id": campaign.pk,
            "device_hash": "",
            "comment": "",
            "submitted_at": now,
            "excluded": False,
            "excluded_reason": "",
        }
        lenient = set()
        for _branch_id, people in members.items():
            leader = people[0]
            for ratee in people:
                if ratee != leader:
                    ratings.append(
                        {**base, "ratee_id": ratee, "kind": "leader", "rater_id": leader}
                    )
                if rng.random() < 0.9:
                    ratings.append({**base, "ratee_id": ratee, "kind": "self", "rater_id": ratee})
                others = [p for p in people if p != ratee]
                for rater in rng.sample(others, min(PEERS, len(others))):
                    ratings.append({**base, "ratee_id": ratee, "kind": "peer", "rater_id": rater})
                if rng.random() < 0.05:
                    for _ in range(2):
                        ratings.append(
                            {
                                **base,
                                "ratee_id": ratee,
                                "kind": "public",
                                "device_hash": secrets.token_hex(32),
                            }
                        )
                flush()
            if rng.random() < 0.02 and len(people) > 3:
                lenient.add(people[1])
        flush(force=True)
        timings["named_ratings_s"] = round(time.monotonic() - started, 1)

        # Customer tokens (every customer of the tree) and the used ones' ratings.
        customers = (
            RetailCustomer.objects.filter(unit__path__startswith=_unit_root_path())
            .values_list("pk", "account_manager_id", "courier_id", "inspector_id")
            .order_by("pk")
        )
        tokens: list[dict] = []
        used: list[tuple[int, tuple]] = []
        n_tokens = 0
        member_ids = {p for people in members.values() for p in people}

        def flush_tokens(force=False):
            nonlocal tokens, used, n_tokens
            if not tokens or (not force and len(tokens) < BATCH):
                return
            _write(RatingToken, tokens)
            n_tokens += len(tokens)
            for token, staff in used:
                for ratee in {s for s in staff if s in member_ids}:
                    ratings.append(
                        {**base, "ratee_id": ratee, "kind": "customer", "token_id": token["id"]}
                    )
            tokens, used = [], []
            flush()

        for customer_id, *staff in customers.iterator(chunk_size=50_000):
            token = {
                "campaign_id": campaign.pk,
                "customer_id": customer_id,
                "token": secrets.token_hex(16),
                "created_at": now,
                "used_at": now if rng.random() < 0.6 else None,
            }
            tokens.append(token)
            if token["used_at"] is not None:
                used.append((token, tuple(s for s in staff if s)))
            flush_tokens()
        flush_tokens(force=True)
        flush(force=True)
        timings["customer_ratings_s"] = round(time.monotonic() - started, 1)

        # Scores inside the database: 4 per sheet, 3–5 with a member-dependent lean;
        # lenient raters give 5 everywhere.
        _scores(campaign, criteria, lenient)
        timings["scores_s"] = round(time.monotonic() - started, 1)
        Campaign.objects.filter(pk=campaign.pk).update(tokens_total=n_tokens)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Rating, Score, RatingToken):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    counts = {
        "grading_members": n_members,
        "grading_tokens": n_tokens,
        "grading_ratings": written,
        "grading_scores": Score.objects.filter(rating__campaign=campaign).count()
        if connection.vendor != "postgresql"
        else written * len(criteria),
        **timings,
    }
    if compute:
        from dangjian.appraisal.grading.services import results_compute

        t0 = time.monotonic()
        run = results_compute(actor=None, campaign=campaign)
        counts["grading_results"] = run.members
        counts["compute_s"] = round(time.monotonic() - t0, 1)
        from dangjian.appraisal.grading.models import LeniencyFlag

        counts["grading_flags"] = LeniencyFlag.objects.filter(campaign=campaign).count()
        _suggestions(rng, root)
    return counts


def _unit_root_path() -> str:
    from dangjian.orgs.models import Unit

    return Unit.objects.get(code=f"{PREFIX}-ROOT").path


def _scores(campaign, criteria, lenient) -> None:
    rating, score = (connection.ops.quote_name(m._meta.db_table) for m in (Rating, Score))
    lenient_ids = ",".join(str(i) for i in sorted(lenient)) or "0"
    for c in criteria:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {score} (rating_id, criterion_id, value)
                SELECT r.id, %s,
                       CASE WHEN r.rater_id IN ({lenient_ids}) THEN 5
                            ELSE 3 + ((r.id * 7 + r.ratee_id * 3 + %s) %% 5 + r.ratee_id %% 3) / 3
                       END
                FROM {rating} r WHERE r.campaign_id = %s""",
                [c.pk, c.pk, campaign.pk],
            )


def _suggestions(rng: random.Random, root: PartyOrg) -> None:
    from dangjian.appraisal.suggestions.models import Suggestion, SuggestionBox

    branches = list(
        PartyOrg.objects.filter(path__startswith=root.path, kind=PartyOrg.Kind.BRANCH)
        .exclude(pk__in=SuggestionBox.objects.values("branch_id"))
        .values_list("pk", flat=True)[:2000]
    )
    boxes = SuggestionBox.objects.bulk_create([SuggestionBox(branch_id=b) for b in branches])
    messages = []
    for box in boxes:
        for _ in range(rng.randint(0, 6)):
            messages.append(
                Suggestion(
                    box=box,
                    content="规模测试留言：营业厅服务态度好，希望延长周末服务时间。",
                    status=rng.choice(["open", "answered", "closed"]),
                    answer="已收悉，感谢您的建议。",
                )
            )
    Suggestion.objects.bulk_create(messages, batch_size=5000)


_CASES: list[tuple[str, str, str]] = [
    ("三评结果 活动列表", "office", "/appraisal/results/"),
    ("三评结果 全国结果页", "office", "/appraisal/results/{campaign}/"),
    ("三评结果 按得分排序", "office", "/appraisal/results/{campaign}/?sort=-score"),
    ("三评结果 搜索", "office", "/appraisal/results/{campaign}/?q=zh"),
    ("三评结果 建议不合格", "office", "/appraisal/results/{campaign}/?proposed=unqualified"),
    ("三评结果 支部书记 结果页", "secretary", "/appraisal/results/{campaign}/"),
    ("三评结果 党员本人", "member", "/appraisal/results/{campaign}/"),
    ("三评结果 雷同评分", "office", "/appraisal/results/{campaign}/leniency/"),
    ("三评结果 个人得分明细", "office", "/appraisal/results/member/{result}/"),
    ("三评结果 限期改正", "office", "/appraisal/results/plans/"),
    ("意见箱 留言列表", "office", "/suggestions/"),
    ("意见箱 待答复", "office", "/suggestions/?status=open"),
]


class _BenchCases:
    """The cases with the scale campaign's id (and a result's) filled in when the bench
    iterates them — the ids exist only once the data is generated."""

    def __iter__(self):
        from dangjian.appraisal.grading.models import MemberResult

        campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).order_by("-pk").first()
        if campaign is None:
            return iter(())
        result = (
            MemberResult.objects.filter(campaign=campaign, score__isnull=False)
            .order_by("rank_company")
            .values_list("pk", flat=True)
            .first()
        )
        return iter(
            (label, user, url.format(campaign=campaign.pk, result=result or 0))
            for label, user, url in _CASES
        )


BENCH_CASES = _BenchCases()
