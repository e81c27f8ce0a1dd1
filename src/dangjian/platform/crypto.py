"""Personal data at rest: Fernet-encrypted fields, keyed hashes for exact search, masking.

The ciphertext column never holds plaintext; exact lookups (an ID number, a phone) go through
a separate HMAC column so the database can index it without being able to read it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.FIELD_ENCRYPTION_KEYS])


@cache
def _hash_key() -> bytes:
    # Derived from the first encryption key so one secret configures both.
    return hashlib.sha256(b"dangjian-lookup:" + settings.FIELD_ENCRYPTION_KEYS[0].encode()).digest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配") from exc


def lookup_hash(value: str | None) -> str | None:
    """Keyed hash of a normalised value for exact-match indexes (None for empty)."""
    if not value:
        return None
    normalised = value.strip().upper()
    return hmac.new(_hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python sees plaintext. Not usable in lookups."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def mask_id_number(value: str | None) -> str:
    """110101199003071234 → 110101********1234."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
