"""Writes of 三评: campaign setup and schedule, customer tokens, and every kind of rating.
One transaction each; refusals are ``ValidationError`` with the field they concern.

"Nothing counted twice" rests on the database, not on a check before the write: a token is
consumed by a conditional ``UPDATE … WHERE used_at IS NULL`` (only one submission can win it)
and ``Rating``'s unique constraints refuse a second sheet per token, named rater or device.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.audit import record_event
from dangjian.platform.prepared import fetch as fetch_prepared

from . import rules, selectors
from .models import (
    DEFAULT_CRITERIA,
    Campaign,
    Criterion,
    RaterKind,
    RaterWeight,
    Rating,
    RatingToken,
    Score,
)

COMMENT_MAX = 500
# Default weights of a new campaign (percent): customers count most, as the article says
# the people served are the judges of service.
DEFAULT_WEIGHTS = {
    RaterKind.CUSTOMER: Decimal("40"),
    RaterKind.PEER: Decimal("20"),
    RaterKind.LEADER: Decimal("20"),
    RaterKind.SELF: Decimal("10"),
    RaterKind.PUBLIC: Decimal("10"),
}
TOKEN_CHUNK = 100_000
TOKEN_INSERT = (
    "INSERT INTO appraisal_ratingtoken (campaign_id, customer_id, token, created_at) "
    "SELECT %s, c.id, replace(gen_random_uuid()::text, '-', ''), now() "
    "FROM ({subquery}) AS c(id) ON CONFLICT DO NOTHING"
)  # customers per INSERT … SELECT when generating tokens on PostgreSQL


# -- campaign setup ----------------------------------------------------------------------------


def default_criteria() -> list[tuple[str, Decimal]]:
    return [(name, Decimal("1")) for name in DEFAULT_CRITERIA]


def _validate_campaign(
    campaign: Campaign, criteria: list[tuple[str, Decimal]], weights: dict[str, Decimal]
) -> None:
    errors: dict[str, list[str]] = {}
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("截止日期不能早于开始日期")]
    if (
        campaign.starts_on
        and campaign.year
        and campaign.starts_on.year
        not in (
            campaign.year,
            campaign.year + 1,
        )
    ):
        errors["starts_on"] = [
            _("开始日期须在%(y)s年或次年年初（评议%(y)s年度）") % {"y": campaign.year}
        ]
    names = [name.strip() for name, _w in criteria]
    if not names:
        errors["criteria"] = [_("至少设置一个评议项目")]
    elif any(not n for n in names):
        errors["criteria"] = [_("评议项目名称不能为空")]
    elif len(set(names)) != len(names):
        errors["criteria"] = [_("评议项目名称不能重复")]
    elif any(len(n) > 50 for n in names):
        errors["criteria"] = [_("评议项目名称不超过50字")]
    elif any(w is None or w <= 0 for _n, w in criteria):
        errors["criteria"] = [_("评议项目权重须大于0")]
    problem = rules.weights_problem(weights)
    if problem:
        errors["weights"] = [problem]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_save(
    *,
    actor,
    campaign: Campaign,
    criteria: list[tuple[str, Decimal]],
    weights: dict[str, Decimal],
) -> Campaign:
    """Create or update a draft campaign with its criteria and rater-kind weights."""
    creating = campaign.pk is None
    if not creating:
        if not selectors.manages(actor, campaign):
            raise PermissionDenied(_("您无权修改该评议活动"))
        if Campaign.objects.get(pk=campaign.pk).status != Campaign.Status.DRAFT:
            raise ValidationError(_("评议已开始，不能再修改评议项目和权重"))
    allowed = PartyOrg.objects.restrict(actor, "view").filter(pk=campaign.party_org_id)
    if not allowed.exists():
        raise PermissionDenied(_("该组织不在您的权限范围内"))
    _validate_campaign(campaign, criteria, weights)
    if not campaign.name:
        campaign.name = _("%(year)s年度%(org)s“三评”") % {
            "year": campaign.year,
            "org": campaign.party_org.name,
        }
    if creating:
        campaign.created_by = actor
    campaign.full_clean(exclude=["public_token"])
    campaign.save()
    if creating and not selectors.manages(actor, campaign, "add"):
        raise PermissionDenied(_("您无权为该组织创建评议活动"))
    campaign.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(campaign=campaign, name=name.strip(), weight=weight, position=i)
        for i, (name, weight) in enumerate(criteria)
    )
    campaign.rater_weights.all().delete()
    RaterWeight.objects.bulk_create(
        RaterWeight(campaign=campaign, kind=kind, weight=weight)
        for kind, weight in weights.items()
        if weight > 0
    )
    record_event(
        actor=actor,
        verb="appraisal.campaign.create" if creating else "appraisal.campaign.update",
        target=campaign,
        summary=campaign.name,
    )
    return campaign


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Start taking ratings (criteria and weights are then fixed)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not selectors.manages(actor, campaign):
        raise PermissionDenied(_("您无权修改该评议活动"))
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("只有草稿状态的评议活动可以开始"))
    if not campaign.criteria.exists() or not campaign.rater_weights.exists():
        raise ValidationError(_("请先设置评议项目和评议主体权重"))
    campaign.status = Campaign.Status.OPEN
    campaign._history_user = actor
    campaign.save(update_fields=["status"])
    record_event(
        actor=actor, verb="appraisal.campaign.open", target=campaign, summary=campaign.name
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """Stop taking ratings; every link and form is refused from now on."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not selectors.manages(actor, campaign):
        raise PermissionDenied(_("您无权修改该评议活动"))
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("只有评议中的活动可以截止"))
    campaign.status = Campaign.Status.CLOSED
    campaign._history_user = actor
    campaign.save(update_fields=["status"])
    record_event(
        actor=actor, verb="appraisal.campaign.close", target=campaign, summary=campaign.name
    )
    return campaign


