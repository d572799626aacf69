"""The keyring: key ids in every ciphertext, lookups under every key, HEARD_SECRET_KEYS."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from storage.crypto import AddressCipher, DecryptionError, generate_secret
from tests.support.keys import TEST_SECRET

K1 = ("k1", TEST_SECRET)
K2 = ("k2", generate_secret())
PHONE = "+447700900123"


def test_every_ciphertext_names_its_key_and_decrypts_by_it() -> None:
    old, both = AddressCipher([K1]), AddressCipher([K2, K1])
    blob = old.encrypt_address("sms", PHONE)
    assert AddressCipher.key_id_of(blob) == "k1"
    assert both.decrypt_address("sms", blob) == PHONE
    new_blob = both.encrypt_address("sms", PHONE)
    assert AddressCipher.key_id_of(new_blob) == "k2" and both.is_current(new_blob)
    with pytest.raises(DecryptionError, match="not in the keyring"):
        old.decrypt_address("sms", new_blob)


def test_a_single_secret_is_key_k1_and_older_ciphertexts_without_ids_still_read() -> None:
    single = AddressCipher(TEST_SECRET)
    blob = single.encrypt_address("sms", PHONE)
    assert AddressCipher.key_id_of(blob) == "k1"
    header = 2 + len("k1")
    legacy = b"\x01" + blob[header:]  # the format before key ids: version, nonce, sealed
    assert AddressCipher([K2, K1]).decrypt_address("sms", legacy) == PHONE
    with pytest.raises(DecryptionError):
        AddressCipher([K2]).decrypt_address("sms", legacy)


def test_lookups_cover_every_key_newest_first() -> None:
    both = AddressCipher([K2, K1])
    assert both.lookups("sms", "07700 900123".replace("0", "+44", 1)) == [
        AddressCipher([K2]).lookup("sms", PHONE),
        AddressCipher([K1]).lookup("sms", PHONE),
    ]
    assert both.lookup("sms", PHONE) == both.lookups("sms", PHONE)[0]


def test_heard_secret_keys_is_read_newest_first() -> None:
    settings = load_settings({"HEARD_SECRET_KEYS": f"k2:{K2[1]}, k1:{K1[1]}"})
    assert settings.keyring == (K2, K1)
    assert settings.secret_key == K2[1]
    single = load_settings({"HEARD_SECRET_KEY": TEST_SECRET})
    assert single.keyring == (("k1", TEST_SECRET),)
    # The single key may stay set beside a keyring that holds it (e.g. in docker-compose).
    both = load_settings({"HEARD_SECRET_KEYS": f"k2:{K2[1]},k1:{K1[1]}", "HEARD_SECRET_KEY": K1[1]})
    assert both.keyring == (K2, K1)


@pytest.mark.parametrize(
    "env, reason",
    [
        ({"HEARD_SECRET_KEYS": f"k2:{K2[1]}", "HEARD_SECRET_KEY": TEST_SECRET}, "not in"),
        ({"HEARD_SECRET_KEYS": K2[1]}, "not `id:secret`"),
        ({"HEARD_SECRET_KEYS": f"k 2:{K2[1]}"}, "not `id:secret`"),
        ({"HEARD_SECRET_KEYS": f"k2:{K2[1]},k2:{TEST_SECRET}"}, "twice"),
        ({"HEARD_SECRET_KEYS": "k2:short-secret"}, "at least 32"),
    ],
)
def test_a_bad_keyring_is_refused_without_echoing_a_secret(
    env: dict[str, str], reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason) as raised:
        load_settings(env)
    assert K2[1] not in str(raised.value) and TEST_SECRET not in str(raised.value)
    assert "short-secret" not in str(raised.value)
