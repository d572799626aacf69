"""Address encryption and lookup."""

from __future__ import annotations

import pytest

from storage.crypto import (
    AddressCipher,
    DecryptionError,
    SecretKeyError,
    generate_secret,
    normalise_address,
)
from tests.support.keys import TEST_SECRET


@pytest.mark.parametrize(
    "channel, address, expected",
    [
        ("sms", "+447700900123", "sms:+447700900123"),
        ("sms", "+44 7700 900123", "sms:+447700900123"),
        ("sms", "0044 7700-900-123", "sms:+447700900123"),
        ("sms", "(+44) 7700.900123", "sms:+447700900123"),
        ("SMS", " +447700900123\n", "sms:+447700900123"),
        ("telegram", " 555000111 ", "telegram:555000111"),
        ("telegram", "-100555000111", "telegram:-100555000111"),
    ],
)
def test_addresses_are_normalised_before_lookup(channel: str, address: str, expected: str) -> None:
    assert normalise_address(channel, address) == expected


def test_the_lookup_is_keyed_and_stable() -> None:
    cipher, other = AddressCipher(TEST_SECRET), AddressCipher(generate_secret())
    digest = cipher.lookup("sms", "+447700900123")
    assert digest == cipher.lookup("sms", "0044 7700 900123")
    assert digest != cipher.lookup("telegram", "+447700900123")
    assert digest != other.lookup("sms", "+447700900123")
    assert "447700900123" not in digest


def test_encryption_round_trips_and_never_repeats() -> None:
    cipher = AddressCipher(TEST_SECRET)
    first = cipher.encrypt_address("sms", "+447700900123")
    second = cipher.encrypt_address("sms", "+447700900123")
    assert first != second  # a fresh nonce each time
    assert b"447700900123" not in first
    assert cipher.decrypt_address("sms", first) == "+447700900123"


@pytest.mark.parametrize("damage", ["flip a bit", "truncate", "other purpose", "other key"])
def test_a_damaged_or_misused_ciphertext_does_not_decrypt(damage: str) -> None:
    cipher = AddressCipher(TEST_SECRET)
    blob = cipher.encrypt_address("sms", "+447700900123")
    if damage == "flip a bit":
        blob = blob[:-1] + bytes([blob[-1] ^ 1])
    elif damage == "truncate":
        blob = blob[:10]
    elif damage == "other key":
        cipher = AddressCipher(generate_secret())
    channel = "telegram" if damage == "other purpose" else "sms"
    with pytest.raises(DecryptionError) as raised:
        cipher.decrypt_address(channel, blob)
    assert "447700900123" not in str(raised.value)


@pytest.mark.parametrize(
    "secret",
    [
        "ab" * 32,  # hex, 32 bytes
        generate_secret(),  # urlsafe base64, 32 bytes
        "a long passphrase of more than thirty-two characters",
    ],
)
def test_a_secret_of_enough_entropy_gives_the_same_keys_every_time(secret: str) -> None:
    writer, reader = AddressCipher(secret), AddressCipher(secret)
    assert reader.decrypt_address("sms", writer.encrypt_address("sms", "+447700900123")) == (
        "+447700900123"
    )
    assert reader.lookup("sms", "+447700900123") == writer.lookup("sms", "+447700900123")
    assert secret not in repr(writer)


@pytest.mark.parametrize(
    "secret",
    [
        "ab" * 16,  # hex, only 16 bytes (though 32 characters)
        "c2hvcnQ",  # base64 of "short"
        "too short",
        "",
    ],
)
def test_a_weak_secret_is_refused_without_echoing_it(secret: str) -> None:
    with pytest.raises(SecretKeyError) as raised:
        AddressCipher(secret)
    if secret:
        assert secret not in str(raised.value)


def test_the_secret_comes_from_the_environment() -> None:
    with pytest.raises(SecretKeyError, match="HEARD_SECRET_KEY is not set"):
        AddressCipher.from_env({})
    from_env = AddressCipher.from_env({"HEARD_SECRET_KEY": TEST_SECRET})
    assert from_env.lookup("sms", "+447700900123") == AddressCipher(TEST_SECRET).lookup(
        "sms", "+447700900123"
    )
