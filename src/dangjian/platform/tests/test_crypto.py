"""Encrypted fields, keyed lookup hashes and masking."""

import time

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from dangjian.platform import crypto


def test_encrypt_then_decrypt_round_trips_and_hides_the_value():
    token = crypto.encrypt("360102199003071238")
    assert "360102199003071238" not in token
    assert crypto.decrypt(token) == "360102199003071238"


def test_a_value_encrypted_under_another_key_cannot_be_read():
    from cryptography.fernet import Fernet

    foreign = Fernet(Fernet.generate_key()).encrypt(b"secret").decode()
    with pytest.raises(ValueError, match="密钥"):
        crypto.decrypt(foreign)


def test_an_old_key_still_decrypts_after_rotation(settings):
    from cryptography.fernet import Fernet

    old = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt("13800000000")
    new = Fernet.generate_key().decode()
    crypto._fernet.cache_clear()
    crypto._writer.cache_clear()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
            assert crypto.decrypt(token) == "13800000000"
            rotated = crypto.encrypt("13800000000")
            # New values are written under the new key: it alone reads them.
            assert Fernet(new.encode()).decrypt(rotated.encode()) == b"13800000000"
    finally:
        crypto._fernet.cache_clear()
        crypto._writer.cache_clear()


@given(st.text(max_size=80))
def test_tokens_are_standard_fernet_for_any_text(value):
    """The fast writer's tokens (any length: empty, one block, several) are read by the
    cryptography library's own Fernet, carry the current time, and never repeat."""
    from cryptography.fernet import Fernet
    from django.conf import settings

    token = crypto.encrypt(value)
    reader = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    assert reader.decrypt(token.encode()).decode() == value
    assert abs(reader.extract_timestamp(token.encode()) - time.time()) < 5
    assert crypto.encrypt(value) != token


def test_lookup_hash_is_stable_normalised_and_empty_for_blank():
    assert crypto.lookup_hash("36010219900307123x") == crypto.lookup_hash(" 36010219900307123X")
    assert crypto.lookup_hash("") is None
    assert len(crypto.lookup_hash("abc")) == 64


@pytest.mark.parametrize(
    ("value", "masked"),
    [("110101199003071234", "110101********1234"), ("", ""), ("12345", "*****")],
)
def test_id_numbers_are_masked(value, masked):
    assert crypto.mask_id_number(value) == masked


def test_phones_are_masked():
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone("") == ""
