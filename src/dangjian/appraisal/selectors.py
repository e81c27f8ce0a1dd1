"""Reads for 三评 campaigns, tokens and ratings.

Campaigns start from ``Campaign.objects.restrict(actor, …)``. A branch officer also sees the
campaigns of the organisations above his branch (the company-wide 三评 that reaches his
members), but only his own branches' figures in them (``visible_branches``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person
from dangjian.platform import prepared
from dangjian.platform.scoping import grants_for, model_label

from .models import Campaign, Criterion, RaterKind, RaterWeight, Rating, RatingToken
from .rules import closed_reason

STEP = PartyOrg.steplen
# Roles whose holders write 领导点评 for the members under their node (rules as data).
LEADER_RATER_ROLES = ("leader", "secretary", "committee")


def _ancestor_paths(path: str) -> list[str]:
    return [path[: STEP * depth] for depth in range(1, len(path) // STEP + 1)]


def _party_grant_paths(actor, label: str, action: str = "view") -> list[str]:
    ids = [g.node_id for g in grants_for(actor) if g.tree == "party" and g.allows(label, action)]
    if not ids:
        return []
    return list(PartyOrg.objects.filter(pk__in=ids).values_list("path", flat=True))


def campaigns_visible(actor):
    """Campaigns ``actor`` may open: those of his subtree, and those of the organisations
    above a node he holds a grant on (he then sees only his part of them)."""
    own = Campaign.objects.restrict(actor, "view")
    if getattr(actor, "is_superuser", False):
        return own
    paths = {
        ancestor
        for path in _party_grant_paths(actor, model_label(Campaign))
        for ancestor in _ancestor_paths(path)
    }
    if not paths:
        return own
    return Campaign.objects.filter(Q(pk__in=own.values("pk")) | Q(party_org__path__in=paths))


def campaign_list(actor, *, query: str = "", year=None, status: str = "", org=None):
    campaigns = campaigns_visible(actor).select_related("party_org")
    if query:
        campaigns = campaigns.filter(Q(name__icontains=query) | Q(party_org__name__icontains=query))
    if year:
        campaigns = campaigns.filter(year=year)
    if status:
        campaigns = campaigns.filter(status=status)
    if org is not None:
        campaigns = campaigns.filter(party_org__path__startswith=org.path)
    return campaigns


def manages(actor, campaign: Campaign, action: str = "change") -> bool:
    return Campaign.objects.restrict(actor, action).filter(pk=campaign.pk).exists()


def visible_branches(actor, campaign: Campaign) -> list[PartyOrg]:
    """The campaign's branches whose figures ``actor`` sees (all of them for its managers)."""
    branches = PartyOrg.objects.filter(
        kind=PartyOrg.Kind.BRANCH, path__startswith=campaign.party_org.path
    )
    if not manages(actor, campaign, "view"):
        branches = branches.filter(pk__in=PartyOrg.objects.restrict(actor, "view").values("pk"))
    return list(branches.order_by("path"))


# Criteria are fixed once a campaign leaves its draft (``campaign_save`` refuses changes and
# nothing goes back to draft), so every submission of an open campaign can share one read.
# Keyed by the campaign's random public token: never reused, unlike an id on SQLite.
_FIXED_CRITERIA: dict[str, list[Criterion]] = {}
_FIXED_CRITERIA_MAX = 256


def criteria_of(campaign: Campaign) -> list[Criterion]:
    key = campaign.public_token if campaign.status != Campaign.Status.DRAFT else ""
    if key and key in _FIXED_CRITERIA:
        return list(_FIXED_CRITERIA[key])
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position", "pk"))
    if key:
        if len(_FIXED_CRITERIA) >= _FIXED_CRITERIA_MAX:
            _FIXED_CRITERIA.clear()
        _FIXED_CRITERIA[key] = criteria
    return list(criteria)


def weights_of(campaign: Campaign) -> dict[str, object]:
    return dict(RaterWeight.objects.filter(campaign=campaign).values_list("kind", "weight"))


def takes_kind(campaign: Campaign, kind: str) -> bool:
    return RaterWeight.objects.filter(campaign=campaign, kind=kind, weight__gt=0).exists()


def campaign_closed_reason(campaign: Campaign, today: dt.date | None = None) -> str | None:
    return closed_reason(
        campaign.status, campaign.starts_on, campaign.ends_on, today or timezone.localdate()
    )


def campaign_members(campaign: Campaign):
    """The party members a campaign rates: every member of a branch in its subtree."""
    return Person.objects.filter(
        membership__isnull=False, membership__branch__path__startswith=campaign.party_org.path
    )


