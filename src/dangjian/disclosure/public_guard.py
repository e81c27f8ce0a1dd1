"""Guards for the objection form on the public (no-login) page, on ``platform.public_forms``:
a one-use form token (the nonce is stored on the objection under a unique constraint) and a
rate limit per client address."""

from __future__ import annotations

from dangjian.platform import public_forms
from dangjian.platform.public_forms import TokenInvalid

PURPOSE = "disclosure.objection"
TOKEN_MAX_AGE = 2 * 3600
RATE_LIMIT = 5  # objections per address per window
RATE_WINDOW = 3600  # seconds

__all__ = ["TokenInvalid", "issue_token", "read_token", "over_limit"]


def issue_token(notice_id: int) -> str:
    return public_forms.issue_form_token(PURPOSE, notice_id)


def read_token(token: str, notice_id: int) -> str:
    """The nonce of a valid token for ``notice_id``; TokenInvalid otherwise."""
    return public_forms.read_form_token(token, PURPOSE, notice_id, max_age=TOKEN_MAX_AGE)


def _client_key(request) -> str:
    return public_forms.client_key(request, PURPOSE)


def over_limit(request) -> bool:
    """Whether this client has used up its objections for the window (counts this one)."""
    return public_forms.over_rate_limit(request, PURPOSE, limit=RATE_LIMIT, window=RATE_WINDOW)
