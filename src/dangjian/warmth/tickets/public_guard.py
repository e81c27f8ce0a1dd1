"""Guards for the no-login pages of 首问负责制 (the public form, the customer's supplement and
rating), on ``platform.public_forms``: one-use form tokens and a rate limit per address."""

from __future__ import annotations

from dangjian.platform import public_forms
from dangjian.platform.public_forms import TokenInvalid

TOKEN_MAX_AGE = 2 * 3600
LIMITS = {
    # purpose: (submissions per address, window in seconds)
    "tickets.public": (5, 3600),
    "tickets.supplement": (10, 3600),
    "tickets.rate": (10, 3600),
}

__all__ = ["TokenInvalid", "issue_token", "read_token", "over_limit"]


def issue_token(purpose: str, subject_id: int | str = 0) -> str:
    return public_forms.issue_form_token(purpose, subject_id)


def read_token(token: str, purpose: str, subject_id: int | str = 0) -> str:
    """The nonce of a valid token; TokenInvalid otherwise."""
    return public_forms.read_form_token(token, purpose, subject_id, max_age=TOKEN_MAX_AGE)


def over_limit(request, purpose: str) -> bool:
    limit, window = LIMITS[purpose]
    return public_forms.over_rate_limit(request, purpose, limit=limit, window=window)
