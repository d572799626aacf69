"""Encryption at rest: addresses (phone numbers, chat ids), inbox payloads and the wrapped
per-person data keys (storage.personal) are AES-GCM ciphertext under a keyring; addresses are
found through an HMAC.

The keyring (`HEARD_SECRET_KEYS`, newest first, each `id:secret`; `HEARD_SECRET_KEY` alone is
the keyring `k1:secret`) holds one or more secrets. From each, HKDF-SHA256 derives an encryption
key and a lookup key under different labels, so knowing a lookup key reveals nothing about the
encryption key. A plain hash of a phone number could be reversed by trying every number; a keyed
HMAC cannot without the secret.

Every ciphertext starts with a format byte and the id of the key it was made under
(`\x02`, id length, id, nonce, sealed); decryption picks the key by that id. Ciphertexts made
before key ids (`\x01`, nonce, sealed) are tried under every key. New ciphertexts and lookups
use the newest key; lookups of a person are tried under every key (`lookups`), so someone who
wrote under an older key is still found. `heard keys rotate` (storage.repositories.keys)
re-encrypts and re-keys what older keys made, after which the older keys can be removed.

Nothing in this module logs, and its errors never include an address, a secret or a plaintext.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_ENV = "HEARD_SECRET_KEY"
KEYS_ENV = "HEARD_SECRET_KEYS"
SINGLE_KEY_ID = "k1"  # the id of `HEARD_SECRET_KEY` used alone
MIN_SECRET_BYTES = 32
_LEGACY = b"\x01"  # before key ids: nonce, sealed
_VERSION = b"\x02"  # key id length, key id, nonce, sealed
_NONCE_BYTES = 12
_TAG_BYTES = 16
KEY_ID = re.compile(r"[A-Za-z0-9_\-]{1,32}")
_SMS_NOISE = re.compile(r"[\s\-().\u00a0]")


class SecretKeyError(ValueError):
    """The secret key is missing or too short. The message never includes the key."""


class DecryptionError(ValueError):
    """A ciphertext was tampered with, truncated, or made under a key not in the keyring."""


def parse_keyring(spec: str) -> list[tuple[str, str]]:
    """`id:secret,id:secret` (newest first) as (id, secret) pairs. SecretKeyError (never
    quoting a secret) for a malformed entry, a bad or repeated id, or no entry at all."""
    keys: list[tuple[str, str]] = []
    for position, entry in enumerate(spec.split(","), start=1):
        key_id, sep, secret = entry.strip().partition(":")
        if not sep or not KEY_ID.fullmatch(key_id) or not secret.strip():
            raise SecretKeyError(
                f"{KEYS_ENV}: entry {position} is not `id:secret` (ids: letters, digits, - and _)"
            )
        if key_id in {known for known, _ in keys}:
            raise SecretKeyError(f"{KEYS_ENV}: key id {key_id!r} appears twice")
        keys.append((key_id, secret.strip()))
    if not keys:
        raise SecretKeyError(f"{KEYS_ENV} is empty")
    return keys


def generate_secret() -> str:
    """A new secret suitable for `HEARD_SECRET_KEY` (32 random bytes, urlsafe base64)."""
    return secrets.token_urlsafe(MIN_SECRET_BYTES)


def normalise_address(channel: str, address: str) -> str:
    """The form an address is looked up by: `channel:address`.

    SMS numbers lose spaces, dashes, dots and brackets, and a leading international `00`
    becomes `+`, so "+44 7700 900123" and "0044-7700-900123" find the same person. Other
    channels' ids (Telegram chat ids) are only trimmed.
    """
    channel = channel.strip().lower()
    value = address.strip()
    if channel == "sms":
        value = _SMS_NOISE.sub("", value)
        if value.startswith("00"):
            value = "+" + value[2:]
    return f"{channel}:{value}"


def _key_material(secret: str) -> bytes:
    text = secret.strip()
    candidates: list[bytes] = []
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
        # A hex string is taken as hex only: 32 hex digits are 16 bytes, whatever else they are.
        candidates.append(binascii.unhexlify(text))
    elif re.fullmatch(r"[A-Za-z0-9_\-]+={0,2}", text):
        with contextlib.suppress(binascii.Error, ValueError):
            candidates.append(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        candidates.append(text.encode("utf-8"))
    else:
        candidates.append(text.encode("utf-8"))
    for material in candidates:
        if len(material) >= MIN_SECRET_BYTES:
            return material
    raise SecretKeyError(
        f"{SECRET_ENV} must carry at least {MIN_SECRET_BYTES} bytes of entropy; make one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
    )


def _derive(material: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(material)


class _Key:
    def __init__(self, key_id: str, secret: str) -> None:
        material = _key_material(secret)
        self.key_id = key_id
        self.header = _VERSION + bytes([len(key_id)]) + key_id.encode("ascii")
        self.aead = AESGCM(_derive(material, b"heard/address-encryption/v1"))
        self.lookup_key = _derive(material, b"heard/address-lookup/v1")

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self.lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class AddressCipher:
    """The keyring: encrypts addresses, inbound payloads and data keys; computes the lookup
    HMACs of an address.

    `purpose` is bound into every ciphertext as associated data, so a value encrypted for one
    column (say an address) cannot be copied into another (say an inbox payload) and decrypt.
    Built from one secret (key id `k1`) or from (id, secret) pairs, newest first.
    """

    def __init__(self, secret: str | Sequence[tuple[str, str]]) -> None:
        pairs = [(SINGLE_KEY_ID, secret)] if isinstance(secret, str) else list(secret)
        if not pairs:
            raise SecretKeyError("the keyring is empty")
        for key_id, _ in pairs:
            if not KEY_ID.fullmatch(key_id):
                raise SecretKeyError("a key id must be 1-32 letters, digits, - or _")
        self._keys = [_Key(key_id, value) for key_id, value in pairs]
        self._by_id = {key.key_id: key for key in self._keys}
        if len(self._by_id) != len(self._keys):
            raise SecretKeyError("a key id appears twice in the keyring")
        self._current = self._keys[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AddressCipher:
        """From settings named as in the environment (bot.config reads the environment)."""
        keys = env.get(KEYS_ENV, "").strip()
        if keys:
            return cls(parse_keyring(keys))
        secret = env.get(SECRET_ENV)
        if not secret:
            raise SecretKeyError(f"{SECRET_ENV} is not set")
        return cls(secret)

    def __repr__(self) -> str:
        return f"AddressCipher(<{len(self._keys)} key(s)>)"

    @property
    def current_key_id(self) -> str:
        return self._current.key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in self._keys)

    # --- lookup
    def lookup(self, channel: str, address: str) -> str:
        """Hex HMAC-SHA256 of the normalised address under the newest key: equal for equal
        addresses, else opaque."""
        return self.keyed_hash(normalise_address(channel, address))

    def lookups(self, channel: str, address: str) -> list[str]:
        """The address's lookup under every key, newest first: what a row written under any
        key in the keyring may hold."""
        return self.keyed_hashes(normalise_address(channel, address))

    def keyed_hash(self, value: str) -> str:
        """Hex HMAC-SHA256 of any value under the newest lookup key (for provider keys of
        erased rows)."""
        return self._current.keyed_hash(value)

    def keyed_hashes(self, value: str) -> list[str]:
        return [key.keyed_hash(value) for key in self._keys]

    # --- encryption
    def encrypt_bytes(self, plaintext: bytes, purpose: str) -> bytes:
        key = self._current
        nonce = os.urandom(_NONCE_BYTES)
        return key.header + nonce + key.aead.encrypt(nonce, plaintext, purpose.encode("utf-8"))

    def decrypt_bytes(self, blob: bytes, purpose: str) -> bytes:
        associated = purpose.encode("utf-8")
        if blob[:1] == _LEGACY:
            return self._decrypt_legacy(blob, associated)
        key_id = self.key_id_of(blob)
        if key_id is None:
            raise DecryptionError("not a Heard ciphertext")
        key = self._by_id.get(key_id)
        if key is None:
            raise DecryptionError("made under a key that is not in the keyring")
        body = blob[len(key.header) :]
        if len(body) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("not a Heard ciphertext")
        try:
            return key.aead.decrypt(body[:_NONCE_BYTES], body[_NONCE_BYTES:], associated)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not match the key or purpose") from exc

    def _decrypt_legacy(self, blob: bytes, associated: bytes) -> bytes:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("not a Heard ciphertext")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        for key in self._keys:
            with contextlib.suppress(InvalidTag):
                return key.aead.decrypt(nonce, sealed, associated)
        raise DecryptionError("ciphertext does not match any key or the purpose")

    @staticmethod
    def key_id_of(blob: bytes) -> str | None:
        """The id of the key a ciphertext names; None for one made before key ids, or for
        anything that is not a Heard ciphertext."""
        if len(blob) < 2 or blob[:1] != _VERSION:
            return None
        size = blob[1]
        key_id = blob[2 : 2 + size]
        try:
            text = key_id.decode("ascii")
        except UnicodeDecodeError:
            return None
        return text if len(key_id) == size and KEY_ID.fullmatch(text) else None

    def is_current(self, blob: bytes) -> bool:
        """True when the blob was made under the newest key (rotation skips it)."""
        return self.key_id_of(blob) == self._current.key_id

    def encrypt(self, plaintext: str, purpose: str) -> bytes:
        return self.encrypt_bytes(plaintext.encode("utf-8"), purpose)

    def decrypt(self, blob: bytes, purpose: str) -> str:
        return self.decrypt_bytes(blob, purpose).decode("utf-8")

    def encrypt_address(self, channel: str, address: str) -> bytes:
        return self.encrypt(address, f"address:{channel}")

    def decrypt_address(self, channel: str, blob: bytes) -> str:
        return self.decrypt(blob, f"address:{channel}")

    def encrypt_json(self, value: Mapping[str, Any], purpose: str) -> bytes:
        return self.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True), purpose)

    def decrypt_json(self, blob: bytes, purpose: str) -> dict[str, Any]:
        value = json.loads(self.decrypt(blob, purpose))
        if not isinstance(value, dict):
            raise DecryptionError("payload is not a JSON object")
        return value