def open_campaigns_for(branch: PartyOrg, *, kind: str, today: dt.date | None = None):
    """Open campaigns (in their schedule) that reach ``branch`` and take ``kind`` ratings,
    the nearest organisation first."""
    today = today or timezone.localdate()
    return (
        Campaign.objects.filter(
            status=Campaign.Status.OPEN,
            starts_on__lte=today,
            ends_on__gte=today,
            party_org__path__in=_ancestor_paths(branch.path),
            rater_weights__kind=kind,
            rater_weights__weight__gt=0,
        )
        .select_related("party_org")
        .order_by("-party_org__depth", "-pk")
    )


def public_campaign_for(person: Person, today: dt.date | None = None) -> Campaign | None:
    """The campaign a public rating of ``person`` (from his card) counts in, if any."""
    membership = getattr(person, "membership", None)
    if membership is None:
        return None
    return open_campaigns_for(membership.branch, kind=RaterKind.PUBLIC, today=today).first()


# -- customer tokens ---------------------------------------------------------------------------


_TOKEN_SQL = """SELECT t.id, t.campaign_id, t.customer_id, t.used_at,
       c.name, c.status, c.starts_on, c.ends_on, c.scale, c.public_token, c.party_org_id, o.path,
       cu.shop_name, cu.account_manager_id, cu.inspector_id, cu.courier_id, cu.unit_id, u.path
FROM {token} t
JOIN {campaign} c ON c.id = t.campaign_id
JOIN {org} o ON o.id = c.party_org_id
JOIN {customer} cu ON cu.id = t.customer_id
JOIN {unit} u ON u.id = cu.unit_id
WHERE t.token = %(token)s"""


_TOKEN_FIELDS = (
    "campaign_id",
    "customer_id",
    "token",
    "used_at",
    "campaign__name",
    "campaign__status",
    "campaign__starts_on",
    "campaign__ends_on",
    "campaign__scale",
    "campaign__public_token",
    "campaign__party_org__path",
    "customer__shop_name",
    "customer__account_manager_id",
    "customer__inspector_id",
    "customer__courier_id",
    "customer__unit__path",
)


def _loaded(model, **values):
    """An instance as the ORM loads it with ``only(*values)`` (the rest deferred)."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [f.attname for f in fields if f.attname in values],
        [values[f.attname] for f in fields if f.attname in values],
    )


@functools.cache
def _token_sql() -> str:
    qn = connection.ops.quote_name
    return _TOKEN_SQL.format(
        token=qn(RatingToken._meta.db_table),
        campaign=qn(Campaign._meta.db_table),
        org=qn(PartyOrg._meta.db_table),
        customer=qn(RetailCustomer._meta.db_table),
        unit=qn(Unit._meta.db_table),
    )


def token_for(secret: str) -> RatingToken | None:
    """The token behind a customer's link (no login), with its campaign and customer — only
    the columns the rating page and the submission read (other fields load on access, as
    with ``only()``). The busiest lookup of a national campaign: one prepared statement,
    no customer's encrypted columns, not the campaign's per-unit totals."""
    if not secret or len(secret) > 32:
        return None
    if connection.vendor != "postgresql":  # the driver's raw values need Django's converters
        return (
            RatingToken.objects.select_related("campaign__party_org", "customer__unit")
            .only(*_TOKEN_FIELDS)
            .filter(token=secret)
            .first()
        )
    rows = prepared.fetch(_token_sql(), {"token": secret})
    if not rows:
        return None
    (pk, campaign_id, customer_id, used_at, name, status, starts_on, ends_on, scale,
     public_token, org_id, org_path, shop_name, manager_id, inspector_id, courier_id,
     unit_id, unit_path) = rows[0]  # fmt: skip
    campaign = _loaded(
        Campaign,
        id=campaign_id,
        name=name,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        scale=scale,
        public_token=public_token,
        party_org_id=org_id,
    )
    campaign.party_org = _loaded(PartyOrg, id=org_id, path=org_path)
    customer = _loaded(
        RetailCustomer,
        id=customer_id,
        shop_name=shop_name,
        account_manager_id=manager_id,
        inspector_id=inspector_id,
        courier_id=courier_id,
        unit_id=unit_id,
    )
    customer.unit = _loaded(Unit, id=unit_id, path=unit_path)
    token = _loaded(
        RatingToken,
        id=pk,
        campaign_id=campaign_id,
        customer_id=customer_id,
        token=secret,
        used_at=used_at,
    )
    token.campaign, token.customer = campaign, customer
    return token


def customers_in_reach(campaign: Campaign):
    """Active customers of the units the campaign organisation's branches cover."""
    units = PartyOrg.units.through.objects.filter(
        partyorg__path__startswith=campaign.party_org.path
    ).values("unit_id")
    return RetailCustomer.objects.filter(is_active=True, unit_id__in=units)


def customer_ratees(campaign: Campaign, customer: RetailCustomer) -> list[Person]:
    """The party members who serve ``customer`` and whom the campaign rates: his account
    manager, inspector and courier, and the window clerks of his county bureau."""
    staff = {
        pk for pk in (customer.account_manager_id, customer.inspector_id, customer.courier_id) if pk
    }
    # Two indexed lookups rather than one OR across a join (which scans every person).
    staff.update(
        Person.licence_windows.through.objects.filter(
            licencewindow__unit__path__in=_ancestor_paths(customer.unit.path),
            licencewindow__is_active=True,
        ).values_list("person_id", flat=True)
    )
    if not staff:
        return []
    return list(
        campaign_members(campaign)
        .filter(pk__in=staff)
        .select_related("member_card")
        # What the rating page shows (no encrypted columns to decrypt on the busy path).
        .only("name", "photo", "post", "member_card__is_model_post", "member_card__department")
        .order_by("pk")
    )


def customer_ratees_sql(campaign: Campaign, customer: RetailCustomer, candidates: list[int]):
    """``(sql, params)`` selecting which of ``candidates`` (person ids) the customer may rate —
    ``customer_ratees`` in one PostgreSQL statement, for the submission's single write (the
    page shows the ratees with ``customer_ratees``; tests hold the two to the same answer)."""
    qn = connection.ops.quote_name
    staff = Person.licence_windows.through
    window = staff._meta.get_field("licencewindow").related_model
    # Table names from the models; every value is a parameter.
    sql = f"""SELECT m.person_id FROM {qn(Membership._meta.db_table)} m
        JOIN {qn(PartyOrg._meta.db_table)} o ON o.id = m.branch_id
        WHERE m.person_id = ANY(%(candidates)s) AND o.path LIKE %(root)s
          AND (m.person_id = ANY(%(serving)s) OR m.person_id IN (
                SELECT ws.person_id FROM {qn(staff._meta.db_table)} ws
                JOIN {qn(window._meta.db_table)} w ON w.id = ws.licencewindow_id
                JOIN {qn(Unit._meta.db_table)} u ON u.id = w.unit_id
                WHERE w.is_active AND u.path = ANY(%(unit_paths)s)))"""  # noqa: S608
    serving = [
        pk for pk in (customer.account_manager_id, customer.inspector_id, customer.courier_id) if pk
    ]
    return sql, {
        "candidates": list(candidates),
        "root": campaign.party_org.path + "%",
        "serving": serving,
        "unit_paths": _ancestor_paths(customer.unit.path),
    }


def token_list(actor, campaign: Campaign, *, query: str = "", unit=None, used: str = ""):
    tokens = RatingToken.objects.restrict(actor, "view").filter(campaign=campaign)
    if query:
        tokens = tokens.filter(
            Q(customer__licence_no__startswith=query) | Q(customer__shop_name__icontains=query)
        )
    if unit is not None:
        tokens = tokens.filter(customer__unit__path__startswith=unit.path)
    if used == "yes":
        tokens = tokens.filter(used_at__isnull=False)
    elif used == "no":
        tokens = tokens.filter(used_at__isnull=True)
    return tokens.select_related("customer", "customer__unit")


def slip_areas(actor, campaign: Campaign):
    """Market areas (and other units) holding customers with tokens, for batch slips."""
    ids = [int(k) for k in (campaign.token_units or {})]
    return Unit.objects.restrict(actor, "view").filter(pk__in=ids).order_by("path")


# -- member sheets (peer, leader, self) --------------------------------------------------------


def person_of(actor) -> Person | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.select_related("membership__branch").filter(user=actor).first()


def leader_reach(actor) -> list[str]:
    """Paths of the party nodes on which ``actor`` writes 领导点评."""
    ids = [
        g.node_id for g in grants_for(actor) if g.tree == "party" and g.role in LEADER_RATER_ROLES
    ]
    return list(PartyOrg.objects.filter(pk__in=ids).values_list("path", flat=True))


