"""Demo 三评: the company's 2025 campaign (closed) and its 2026 campaign (open now), with
customer tokens and ratings of every kind — customers (about a third of the slips came
back), peers, secretaries' and the leader's comments, self-assessments and 群众评议.

Members differ in how well they are seen (a per-member level plus noise), and one rater in
the secretary's branch gives everyone 5 on everything (the leniency check's case). The demo
member and secretary still have sheets to fill in (待我评议)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.appraisal import services
from dangjian.appraisal.models import Campaign, RaterKind, Rating, RatingToken, Score
from dangjian.people.models import Person

from .loader import _demo_nodes

COMMENTS = {
    RaterKind.CUSTOMER: [
        "送货准时，态度很好",
        "客户经理经常来店里指导陈列，很专业",
        "政策讲得清楚，办事耐心",
        "希望能多来店里走走",
        "服务热情，有问题随叫随到",
        "",
        "",
        "",
    ],
    RaterKind.PEER: ["工作认真负责", "业务熟练，乐于助人", "学习积极，带头作用明显", ""],
    RaterKind.LEADER: [
        "政治站位高，工作扎实，客户满意度高",
        "业务能力强，希望在理论学习上再下功夫",
        "能吃苦，肯钻研，建议多承担片区攻坚任务",
        "服务意识强，起到了党员示范岗的带头作用",
    ],
    RaterKind.SELF: [
        "本年度认真履行岗位职责，积极参加组织生活，不足是理论学习不够系统。",
        "坚持为客户办实事，按时完成各项任务，今后要提升数据分析能力。",
        "能够发挥党员先锋模范作用，但在创新工作方法上还有差距。",
    ],
    RaterKind.PUBLIC: ["态度好", "办事效率高", "很负责的同志", ""],
}


def _score(rng: random.Random, level: float, bounds: tuple[int, int]) -> int:
    low, high = bounds
    value = rng.gauss(level, 0.6)
    if high == 100:
        value = 40 + value * 12
    return max(low, min(high, round(value)))


def _campaign(office, committee, year: int, starts: dt.date, ends: dt.date) -> Campaign:
    campaign = services.campaign_save(
        actor=office,
        campaign=Campaign(
            year=year,
            party_org=committee,
            starts_on=starts,
            ends_on=ends,
            description=(
                "按照“三亮三比三评”工作安排，开展客户评议、党员互评、领导点评、党员自评和"
                "群众评议，结果作为民主评议党员和评选优秀共产党员的重要依据。"
            ),
        ),
        criteria=services.default_criteria(),
        weights=dict(services.DEFAULT_WEIGHTS),
    )
    return services.campaign_open(actor=office, campaign=campaign)


def _rate_all(
    rng: random.Random,
    campaign: Campaign,
    *,
    share: float,
    spare: set[tuple[int, str, int]],
    days: int,
) -> int:
    """Ratings of every kind for ``campaign``; ``spare`` (rater user, kind, ratee) stay
    unfilled so that 待我评议 has work left. Returns the number of sheets."""
    criteria = list(campaign.criteria.order_by("position"))
    bounds = campaign.score_bounds
    members = list(
        Person.objects.filter(
            membership__branch__path__startswith=campaign.party_org.path
        ).values_list("pk", "membership__branch_id", "user_id", "title")
    )
    member_ids = {pk for pk, *_ in members}
    level = {pk: rng.uniform(3.4, 4.8) for pk in member_ids}
    by_branch = defaultdict(list)
    for pk, branch_id, user_id, _title in members:
        by_branch[branch_id].append((pk, user_id))
    secretaries = {
        branch_id: (pk, user_id) for pk, branch_id, user_id, title in members if "书记" in title
    }
    sheets: list[tuple[Rating, int]] = []  # (rating, level used)

    def add(kind, ratee, *, token=None, rater=None, rater_user=None, device="", lenient=False):
        rating = Rating(
            campaign=campaign,
            ratee_id=ratee,
            kind=kind,
            token_id=token,
            rater_id=rater,
            rater_user_id=rater_user,
            device_hash=device,
            comment=rng.choice(COMMENTS[kind]),
        )
        sheets.append((rating, 5.0 if lenient else level[ratee]))

    # Customers: about ``share`` of the tokens were used, each rating the members serving him.
    tokens = list(
        RatingToken.objects.filter(campaign=campaign).values_list(
            "pk", "customer__account_manager_id", "customer__inspector_id", "customer__courier_id"
        )
    )
    used = []
    for token_id, *staff in tokens:
        if rng.random() > share:
            continue
        ratees = {pk for pk in staff if pk in member_ids}
        if not ratees:
            continue
        used.append(token_id)
        for ratee in ratees:
            add(RaterKind.CUSTOMER, ratee, token=token_id)
    # Peers, the secretary as leader, self.
    lenient_done = False
    for _branch_id, people in by_branch.items():
        for rater, rater_user in people:
            lenient = not lenient_done and rater_user is None and len(people) > 4
            lenient_done = lenient_done or lenient
            for ratee, _u in people:
                if ratee == rater or (rater_user, "peer", ratee) in spare:
                    continue
                if lenient or rng.random() < 0.85:
                    add(
                        RaterKind.PEER,
                        ratee,
                        rater=rater,
                        rater_user=rater_user,
                        lenient=lenient,
                    )
            if (rater_user, "self", rater) not in spare and rng.random() < 0.9:
                add(RaterKind.SELF, rater, rater=rater, rater_user=rater_user)
    for branch_id, (secretary, secretary_user) in secretaries.items():
        for ratee, _u in by_branch[branch_id]:
            if ratee == secretary or (secretary_user, "leader", ratee) in spare:
                continue
            if rng.random() < 0.8:
                add(RaterKind.LEADER, ratee, rater=secretary, rater_user=secretary_user)
    leader = User.objects.filter(username="leader").first()
    if leader is not None:
        for ratee in rng.sample(sorted(member_ids), min(12, len(member_ids))):
            add(RaterKind.LEADER, ratee, rater_user=leader.pk)
    # 群众评议 from cards and the questionnaire: a keyed hash per device, never the device.
    for i in range(int(len(member_ids) * 0.8)):
        ratee = rng.choice(sorted(member_ids))
        device = hashlib.sha256(f"demo-device-{campaign.pk}-{i}".encode()).hexdigest()
        add(RaterKind.PUBLIC, ratee, device=device)

    ratings = Rating.objects.bulk_create([r for r, _l in sheets], batch_size=500)
    Score.objects.bulk_create(
        (
            Score(rating=rating, criterion=criterion, value=_score(rng, lvl, bounds))
            for rating, (_r, lvl) in zip(ratings, sheets, strict=True)
            for criterion in criteria
        ),
        batch_size=2000,
    )
    # Submission times spread over the campaign's first ``days`` days.
    start = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(9)))
    buckets = defaultdict(list)
    for rating in ratings:
        buckets[rng.randrange(days)].append(rating.pk)
    for day, ids in buckets.items():
        at = start + dt.timedelta(days=day, hours=rng.randint(0, 10))
        Rating.objects.filter(pk__in=ids).update(submitted_at=at)
    token_buckets = defaultdict(list)
    for token_id in used:
        token_buckets[rng.randrange(days)].append(token_id)
    for day, ids in token_buckets.items():
        RatingToken.objects.filter(pk__in=ids).update(
            used_at=start + dt.timedelta(days=day, hours=2)
        )
    return len(ratings)


def seed(rng: random.Random) -> None:
    _company, committee, branch, _area = _demo_nodes()
    today = timezone.localdate()
    office = User.objects.get(username="office")
    secretary_user = User.objects.filter(username="secretary").first()
    member_user = User.objects.filter(username="member").first()

    # Last year's campaign: closed, most sheets in.
    last = _campaign(
        office,
        committee,
        today.year - 1,
        dt.date(today.year - 1, 11, 20),
        dt.date(today.year - 1, 12, 25),
    )
    services.tokens_write(campaign_id=last.pk)
    _rate_all(rng, last, share=0.45, spare=set(), days=30)
    Campaign.objects.filter(pk=last.pk).update(status=Campaign.Status.CLOSED)

    # This year's: open now, started ten days ago; work left for the demo member/secretary.
    current = _campaign(
        office,
        committee,
        today.year,
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=25),
    )
    services.tokens_write(campaign_id=current.pk)
    spare = set()
    if member_user is not None:
        me = Person.objects.filter(user=member_user).first()
        if me is not None:
            spare.add((member_user.pk, "self", me.pk))
            peers = Person.objects.filter(membership__branch=branch).exclude(pk=me.pk)
            spare |= {(member_user.pk, "peer", p) for p in peers.values_list("pk", flat=True)[:4]}
    if secretary_user is not None:
        ratees = Person.objects.filter(membership__branch=branch).exclude(user=secretary_user)
        spare |= {(secretary_user.pk, "leader", p) for p in ratees.values_list("pk", flat=True)[:3]}
    _rate_all(rng, current, share=0.3, spare=spare, days=10)