# -- customer tokens ---------------------------------------------------------------------------


def tokens_generate(*, actor, campaign: Campaign):
    """Start the job that gives every active customer in the campaign's reach a token."""
    from dangjian.platform.jobs import job_start

    from .tasks import generate_tokens

    if not selectors.manages(actor, campaign):
        raise PermissionDenied(_("您无权修改该评议活动"))
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.OPEN):
        raise ValidationError(_("评议已截止，不能再生成客户评议码"))
    if not selectors.takes_kind(campaign, RaterKind.CUSTOMER):
        raise ValidationError(_("本次评议没有客户评议，无需生成评议码"))
    record_event(actor=actor, verb="appraisal.tokens.generate", target=campaign)
    return job_start(
        actor=actor,
        kind="appraisal.tokens",
        task=generate_tokens,
        title=_("生成客户评议码：%(name)s") % {"name": campaign.name},
        campaign_id=campaign.pk,
    )


def tokens_write(
    *, campaign_id: int, progress: Callable[[float, str], None] = lambda pct, msg: None
) -> dict:
    """Insert the missing tokens of a campaign (customers added since get theirs on a rerun)
    and store the per-unit totals. PostgreSQL: ``INSERT … SELECT`` in customer-id chunks with
    ``gen_random_uuid()`` (122 random bits), so no token travels through Python; elsewhere
    batches of ``bulk_create``. Each chunk commits on its own: a rerun continues."""
    campaign = Campaign.objects.select_related("party_org").get(pk=campaign_id)
    customers = selectors.customers_in_reach(campaign)
    bounds = customers.order_by().values_list("pk", flat=True)
    low = bounds.order_by("pk").first()
    high = bounds.order_by("-pk").first()
    created = 0
    if low is not None:
        span = high - low + 1
        start = low
        while start <= high:
            end = start + TOKEN_CHUNK
            with transaction.atomic():
                created += _insert_tokens(campaign, customers, start, end)
            progress(90 * (end - low) / span, _("已生成 %(n)s 个评议码") % {"n": created})
            start = end
    progress(92, _("正在统计各单位的评议码"))
    per_unit = dict(
        RatingToken.objects.filter(campaign=campaign)
        .values("customer__unit_id")
        .annotate(n=Count("pk"))
        .values_list("customer__unit_id", "n")
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        tokens_total=sum(per_unit.values()),
        token_units={str(k): v for k, v in per_unit.items()},
    )
    return {"created": created, "total": sum(per_unit.values()), "units": len(per_unit)}


