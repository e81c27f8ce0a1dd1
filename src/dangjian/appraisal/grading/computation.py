# ruff: noqa: S608 - SQL text holds only model table names and fixed fragments; values are params
"""A campaign's results in a handful of set-based SQL statements (PostgreSQL and SQLite).

The score, as RULES §4 and the campaign define it:

- a sheet's score = Σ (criterion weight × value) / Σ criterion weights, as a percent of the
  scale's top (1–5: ×20; 0–100: as is);
- a rater kind's part = the mean of the member's non-excluded sheets of that kind;
- the member's score = Σ (kind weight × kind part) / Σ weights of the kinds he has sheets
  of (a member nobody of a kind rated — an office clerk has no customers — is not punished
  for it); None when nobody rated him.

Ranks in branch and in the whole campaign are SQL ``RANK()`` (ties share a rank, the next
rank skips). Nothing loops over members in Python: 200 000 members are a few aggregations
over the rating and score tables, staged in temporary tables (analysed, so PostgreSQL plans
the joins with real row counts).

Existing ``MemberResult`` rows are updated in place (grade decisions hang on them); the
parts are rewritten. Leniency flags are added for raters not yet flagged; decisions on
earlier flags stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

from django.db import connection
from django.utils.translation import gettext as _

from dangjian.appraisal.models import (
    Campaign,
    Criterion,
    RaterKind,
    RaterWeight,
    Rating,
    RatingToken,
    Score,
)
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.rulebook.selectors import RuleBook

from .models import GradingPolicy, LeniencyFlag, MemberResult, ResultPart

# The customer registry's fields naming the staff who serve a customer (the members a
# customer's token may rate): their count per member is the customer part's denominator.
SERVING_FIELDS = ("account_manager_id", "courier_id", "inspector_id")
HISTOGRAM_STEP = 5
WORK_MEM = "256MB"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _false() -> str:
    return "false" if connection.vendor == "postgresql" else "0"


def _json_object(pairs: list[tuple[str, str]]) -> str:
    """A JSON object of ``(literal key, column)`` pairs (keys are criterion ids)."""
    args = ", ".join(f"'{key}', {column}" for key, column in pairs)
    if connection.vendor == "postgresql":
        return f"jsonb_strip_nulls(jsonb_build_object({args}))" if pairs else "'{}'::jsonb"
    return f"json_object({args})" if pairs else "'{}'"


class _Runner:
    def __init__(self, cursor, progress: Callable[[int, str], None]):
        self.cursor = cursor
        self.progress = progress
        self.temps: list[str] = []

    def run(self, sql: str, params=()) -> int:
        self.cursor.execute(sql, params)
        return self.cursor.rowcount

    def temp(self, name: str, select_sql: str, params=(), *, index: str = "") -> None:
        """A temp table of ``select_sql``, analysed; ``index`` (a column list) is indexed —
        for tables probed row by row, where a misestimate would turn a probe into a scan."""
        self.run(f"DROP TABLE IF EXISTS {name}")
        self.run(f"CREATE TEMP TABLE {name} AS {select_sql}", params)
        self.temps.append(name)
        if index:
            # Named (SQLite requires it); it lives and dies with the temp table.
            column_part = index.replace(",", "_").replace(" ", "")
            self.run(f"CREATE INDEX {name}_{column_part}_idx ON {name} ({index})")
        if connection.vendor == "postgresql":
            self.run(f"ANALYZE {name}")

    def analyze(self, table: str) -> None:
        """Fresh statistics for a table just filled (the next joins plan on real counts)."""
        if connection.vendor == "postgresql":
            self.run(f"ANALYZE {table}")

    def drop_temps(self) -> None:
        for name in self.temps:
            self.run(f"DROP TABLE IF EXISTS {name}")

    def rows(self, sql: str, params=()) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()


def _kind_weights(campaign: Campaign) -> dict[str, float]:
    weights = {
        kind: float(weight)
        for kind, weight in RaterWeight.objects.filter(campaign=campaign).values_list(
            "kind", "weight"
        )
    }
    # A campaign set up without weights counts every kind equally.
    return weights or {kind: 1.0 for kind in RaterKind.values}


def _case(column: str, mapping: dict[str, float], default: str = "0") -> tuple[str, list]:
    parts, params = [], []
    for key, value in mapping.items():
        parts.append("WHEN %s THEN %s")
        params += [key, value]
    if not parts:
        return default, []
    return f"(CASE {column} {' '.join(parts)} ELSE {default} END)", params


def compute_results(
    campaign: Campaign, *, progress: Callable[[int, str], None] | None = None
) -> dict:
    """Recompute every member's result of ``campaign`` (call inside one transaction)."""
    progress = progress or (lambda pct, message: None)
    started = time.monotonic()
    policy, _created = GradingPolicy.objects.get_or_create(campaign=campaign)
    _lo, hi = campaign.score_bounds
    weights = _kind_weights(campaign)
    c = campaign.pk
    f = _false()
    rating, score = _t(Rating), _t(Score)
    membership, org = _t(Membership), _t(PartyOrg)
    result_t, part_t, flag_t = _t(MemberResult), _t(ResultPart), _t(LeniencyFlag)

    with connection.cursor() as cursor:
        db = _Runner(cursor, progress)
        try:
            if connection.vendor == "postgresql":
                # Hash aggregates over millions of sheets stay in memory (this transaction).
                db.run(f"SET LOCAL work_mem = '{WORK_MEM}'")
            progress(5, _("汇总每份评议表得分"))
            # One pass over the scores: each sheet's weighted percent and, pivoted into one
            # column per criterion, its values (criteria are few) — so the per-criterion
            # means need no second pass. Weights come as a CASE (no join).
            crits = list(
                Criterion.objects.filter(campaign=campaign)
                .order_by("position", "pk")
                .values_list("pk", "weight")
            )
            weight_of, weight_params = _case("s.criterion_id", {pk: float(w) for pk, w in crits})
            pivot = ", ".join(
                f"MAX(CASE WHEN s.criterion_id = {int(pk)} THEN s.value END) AS c{int(pk)}"
                for pk, _w in crits
            )
            pivot_cols = ", ".join(f"a.c{int(pk)}" for pk, _w in crits)
            crit_ids = ",".join(str(int(pk)) for pk, _w in crits) or "0"
            # Aggregate the scores by sheet first (an integer key, parallel-friendly), then
            # join the sheets' own columns.
            db.temp(
                "gr_sheet",
                f"""SELECT r.id AS rating_id, r.ratee_id, r.kind, r.rater_id, r.token_id,
                       r.device_hash, a.v {", " + pivot_cols if pivot_cols else ""}
                FROM (SELECT s.rating_id,
                             SUM({weight_of} * s.value) * 100.0 / (SUM({weight_of}) * %s) AS v
                             {", " + pivot if pivot else ""}
                      FROM {score} s WHERE s.criterion_id IN ({crit_ids})
                      GROUP BY s.rating_id) a
                JOIN {rating} r ON r.id = a.rating_id
                WHERE r.campaign_id = %s AND r.excluded = {f}""",
                [*weight_params, *weight_params, hi, c],
            )
            progress(30, _("按评议主体汇总"))
            means = "".join(
                f", ROUND(AVG(c{int(pk)}) * 100.0 / {int(hi)}, 2) AS m{int(pk)}" for pk, _w in crits
            )
            db.temp(
                "gr_kind",
                f"""SELECT ratee_id, kind, AVG(v) AS mean, COUNT(*) AS n {means}
                FROM gr_sheet GROUP BY ratee_id, kind""",
            )
            progress(55, _("确定参评党员"))
            root_path = campaign.party_org.path
            db.temp(
                "gr_member",
                f"""SELECT m.person_id, m.branch_id,
                       CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END AS prob
                FROM {membership} m JOIN {org} o ON o.id = m.branch_id
                WHERE o.path LIKE %s""",
                [root_path + "%"],
                # Probed per result row by "members who left the subtree" below: its
                # estimate of scored rows comes from statistics taken before the scores
                # were written (0), and a nested loop over an unindexed table was quadratic
                # (200 000 members: minutes).
                index="person_id",
            )
            weight_case, weight_params = _case("k.kind", weights)
            db.temp(
                "gr_score",
                f"""SELECT k.ratee_id, SUM({weight_case} * k.mean) / SUM({weight_case}) AS score,
                       SUM(k.n) AS sheets
                FROM gr_kind k
                WHERE {weight_case} > 0
                GROUP BY k.ratee_id""",
                weight_params * 3,
            )
            progress(65, _("计算排名"))
            # Ranks, branch sizes and proposals in temp tables; then ONE update of the result
            # rows (every extra pass rewrites 200 000 rows and their indexes).
            num, den = _fraction_sql(campaign)
            db.temp(
                "gr_rank",
                """SELECT m.person_id, m.branch_id, m.prob, s.score,
                       COALESCE(s.sheets, 0) AS sheets,
                       CASE WHEN s.score IS NULL THEN NULL ELSE
                         RANK() OVER (PARTITION BY m.branch_id
                                      ORDER BY s.score IS NULL, s.score DESC) END AS rb,
                       CASE WHEN s.score IS NULL THEN NULL ELSE
                         RANK() OVER (ORDER BY s.score IS NULL, s.score DESC) END AS rc,
                       COUNT(*) OVER (PARTITION BY m.branch_id) AS bs,
                       CASE WHEN s.score IS NULL THEN ''
                            WHEN s.score >= %s AND m.prob = 0 THEN 'excellent'
                            WHEN s.score >= %s THEN 'qualified'
                            WHEN s.score >= %s THEN 'basically_qualified'
                            ELSE 'unqualified' END AS proposed
                FROM gr_member m LEFT JOIN gr_score s ON s.ratee_id = m.person_id""",
                [float(policy.excellent_min), float(policy.qualified_min), float(policy.basic_min)],
            )
            # 优秀 for at most the rule's share of a branch: the best scores keep it.
            db.temp(
                "gr_final",
                f"""SELECT t.*, CASE WHEN t.proposed = 'excellent'
                                     AND t.rn * {den} > t.bs * {num}
                                THEN 'qualified' ELSE t.proposed END AS final
                FROM (SELECT r.*, ROW_NUMBER() OVER (
                        PARTITION BY r.branch_id, r.proposed
                        ORDER BY r.score DESC, r.person_id) AS rn
                      FROM gr_rank r) t""",
            )
            progress(72, _("写入评议结果"))
            # New members first into a temp table: an INSERT whose NOT EXISTS scans the
            # table it is filling turns quadratic (every probe walks the rows just added).
            db.temp(
                "gr_new",
                f"""SELECT f.person_id, f.branch_id FROM gr_final f
                WHERE NOT EXISTS (SELECT 1 FROM {result_t} x
                                  WHERE x.campaign_id = %s AND x.person_id = f.person_id)""",
                [c],
            )
            db.run(
                f"""INSERT INTO {result_t} (campaign_id, person_id, branch_id, probationary,
                       score, sheets, branch_size, proposed)
                SELECT %s, n.person_id, n.branch_id, {_false()}, NULL, 0, 0, ''
                FROM gr_new n""",
                [c],
            )
            db.analyze(result_t)
            db.run(
                f"""UPDATE {result_t} SET branch_id = f.branch_id, probationary = (f.prob = 1),
                       score = f.score, sheets = f.sheets, rank_branch = f.rb,
                       rank_company = f.rc, branch_size = f.bs, proposed = f.final
                FROM gr_final f
                WHERE {result_t}.campaign_id = %s AND {result_t}.person_id = f.person_id""",
                [c],
            )
            # Members who left the subtree keep their row (a decision may hang on it) but
            # lose their score.
            db.run(
                f"""UPDATE {result_t} SET score = NULL, sheets = 0, rank_branch = NULL,
                       rank_company = NULL, proposed = ''
                WHERE campaign_id = %s AND score IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM gr_member m
                                  WHERE m.person_id = {result_t}.person_id)""",
                [c],
            )
            progress(82, _("写入评议结果构成"))
            db.run(
                f"DELETE FROM {part_t} WHERE result_id IN "
                f"(SELECT id FROM {result_t} WHERE campaign_id = %s)",
                [c],
            )
            _expected(db, campaign, weights)
            empty_json = "'{}'::jsonb" if connection.vendor == "postgresql" else "'{}'"
            criteria_json = _json_object([(str(pk), f"k.m{int(pk)}") for pk, _w in crits])
            db.run(
                f"""INSERT INTO {part_t} (result_id, kind, mean, sheets, expected, criteria)
                SELECT r.id, k.kind, k.mean, k.n, e.expected, {criteria_json}
                FROM gr_kind k
                JOIN {result_t} r ON r.campaign_id = %s AND r.person_id = k.ratee_id
                LEFT JOIN gr_expected e ON e.person_id = k.ratee_id AND e.kind = k.kind""",
                [c],
            )
            db.run(
                f"""INSERT INTO {part_t} (result_id, kind, mean, sheets, expected, criteria)
                SELECT r.id, e.kind, NULL, 0, e.expected, {empty_json}
                FROM gr_expected e
                JOIN {result_t} r ON r.campaign_id = %s AND r.person_id = e.person_id
                WHERE NOT EXISTS (SELECT 1 FROM gr_kind k
                                  WHERE k.ratee_id = e.person_id AND k.kind = e.kind)""",
                [c],
            )
            db.analyze(part_t)
            progress(90, _("雷同评分检查"))
            flagged = _flag_lenient(db, campaign, policy, flag_t)
            progress(95, _("汇总图表数据"))
            summary = _summary(db, campaign, result_t, part_t)
        finally:
            db.drop_temps()
    excluded = Rating.objects.filter(campaign=campaign, excluded=True).count()
    return {
        "members": MemberResult.objects.filter(campaign=campaign).count(),
        "sheets": sum(k["sheets"] for k in summary["kinds"].values()),
        "excluded": excluded,
        "flagged": flagged,
        "seconds": round(time.monotonic() - started, 2),
        "summary": summary,
    }


