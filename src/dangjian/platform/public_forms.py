"""Guards for forms on public (no-login) pages: objections, ratings, complaints, bookings.

- ``issue_form_token(purpose, subject_id)``: a one-use form token, signed (purpose + subject
  id + a random nonce, valid ``max_age`` seconds). ``read_form_token`` returns the nonce; the
  caller stores it under a unique constraint, so a replayed form is refused by the database.
- ``over_rate_limit(request, purpose, limit=, window=)``: a rate limit per client address
  (hashed with the secret key; the address itself is never stored), counted in the cache that
  all web processes share (Redis in production).
- ``device_id(request)``: a random id kept in a long-lived cookie, for "one per device" rules
  (light abuse control for anonymous pages, not identity).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

DEFAULT_MAX_AGE = 2 * 3600
DEVICE_COOKIE = "dj_device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600


class TokenInvalid(Exception):
    """The form token is forged, expired, or for another purpose or record."""


def _salt(purpose: str) -> str:
    return f"dangjian.public.{purpose}"


def issue_form_token(purpose: str, subject_id: int | str) -> str:
    return signing.dumps({"n": subject_id, "x": secrets.token_hex(16)}, salt=_salt(purpose))


def read_form_token(
    token: str, purpose: str, subject_id: int | str, *, max_age: int = DEFAULT_MAX_AGE
) -> str:
    """The nonce of a valid token for ``subject_id``; TokenInvalid otherwise."""
    try:
        data = signing.loads(token or "", salt=_salt(purpose), max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise TokenInvalid from exc
    if not isinstance(data, dict) or data.get("n") != subject_id or not data.get("x"):
        raise TokenInvalid
    return str(data["x"])


def client_key(request, purpose: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return f"public:{purpose}:" + digest.hexdigest()[:32]


def over_rate_limit(request, purpose: str, *, limit: int, window: int) -> bool:
    """Whether this client has used up ``limit`` submissions in ``window`` seconds (counts
    this one)."""
    key = client_key(request, purpose)
    if cache.add(key, 1, window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return False
    return count > limit


def device_id(request) -> str:
    """The device cookie's value, or a new one (the view sets it with ``remember_device``)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
        return value
    return secrets.token_hex(16)


def remember_device(response, value: str):
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False),
    )
    return response