def _insert_tokens(campaign: Campaign, customers, start: int, end: int) -> int:
    chunk = customers.filter(pk__gte=start, pk__lt=end)
    if connection.vendor == "postgresql":
        sql, params = chunk.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            # ``sql`` is the ORM's own compiled subquery; every value is a parameter.
            statement = TOKEN_INSERT.format(subquery=sql)
            cursor.execute(statement, [campaign.pk, *params])
            return cursor.rowcount
    have = set(
        RatingToken.objects.filter(
            campaign=campaign, customer_id__gte=start, customer_id__lt=end
        ).values_list("customer_id", flat=True)
    )
    rows = [
        RatingToken(campaign=campaign, customer_id=pk, token=secrets.token_hex(16))
        for pk in chunk.values_list("pk", flat=True)
        if pk not in have
    ]
    RatingToken.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# -- ratings -----------------------------------------------------------------------------------


def _scores(campaign: Campaign, criteria: list[Criterion], raw: dict, prefix: str) -> list[tuple]:
    """(criterion, value) pairs, or ValidationError naming each bad field."""
    errors = {}
    values = []
    for criterion in criteria:
        value = raw.get(criterion.pk)
        field = f"{prefix}{criterion.pk}"
        if value in (None, ""):
            errors[field] = [_("%(c)s：请打分") % {"c": criterion.name}]
            continue
        problem = rules.score_problem(value, campaign.score_bounds)
        if problem:
            errors[field] = [f"{criterion.name}：{problem}"]
            continue
        values.append((criterion, int(str(value).strip())))
    if errors:
        raise ValidationError(errors)
    return values


def _comment(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationError({field: [_("评语不超过%(n)s字") % {"n": COMMENT_MAX}]})
    return text


def _refuse_if_closed(campaign: Campaign, today: dt.date | None) -> None:
    reason = selectors.campaign_closed_reason(campaign, today)
    if reason:
        raise ValidationError(reason, code="closed")


def _write_sheets(sheets: list[tuple[Rating, list[tuple]]]) -> list[Rating]:
    ratings = Rating.objects.bulk_create([rating for rating, _s in sheets])
    Score.objects.bulk_create(
        Score(rating=rating, criterion=criterion, value=value)
        for rating, (_r, scores) in zip(ratings, sheets, strict=True)
        for criterion, value in scores
    )
    return ratings


ALREADY_USED = gettext_lazy("该评议码已使用，每位客户只能提交一次评议。感谢您的参与！")
NOT_SERVING = gettext_lazy("只能评议为您服务的党员")
# A customer is served by an account manager, an inspector, a courier and his bureau's
# window clerks: more sheets than this in one submission is not a customer's form.
MAX_CUSTOMER_SHEETS = 20


def rating_submit_customer(
    *,
    token: RatingToken,
    sheets: dict[int, tuple[dict, str]],
    today: dt.date | None = None,
    criteria: list[Criterion] | None = None,
    ratees: list[Person] | None = None,
) -> int:
    """A customer's submission through his one-use token: one sheet per member he rates
    (``sheets``: ratee id → ({criterion id: score}, comment)); members he leaves blank are
    skipped. The token is consumed in the same transaction; a second submission is refused.
    Returns the number of sheets written."""
    campaign = token.campaign
    _refuse_if_closed(campaign, today)
    if token.used_at is not None:
        raise ValidationError(ALREADY_USED, code="used")
    criteria = criteria if criteria is not None else selectors.criteria_of(campaign)
    if not sheets:
        raise ValidationError(_("请至少为一位党员打分"), code="empty")
    if len(sheets) > MAX_CUSTOMER_SHEETS:
        raise ValidationError(NOT_SERVING, code="ratee")
    fast = connection.vendor == "postgresql" and ratees is None
    if not fast:
        # Elsewhere (and when the caller has them anyway) the ratees are read first; on
        # PostgreSQL the write statement checks them itself.
        if ratees is None:
            ratees = selectors.customer_ratees(campaign, token.customer)
        if set(sheets) - {p.pk for p in ratees}:
            raise ValidationError(NOT_SERVING, code="ratee")
    errors = {}
    prepared = []
    for ratee_id, (raw, comment) in sheets.items():
        try:
            scores = _scores(campaign, criteria, raw, prefix=f"s-{ratee_id}-")
            text = _comment(comment, f"c-{ratee_id}")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        prepared.append((ratee_id, text, scores))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        if connection.vendor == "postgresql":
            won = _consume_and_write_pg(token, campaign, prepared, now, check_ratees=fast)
        else:
            with transaction.atomic():
                won = RatingToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
                    used_at=now
                )
                if won:
                    _write_sheets(
                        [
                            (
                                Rating(
                                    campaign=campaign,
                                    ratee_id=ratee_id,
                                    kind=RaterKind.CUSTOMER,
                                    token=token,
                                    comment=text,
                                ),
                                scores,
                            )
                            for ratee_id, text, scores in prepared
                        ]
                    )
    except IntegrityError as exc:
        raise ValidationError(ALREADY_USED, code="used") from exc
    if not won:
        raise ValidationError(ALREADY_USED, code="used")
    token.used_at = now
    return len(prepared)


