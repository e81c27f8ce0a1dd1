"""A rating sheet on a page: one score field per criterion (buttons 1–5, or a number 0–100),
read back from the POST as raw text for ``services`` to check."""

from __future__ import annotations

from .models import Campaign, Criterion, ScoreScale


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
