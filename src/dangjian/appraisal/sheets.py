"""A rating sheet on a page: one score field per criterion (buttons 1–5, or a number 0–100),
read back from the POST as raw text for ``services`` to check."""

from __future__ import annotations

import re

from .models import Campaign, Criterion, ScoreScale

_RATEE_FIELD = re.compile(r"^[sc]-(\d{1,12})(?:-|$)")
# More ratee ids than any customer form carries are ignored (the service refuses the rest).
MAX_POSTED_RATEES = 50


def read_scores(data, criteria: list[Criterion], *, prefix: str) -> dict[int, str]:
    """{criterion id: raw value} for the criteria filled in (blank ones are left out)."""
    values = {}
    for criterion in criteria:
        raw = (data.get(f"{prefix}{criterion.pk}") or "").strip()
        if raw:
            values[criterion.pk] = raw[:10]
    return values


def sheet_fields(
    campaign: Campaign, criteria: list[Criterion], values: dict, errors: dict, *, prefix: str
) -> list[dict]:
    low, high = campaign.score_bounds
    buttons = list(range(low, high + 1)) if campaign.scale == ScoreScale.FIVE else []
    return [
        {
            "criterion": c,
            "name": f"{prefix}{c.pk}",
            "value": str(values.get(c.pk, "")),
            "errors": errors.get(f"{prefix}{c.pk}", []),
            "buttons": buttons,
            "low": low,
            "high": high,
        }
        for c in criteria
    ]


def read_customer_sheets(data, criteria: list[Criterion]) -> dict[int, tuple[dict, str]]:
    """The customer form's sheets as posted: {ratee id: ({criterion id: raw}, comment)} for
    every member with a score or a comment (``s-<ratee>-<criterion>``, ``c-<ratee>``). Whom
    the customer may rate is the service's check, not the form's."""
    ratee_ids: list[int] = []
    for key in data:
        match = _RATEE_FIELD.match(key)
        if match and int(match.group(1)) not in ratee_ids:
            ratee_ids.append(int(match.group(1)))
            if len(ratee_ids) >= MAX_POSTED_RATEES:
                break
    sheets = {}
    for ratee_id in ratee_ids:
        values = read_scores(data, criteria, prefix=f"s-{ratee_id}-")
        comment = data.get(f"c-{ratee_id}", "")
        if values or comment.strip():
            sheets[ratee_id] = (values, comment)
    return sheets