def _fraction_sql(campaign: Campaign) -> tuple[str, str]:
    """SQL for the numerator and denominator of the share of a branch that may be 优秀:
    constants when every branch has the same rule (the usual case), else a CASE by branch
    for the branches under a stricter local supplement."""
    book = RuleBook.load()
    national = Fraction(book.value("appraisal.excellent_max_fraction", on=campaign.ends_on))
    local: dict[Fraction, list[int]] = {}
    if book.versions("appraisal.excellent_max_fraction"):  # some rule row exists: per branch
        branches = PartyOrg.objects.filter(
            path__startswith=campaign.party_org.path, kind=PartyOrg.Kind.BRANCH
        ).only("pk", "path")
        for branch in branches:
            value = Fraction(
                book.value("appraisal.excellent_max_fraction", on=campaign.ends_on, org=branch)
            )
            if value != national:
                local.setdefault(value, []).append(branch.pk)
    if not local:
        return str(national.numerator), str(national.denominator)
    nums = " ".join(
        f"WHEN t.branch_id IN ({','.join(str(i) for i in ids)}) THEN {f.numerator}"
        for f, ids in local.items()
    )
    dens = " ".join(
        f"WHEN t.branch_id IN ({','.join(str(i) for i in ids)}) THEN {f.denominator}"
        for f, ids in local.items()
    )
    return (
        f"(CASE {nums} ELSE {national.numerator} END)",
        f"(CASE {dens} ELSE {national.denominator} END)",
    )