def may_rate(actor, campaign: Campaign, ratee: Person, kind: str) -> str | None:
    """Why ``actor`` may not fill in a ``kind`` sheet for ``ratee`` (None: he may)."""
    from django.utils.translation import gettext as _

    me = person_of(actor)
    membership = getattr(ratee, "membership", None)
    if membership is None or not membership.branch.path.startswith(campaign.party_org.path):
        return _("该党员不在本次评议范围内")
    if kind == RaterKind.SELF:
        if me is None or me.pk != ratee.pk:
            return _("只能填写本人的自评")
        return None
    if me is not None and me.pk == ratee.pk:
        return _("不能评议自己，请填写党员自评")
    if kind == RaterKind.PEER:
        my_membership = getattr(me, "membership", None) if me else None
        if my_membership is None or my_membership.branch_id != membership.branch_id:
            return _("党员互评只在本支部党员之间进行")
        return None
    if kind == RaterKind.LEADER:
        if not any(membership.branch.path.startswith(p) for p in leader_reach(actor)):
            return _("只有本支部书记、支委和上级领导可以点评")
        return None
    return _("该评议主体不能在此填写")


def pending_for(actor, today: dt.date | None = None) -> list[dict]:
    """待我评议: per open campaign, the sheets ``actor`` still has to fill in (self, peers,
    and the members he comments on as a leader), and those he has done."""
    today = today or timezone.localdate()
    me = person_of(actor)
    membership = getattr(me, "membership", None) if me else None
    leader_paths = leader_reach(actor)
    candidates = Campaign.objects.filter(
        status=Campaign.Status.OPEN, starts_on__lte=today, ends_on__gte=today
    ).select_related("party_org")
    sections = []
    for campaign in candidates.order_by("-party_org__depth", "pk"):
        kinds = {
            k
            for k, w in RaterWeight.objects.filter(campaign=campaign).values_list("kind", "weight")
            if w > 0
        }
        wanted: list[tuple[str, Person]] = []
        in_campaign = membership is not None and membership.branch.path.startswith(
            campaign.party_org.path
        )
        if in_campaign and RaterKind.SELF in kinds:
            wanted.append((RaterKind.SELF, me))
        if in_campaign and RaterKind.PEER in kinds:
            peers = (
                Person.objects.filter(membership__branch=membership.branch)
                .exclude(pk=me.pk)
                .select_related("membership")
                .order_by("name_pinyin", "pk")
            )
            wanted += [(RaterKind.PEER, p) for p in peers]
        if RaterKind.LEADER in kinds and leader_paths:
            reach = Q()
            for path in leader_paths:
                reach |= Q(membership__branch__path__startswith=path)
            led = (
                campaign_members(campaign)
                .filter(reach)
                .exclude(pk=getattr(me, "pk", None))
                .select_related("membership__branch")
                .order_by("membership__branch__path", "pk")[:500]
            )
            wanted += [(RaterKind.LEADER, p) for p in led]
        if not wanted:
            continue
        done = set(
            Rating.objects.filter(campaign=campaign, rater_user=actor).values_list(
                "kind", "ratee_id"
            )
        )
        rows = [
            {"kind": kind, "ratee": person, "done": (kind, person.pk) in done}
            for kind, person in wanted
        ]
        sections.append(
            {
                "campaign": campaign,
                "rows": rows,
                "todo": sum(1 for r in rows if not r["done"]),
                "total": len(rows),
            }
        )
    return sections


# -- figures for the campaign page -------------------------------------------------------------


# Up to this many members a campaign's page counts live; above, the whole campaign's figures
# are shared by its managers for FIGURES_CACHE_SECONDS (the page says when they were taken).
LIVE_FIGURES_MAX_MEMBERS = 20_000
FIGURES_CACHE_SECONDS = 300


def _sheet_counts(campaign: Campaign, branch_ids: list[int]):
    """Per branch and rater kind: sheets received and members rated at least once."""
    counts = defaultdict(Counter)  # branch -> kind -> sheets
    rated = defaultdict(Counter)  # branch -> kind -> members rated at least once
    rows = (
        Rating.objects.filter(campaign=campaign, ratee__membership__branch_id__in=branch_ids)
        .values("ratee__membership__branch_id", "kind")
        .annotate(n=Count("pk"), people=Count("ratee_id", distinct=True))
        .order_by()
    )
    for row in rows:
        branch = row["ratee__membership__branch_id"]
        counts[branch][row["kind"]] += row["n"]
        rated[branch][row["kind"]] += row["people"]
    return counts, rated