# The token consumed and every sheet and score written in ONE statement (one round trip, its
# own transaction): the busiest write of a national campaign (SPEC: ≥ 500 submissions/s).
# Data-modifying CTEs all run; when the token was already used, ``used`` is empty and so
# are the inserts that select from it.
_CUSTOMER_SUBMIT_SQL = """
WITH allowed AS ({allowed}),
used AS (
    UPDATE {token} SET used_at = %(now)s
    WHERE id = %(token_id)s AND used_at IS NULL
      AND (SELECT count(*) FROM allowed) = %(sheet_count)s
    RETURNING id
), sheets AS (
    INSERT INTO {rating} (campaign_id, ratee_id, kind, rater_id, rater_user_id, token_id,
                          device_hash, comment, submitted_at, excluded, excluded_reason)
    SELECT %(campaign_id)s, s.ratee_id, %(kind)s, NULL, NULL, used.id, '', s.comment,
           %(now)s, false, ''
    FROM used, unnest(%(ratees)s::bigint[], %(comments)s::text[]) AS s(ratee_id, comment)
    RETURNING id, ratee_id
), scores AS (
    INSERT INTO {score} (rating_id, criterion_id, value)
    SELECT sheets.id, v.criterion_id, v.value
    FROM sheets
    JOIN unnest(%(score_ratees)s::bigint[], %(criteria)s::bigint[], %(values)s::int[])
         AS v(ratee_id, criterion_id, value) ON v.ratee_id = sheets.ratee_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM allowed), (SELECT count(*) FROM used)
"""