def _expected(db: _Runner, campaign: Campaign, weights: dict[str, float]) -> None:
    """``gr_expected``: per member and rater kind, how many sheets were expected —
    customers: the campaign's tokens of the customers he serves; peers: his branch's other
    members; self: one. Leaders and the public have no denominator."""
    c = campaign.pk
    selects, params = [], []
    if RaterKind.CUSTOMER in weights:
        token, customer = _t(RatingToken), _t(RetailCustomer)
        for field in SERVING_FIELDS:
            selects.append(
                f"""SELECT cu.{field} AS person_id, 'customer' AS kind, COUNT(*) AS expected
                FROM {token} t JOIN {customer} cu ON cu.id = t.customer_id
                WHERE t.campaign_id = %s AND cu.{field} IS NOT NULL
                GROUP BY cu.{field}"""
            )
            params.append(c)
    if RaterKind.PEER in weights:
        selects.append(
            """SELECT m.person_id, 'peer' AS kind, b.n - 1 AS expected
            FROM gr_member m
            JOIN (SELECT branch_id, COUNT(*) AS n FROM gr_member GROUP BY branch_id) b
              ON b.branch_id = m.branch_id
            WHERE b.n > 1"""
        )
    if RaterKind.SELF in weights:
        selects.append("SELECT person_id, 'self' AS kind, 1 AS expected FROM gr_member")
    if not selects:
        selects.append("SELECT person_id, 'self' AS kind, 0 AS expected FROM gr_member WHERE 1=0")
    union = " UNION ALL ".join(f"SELECT * FROM ({s}) q{i}" for i, s in enumerate(selects))
    db.temp(
        "gr_expected",
        f"""SELECT u.person_id, u.kind, SUM(u.expected) AS expected
        FROM ({union}) u
        WHERE u.person_id IN (SELECT person_id FROM gr_member)
        GROUP BY u.person_id, u.kind""",
        params,
    )


