"""Which rule applies: the national version in force on a date, tightened by any provincial
or local supplement issued on the organisation's ancestors.

Callers that check many organisations load a ``RuleBook`` once (one query over a small
table) and ask it; ``rule_value`` is the one-off form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from dangjian.orgs.models import PartyOrg

from .models import Level, Rule
from .registry import GROUPS, RULES, RuleDef, definition

BUILT_IN_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Applied:
    """A rule's value as it applies, with where it comes from (for messages citing it)."""

    definition: RuleDef
    value: Any
    level: str
    source_document: str
    article: str
    effective_from: dt.date
    org_name: str = ""

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def citation(self) -> str:
        """「《…细则》第十五条」 or 「…（赣州市烟草公司党委补充规定）」."""
        text = self.source_document + (self.article or "")
        if self.level != Level.NATIONAL:
            text += f"（{self.org_name}补充规定）"
        return text


def _built_in(d: RuleDef) -> Applied:
    return Applied(d, d.national, Level.NATIONAL, d.source, d.article, BUILT_IN_DATE)


class RuleBook:
    """Every rule version, loaded once; answers ``value(key, on=, org=)`` without queries."""

    def __init__(self, rows):
        self._rows: dict[str, list[Rule]] = {}
        for row in rows:
            self._rows.setdefault(row.key, []).append(row)
        for versions in self._rows.values():
            versions.sort(key=lambda r: (r.effective_from, r.pk), reverse=True)

    @classmethod
    def load(cls) -> RuleBook:
        # System read of published rules (national rules are public documents; local ones
        # apply to whoever falls under the issuing organisation).
        return cls(Rule.objects.select_related("party_org"))

    def national(self, key: str, on: dt.date) -> Applied:
        d = definition(key)
        for row in self._rows.get(key, ()):
            if row.level == Level.NATIONAL and row.effective_from <= on:
                return Applied(
                    d,
                    d.parse(row.value),
                    row.level,
                    row.source_document,
                    row.article,
                    row.effective_from,
                )
        return _built_in(d)

    def supplements(self, key: str, on: dt.date, org: PartyOrg | None) -> list[Applied]:
        """The latest supplement of each ancestor organisation (org included) in force on ``on``."""
        if org is None:
            return []
        d = definition(key)
        latest: dict[int, Rule] = {}
        for row in self._rows.get(key, ()):
            if row.level == Level.NATIONAL or row.effective_from > on:
                continue
            if not org.path.startswith(row.party_org.path):
                continue
            latest.setdefault(row.party_org_id, row)  # rows are newest first
        return [
            Applied(
                d,
                d.parse(r.value),
                r.level,
                r.source_document,
                r.article,
                r.effective_from,
                r.party_org.name,
            )
            for r in latest.values()
        ]

    def applied(
        self, key: str, *, on: dt.date | None = None, org: PartyOrg | None = None
    ) -> Applied:
        """The rule that governs ``org`` on ``on``: the strictest of national and supplements."""
        on = on or timezone.localdate()
        d = definition(key)
        best = self.national(key, on)
        if d.direction == "fixed":
            return best
        for candidate in self.supplements(key, on, org):
            if candidate.value is None:
                continue
            if best.value is None or (
                d.stricter_or_equal(candidate.value, best.value) and candidate.value != best.value
            ):
                best = candidate
        return best

    def value(self, key: str, *, on: dt.date | None = None, org: PartyOrg | None = None):
        return self.applied(key, on=on, org=org).value

    def versions(self, key: str) -> list[Rule]:
        return list(self._rows.get(key, ()))


def rule_value(key: str, *, on: dt.date | None = None, org: PartyOrg | None = None):
    """The typed value of rule ``key`` for ``org`` on ``on`` (today by default)."""
    return applied_rule(key, on=on, org=org).value


def applied_rule(key: str, *, on: dt.date | None = None, org: PartyOrg | None = None) -> Applied:
    rows = Rule.objects.filter(key=key).select_related("party_org")
    return RuleBook(rows).applied(key, on=on, org=org)


def visible_versions(actor, key: str | None = None):
    """Rule rows ``actor`` may read: every national version, and the supplements of the
    party organisations he can see (through the one scoping mechanism)."""
    visible_orgs = PartyOrg.objects.restrict(actor, "view").values("pk")
    qs = Rule.objects.filter(Q(level=Level.NATIONAL) | Q(party_org__in=visible_orgs))
    if key:
        qs = qs.filter(key=key)
    return qs.select_related("party_org", "created_by")


def rule_overview(actor, *, on: dt.date | None = None) -> list[dict]:
    """The rule table for the rule pages: every definition grouped, with the national value
    in force and how many supplements the actor can see."""
    on = on or timezone.localdate()
    rows = list(visible_versions(actor))
    book = RuleBook(rows)
    supplements: dict[str, int] = {}
    for row in rows:
        if row.level != Level.NATIONAL:
            supplements[row.key] = supplements.get(row.key, 0) + 1
    groups = []
    for group, title in GROUPS.items():
        items = [
            {
                "definition": d,
                "national": book.national(d.key, on),
                "supplements": supplements.get(d.key, 0),
            }
            for d in RULES.values()
            if d.group == group
        ]
        groups.append({"key": group, "title": title, "items": items})
    return groups
