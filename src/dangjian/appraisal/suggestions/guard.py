"""Limits of the public suggestion form, as data, and its guards on ``platform.public_forms``:
a one-use form token (the nonce is stored under a unique constraint) and a rate limit per
client address."""

from __future__ import annotations

from django.conf import settings

from dangjian.platform import public_forms
from dangjian.platform.public_forms import TokenInvalid

PURPOSE = "suggestions.post"
# Overridable in settings (DANGJIAN_SUGGESTION_LIMITS) without touching code.
LIMITS = {
    "max_chars": 2000,  # a message longer than this is refused, not cut
    "token_max_age": 2 * 3600,  # seconds a form stays valid
    "rate_limit": 5,  # messages per address per window
    "rate_window": 3600,  # seconds
    "track_rate_limit": 30,  # tracking-code look-ups per address per window
}
LIMITS.update(getattr(settings, "DANGJIAN_SUGGESTION_LIMITS", {}))

__all__ = ["LIMITS", "TokenInvalid", "issue_token", "read_token", "over_limit", "over_track_limit"]


def issue_token(box_id: int) -> str:
    return public_forms.issue_form_token(PURPOSE, box_id)


def read_token(token: str, box_id: int) -> str:
    return public_forms.read_form_token(token, PURPOSE, box_id, max_age=LIMITS["token_max_age"])


def over_limit(request) -> bool:
    return public_forms.over_rate_limit(
        request, PURPOSE, limit=LIMITS["rate_limit"], window=LIMITS["rate_window"]
    )


def over_track_limit(request) -> bool:
    return public_forms.over_rate_limit(
        request, "suggestions.track", limit=LIMITS["track_rate_limit"], window=LIMITS["rate_window"]
    )