def _flag_lenient(db: _Runner, campaign: Campaign, policy: GradingPolicy, flag_t: str) -> int:
    """Flag raters whose ≥ N sheets all carry the same score (not yet flagged)."""
    c, n = campaign.pk, policy.leniency_min_sheets
    same = "MAX(v) - MIN(v) < 0.005"
    now = "CURRENT_TIMESTAMP"
    total = 0
    total += db.run(
        f"""INSERT INTO {flag_t} (campaign_id, kind, rater_id, token_id, device_hash, sheets,
               score, status, reason, found_at)
        SELECT %s, g.kind, g.rater_id, NULL, '', COUNT(*), ROUND(MIN(g.v), 2), 'open', '', {now}
        FROM gr_sheet g
        WHERE g.rater_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {flag_t} x WHERE x.campaign_id = %s
                          AND x.rater_id = g.rater_id AND x.kind = g.kind)
        GROUP BY g.rater_id, g.kind HAVING COUNT(*) >= %s AND {same}""",
        [c, c, n],
    )
    total += db.run(
        f"""INSERT INTO {flag_t} (campaign_id, kind, rater_id, token_id, device_hash, sheets,
               score, status, reason, found_at)
        SELECT %s, MIN(g.kind), NULL, g.token_id, '', COUNT(*), ROUND(MIN(g.v), 2), 'open', '',
               {now}
        FROM gr_sheet g
        WHERE g.token_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {flag_t} x WHERE x.campaign_id = %s
                          AND x.token_id = g.token_id)
        GROUP BY g.token_id HAVING COUNT(*) >= %s AND {same}""",
        [c, c, n],
    )
    total += db.run(
        f"""INSERT INTO {flag_t} (campaign_id, kind, rater_id, token_id, device_hash, sheets,
               score, status, reason, found_at)
        SELECT %s, MIN(g.kind), NULL, NULL, g.device_hash, COUNT(*), ROUND(MIN(g.v), 2),
               'open', '', {now}
        FROM gr_sheet g
        WHERE g.device_hash <> '' AND g.rater_id IS NULL AND g.token_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM {flag_t} x WHERE x.campaign_id = %s
                          AND x.device_hash = g.device_hash)
        GROUP BY g.device_hash HAVING COUNT(*) >= %s AND {same}""",
        [c, c, n],
    )
    return max(total, 0)


