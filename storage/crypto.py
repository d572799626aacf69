"""Addresses (phone numbers, chat ids) at rest: encrypted with AES-GCM and found through an HMAC.

Both keys are derived with HKDF-SHA256 from one secret, `HEARD_SECRET_KEY`, under different
labels, so knowing the lookup key reveals nothing about the encryption key. A plain hash of a
phone number could be reversed by trying every number; a keyed HMAC cannot without the secret.

Nothing in this module logs, and its errors never include an address or a plaintext.
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
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_ENV = "HEARD_SECRET_KEY"
MIN_SECRET_BYTES = 32
_VERSION = b"\x01"  # leading byte of every ciphertext, so keys can be rotated later
_NONCE_BYTES = 12
_SMS_NOISE = re.compile(r"[\s\-().\u00a0]")


class SecretKeyError(ValueError):
    """The secret key is missing or too short. The message never includes the key."""


class DecryptionError(ValueError):
    """A ciphertext was tampered with, truncated, or made under another key."""


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


class AddressCipher:
    """Encrypts addresses and inbound payloads; computes the lookup HMAC of an address.

    `purpose` is bound into every ciphertext as associated data, so a value encrypted for one
    column (say an address) cannot be copied into another (say an inbox payload) and decrypt.
    """

    def __init__(self, secret: str) -> None:
        material = _key_material(secret)
        self._aead = AESGCM(_derive(material, b"heard/address-encryption/v1"))
        self._lookup_key = _derive(material, b"heard/address-lookup/v1")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AddressCipher:
        """From settings named as in the environment (bot.config reads the environment)."""
        secret = env.get(SECRET_ENV)
        if not secret:
            raise SecretKeyError(f"{SECRET_ENV} is not set")
        return cls(secret)

    def __repr__(self) -> str:
        return "AddressCipher(<secret>)"

    # --- lookup
    def lookup(self, channel: str, address: str) -> str:
        """Hex HMAC-SHA256 of the normalised address: equal for equal addresses, else opaque."""
        return self.keyed_hash(normalise_address(channel, address))

    def keyed_hash(self, value: str) -> str:
        """Hex HMAC-SHA256 of any value under the lookup key (for provider keys of erased rows)."""
        return hmac.new(self._lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    # --- encryption
    def encrypt(self, plaintext: str, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), purpose.encode("utf-8"))
        return _VERSION + nonce + sealed

    def decrypt(self, blob: bytes, purpose: str) -> str:
        if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _VERSION:
            raise DecryptionError("not a Heard ciphertext")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, purpose.encode("utf-8")).decode("utf-8")
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not match the key or purpose") from exc

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