def _consume_and_write_pg(token, campaign, prepared, now, *, check_ratees: bool) -> int:
    """Consume the token and write the sheets in one statement; with ``check_ratees`` the
    statement also refuses (writing nothing) a sheet for anyone who does not serve the
    customer. Returns 1 when the token was won, 0 when it was already used."""
    qn = connection.ops.quote_name
    ratee_ids = [ratee_id for ratee_id, _t, _s in prepared]
    if check_ratees:
        allowed, params = selectors.customer_ratees_sql(campaign, token.customer, ratee_ids)
    else:  # the caller checked them: every sheet is allowed
        allowed, params = "SELECT unnest(%(ratees)s::bigint[])", {}
    sql = _CUSTOMER_SUBMIT_SQL.format(
        allowed=allowed,
        token=qn(RatingToken._meta.db_table),
        rating=qn(Rating._meta.db_table),
        score=qn(Score._meta.db_table),
    )
    params.update(
        {
            "now": now,
            "token_id": token.pk,
            "campaign_id": campaign.pk,
            "kind": RaterKind.CUSTOMER.value,
            "sheet_count": len(prepared),
            "ratees": ratee_ids,
            "comments": [text for _r, text, _s in prepared],
            "score_ratees": [ratee_id for ratee_id, _t, scores in prepared for _c in scores],
            "criteria": [c.pk for _r, _t, scores in prepared for c, _v in scores],
            "values": [value for _r, _t, scores in prepared for _c, value in scores],
        }
    )
    # Alone (autocommit) the statement is its own transaction; inside a caller's transaction
    # a savepoint keeps a refused statement from breaking it.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with guard:
        ((allowed_count, won),) = fetch_prepared(sql, params)
    if allowed_count != len(prepared):
        raise ValidationError(NOT_SERVING, code="ratee")
    return won


def device_hash(campaign: Campaign, device: str) -> str:
    """A keyed hash of the device cookie: proves "same device" without storing the id."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"appraisal:{campaign.pk}:{device}".encode(), hashlib.sha256).hexdigest()


def rating_submit_public(
    *,
    campaign: Campaign,
    ratee: Person,
    raw: dict,
    comment: str,
    device: str,
    today: dt.date | None = None,
) -> Rating:
    """群众评议 of one member (from his card or the open questionnaire): one per device per
    member per campaign, refused by the database on a second try."""
    _refuse_if_closed(campaign, today)
    if not selectors.takes_kind(campaign, RaterKind.PUBLIC):
        raise ValidationError(_("本次评议不接受群众评议"), code="kind")
    if not selectors.campaign_members(campaign).filter(pk=ratee.pk).exists():
        raise ValidationError(_("该党员不在本次评议范围内"), code="ratee")
    scores = _scores(campaign, selectors.criteria_of(campaign), raw, prefix="s-")
    text = _comment(comment, "comment")
    rating = Rating(
        campaign=campaign,
        ratee=ratee,
        kind=RaterKind.PUBLIC,
        device_hash=device_hash(campaign, device),
        comment=text,
    )
    try:
        with transaction.atomic():
            return _write_sheets([(rating, scores)])[0]
    except IntegrityError as exc:
        raise ValidationError(
            _("您已评议过这位党员，同一设备在本次评议中只能评一次"), code="device"
        ) from exc


def rating_submit(
    *,
    actor,
    campaign: Campaign,
    ratee: Person,
    kind: str,
    raw: dict,
    comment: str,
    today: dt.date | None = None,
) -> Rating:
    """A signed-in sheet: 党员互评 (a member of the same branch, never himself), 领导点评
    (secretary, committee or a leader above the branch) or 党员自评 (his own)."""
    _refuse_if_closed(campaign, today)
    if kind not in (RaterKind.PEER, RaterKind.LEADER, RaterKind.SELF):
        raise ValidationError(_("该评议主体不能在此填写"), code="kind")
    if not selectors.takes_kind(campaign, kind):
        raise ValidationError(_("本次评议不含“%(k)s”") % {"k": RaterKind(kind).label}, code="kind")
    problem = selectors.may_rate(actor, campaign, ratee, kind)
    if problem:
        raise ValidationError(problem, code="rater")
    scores = _scores(campaign, selectors.criteria_of(campaign), raw, prefix="s-")
    text = _comment(comment, "comment")
    rating = Rating(
        campaign=campaign,
        ratee=ratee,
        kind=kind,
        rater=selectors.person_of(actor),
        rater_user=actor,
        comment=text,
    )
    try:
        with transaction.atomic():
            return _write_sheets([(rating, scores)])[0]
    except IntegrityError as exc:
        raise ValidationError(_("您已提交过对该党员的评议，不能重复提交"), code="again") from exc