def _summary(db: _Runner, campaign: Campaign, result_t: str, part_t: str) -> dict:
    """Campaign-wide figures for the charts and the report (small: one row per kind, per
    histogram bucket, per branch)."""
    c = campaign.pk
    kinds = {
        kind: {"sheets": int(sheets or 0), "expected": int(expected or 0)}
        for kind, sheets, expected in db.rows(
            f"""SELECT p.kind, SUM(p.sheets), SUM(p.expected)
            FROM {part_t} p JOIN {result_t} r ON r.id = p.result_id
            WHERE r.campaign_id = %s GROUP BY p.kind""",
            [c],
        )
    }
    step = HISTOGRAM_STEP
    # FLOOR on PostgreSQL (a cast rounds there); SQLite's cast truncates (scores are ≥ 0).
    bucket = (
        f"FLOOR(score / {step}) * {step}"
        if connection.vendor == "postgresql"
        else f"CAST(score / {step} AS INTEGER) * {step}"
    )
    histogram = [
        [int(low), int(n)]
        for low, n in db.rows(
            f"""SELECT {bucket} AS bucket, COUNT(*)
            FROM {result_t} WHERE campaign_id = %s AND score IS NOT NULL
            GROUP BY {bucket} ORDER BY 1""",
            [c],
        )
    ]
    branches = [
        [int(pk), float(mean) if mean is not None else None, int(n), int(size)]
        for pk, mean, n, size in db.rows(
            f"""SELECT branch_id, AVG(score), COUNT(score), COUNT(*)
            FROM {result_t} WHERE campaign_id = %s GROUP BY branch_id""",
            [c],
        )
    ]
    grades = dict(
        db.rows(
            f"""SELECT proposed, COUNT(*) FROM {result_t} WHERE campaign_id = %s
            GROUP BY proposed""",
            [c],
        )
    )
    return {"kinds": kinds, "histogram": histogram, "branches": branches, "proposed": grades}