def _used_tokens_by_unit(campaign: Campaign, units: set[int] | None) -> dict[int, int]:
    used = RatingToken.objects.filter(campaign=campaign, used_at__isnull=False)
    if units is not None:
        used = used.filter(customer__unit_id__in=sorted(units))
    return dict(
        used.values("customer__unit_id")
        .annotate(n=Count("pk"))
        .values_list("customer__unit_id", "n")
    )


def campaign_figures(actor, campaign: Campaign) -> dict:
    """Response counts and rates per rater kind and per branch, limited to the branches
    ``actor`` sees. Customer figures come from the used tokens (a partial index) and the
    per-unit totals the token job stored."""
    branches = visible_branches(actor, campaign)
    branch_ids = [b.pk for b in branches]
    size = Counter(
        dict(
            Membership.objects.filter(branch_id__in=branch_ids)
            .values("branch_id")
            .annotate(n=Count("pk"))
            .values_list("branch_id", "n")
        )
    )
    whole = manages(actor, campaign, "view")
    as_of = None
    if whole and sum(size.values()) > LIVE_FIGURES_MAX_MEMBERS:
        # A national campaign's figures: one GROUP BY over a million sheets and every used
        # token (~2 s) — computed by the first viewer and shared for a few minutes.
        key = f"appraisal:figures:{campaign.pk}:{campaign.public_token}"
        cached = cache.get(key)
        if cached is None:
            cached = (
                _sheet_counts(campaign, branch_ids),
                _used_tokens_by_unit(campaign, None),
                timezone.now(),
            )
            cache.set(key, cached, FIGURES_CACHE_SECONDS)
        (counts, rated), used, as_of = cached
    else:
        counts, rated = _sheet_counts(campaign, branch_ids)
        used = None
    # Customer tokens: per unit, then per branch through the units each branch covers.
    covered = defaultdict(list)
    for branch_id, unit_id in PartyOrg.units.through.objects.filter(
        partyorg_id__in=branch_ids
    ).values_list("partyorg_id", "unit_id"):
        covered[branch_id].append(unit_id)
    totals = {int(k): v for k, v in (campaign.token_units or {}).items()}
    if used is None:
        # A branch officer's few units, not every used token of a national campaign.
        used = _used_tokens_by_unit(
            campaign, None if whole else {u for units in covered.values() for u in units}
        )
    table = []
    total = Counter()
    for branch in branches:
        n = size.get(branch.pk, 0)
        issued = sum(totals.get(u, 0) for u in covered[branch.pk])
        answered = sum(used.get(u, 0) for u in covered[branch.pk])
        c = counts[branch.pk]
        row = {
            "branch": branch,
            "members": n,
            "tokens": issued,
            "tokens_used": answered,
            "customer_rate": _rate(answered, issued),
            "peer_rate": _rate(c[RaterKind.PEER], n * (n - 1)),
            "self_rate": _rate(rated[branch.pk][RaterKind.SELF], n),
            "leader_rate": _rate(rated[branch.pk][RaterKind.LEADER], n),
            "counts": {kind: c[kind] for kind in RaterKind.values},
        }
        table.append(row)
        total.update(
            {
                "members": n,
                "tokens": issued,
                "tokens_used": answered,
                "peer_expected": n * (n - 1),
                "self_done": rated[branch.pk][RaterKind.SELF],
                "leader_done": rated[branch.pk][RaterKind.LEADER],
                **{kind: c[kind] for kind in RaterKind.values},
            }
        )
    kinds = [
        {
            "kind": kind,
            "label": label,
            "count": total[kind],
            "rate": {
                RaterKind.CUSTOMER: _rate(total["tokens_used"], total["tokens"]),
                RaterKind.PEER: _rate(total[RaterKind.PEER], total["peer_expected"]),
                RaterKind.SELF: _rate(total["self_done"], total["members"]),
                RaterKind.LEADER: _rate(total["leader_done"], total["members"]),
                RaterKind.PUBLIC: None,
            }[kind],
        }
        for kind, label in RaterKind.choices
    ]
    return {"branches": table, "kinds": kinds, "total": total, "as_of": as_of}


def _rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


def ratings_for_export(actor, campaign: Campaign):
    """Every sheet of the branches ``actor`` sees, without the rater (anonymous)."""
    branch_ids = [b.pk for b in visible_branches(actor, campaign)]
    return (
        Rating.objects.filter(campaign=campaign, ratee__membership__branch_id__in=branch_ids)
        .select_related("ratee", "ratee__membership__branch")
        .prefetch_related("scores")
        .order_by("ratee__membership__branch__path", "ratee_id", "kind", "pk")
    )
