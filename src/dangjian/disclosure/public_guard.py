"""Guards for the objection form on the public (no-login) page.

- a one-use form token: signed (notice id + random nonce, valid two hours); the nonce is
  stored on the objection under a unique constraint, so a replayed form is refused;
- a rate limit per client address (hashed with the secret key; the address itself is never
  stored), counted in the cache shared by all web processes (Redis in production).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "dangjian.disclosure.objection"
TOKEN_MAX_AGE = 2 * 3600
RATE_LIMIT = 5  # objections per address per window
RATE_WINDOW = 3600  # seconds


class TokenInvalid(Exception):
    pass


def issue_token(notice_id: int) -> str:
    return signing.dumps({"n": notice_id, "x": secrets.token_hex(16)}, salt=SALT)


def read_token(token: str, notice_id: int) -> str:
    """The nonce of a valid token for ``notice_id``; TokenInvalid otherwise."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise TokenInvalid from exc
    if not isinstance(data, dict) or data.get("n") != notice_id or not data.get("x"):
        raise TokenInvalid
    return str(data["x"])


def _client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return "disclosure:rate:" + digest.hexdigest()[:32]


def over_limit(request) -> bool:
    """Whether this client has used up its objections for the window (counts this one)."""
    key = _client_key(request)
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT
