"""Vetoes on the 优秀共产党员 nomination: dues unpaid for the rule's number of consecutive
months (the dues app's open arrears flag, or its ledger), and an open disciplinary record.

System reads: callers have already checked that the actor may see the people.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.dues import rules as dues_rules
from dangjian.dues.models import ArrearsFlag
from dangjian.dues.selectors import build_ledgers, current_month
from dangjian.people.models import Person
from dangjian.rulebook.selectors import RuleBook

from .models import DisciplinaryRecord

LEDGER_MONTHS = 12


def vetoes_for(people: list[Person], *, on: dt.date) -> dict[int, list[str]]:
    """``{person id: [reason, …]}`` for every person with a veto on ``on``."""
    ids = [p.pk for p in people]
    if not ids:
        return {}
    book = RuleBook.load()
    out: dict[int, list[str]] = {}
    people = list(
        Person.objects.filter(pk__in=ids).select_related("membership", "membership__branch")
    )
    limits = {
        p.pk: book.value(
            "dues.arrears_flag_months",
            on=on,
            org=getattr(getattr(p, "membership", None), "branch", None),
        )
        for p in people
    }
    flagged = set()
    for flag in ArrearsFlag.objects.filter(person_id__in=ids, resolved_on__isnull=True):
        if flag.months >= limits.get(flag.person_id, 6):
            flagged.add(flag.person_id)
            out.setdefault(flag.person_id, []).append(
                _("连续 %(n)s 个月未交党费（自 %(m)s 起）")
                % {"n": flag.months, "m": flag.first_unpaid_month.strftime("%Y-%m")}
            )
    # Not yet flagged by the morning scan: read the ledger itself.
    rest = [p for p in people if p.pk not in flagged]
    if rest:
        this_month = current_month(on)
        months = dues_rules.month_range(
            dues_rules.add_months(this_month, -LEDGER_MONTHS), this_month
        )
        for ledger in build_ledgers(rest, months, today=on):
            if not ledger.bases:  # no payroll base recorded: nothing is due (as the scan)
                continue
            run, since = ledger.trailing_unpaid
            if run >= limits.get(ledger.person.pk, 6):
                out.setdefault(ledger.person.pk, []).append(
                    _("连续 %(n)s 个月未交党费（自 %(m)s 起）")
                    % {"n": run, "m": since.strftime("%Y-%m") if since else "—"}
                )
    records = DisciplinaryRecord.objects.filter(person_id__in=ids, decided_on__lte=on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    )
    for record in records:
        out.setdefault(record.person_id, []).append(
            _("党纪处分影响期内：%(k)s（%(d)s，%(s)s）")
            % {
                "k": record.get_kind_display(),
                "d": record.decided_on.isoformat(),
                "s": record.summary,
            }
        )
    return out
