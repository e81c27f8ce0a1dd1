"""Encrypted fields, keyed lookup hashes and masking."""

import pytest
from django.test import override_settings

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
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
            assert crypto.decrypt(token) == "13800000000"
    finally:
        crypto._fernet.cache_clear()


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
