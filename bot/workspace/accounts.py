"""Workspace accounts: passwords (argon2id), personal API tokens, and the account changes the
command line and the admin page make, each written to the audit log."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from storage.records import ROLES, AuditEntry, Role, UserRecord
from storage.unit_of_work import UnitOfWork

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "heard_"
COMMAND_LINE = "command line"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified when no account has the email, so a wrong email costs the same time as a wrong
    password and does not reveal which accounts exist. Made at the first sign-in, not at import
    (an argon2 hash is a tenth of a second of CPU that `heard run` would pay at every start);
    `password_matches` asks for it on every call, so the first one costs the same either way."""
    return _HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A refused account change, with a reason fit to show the person who asked."""
MAX_GROUP_NAME = 200  # storage.models.WorkingGroupRow.name


def role_of(name: str) -> Role:
    for role in ROLES:
        if name == role:
            return role
    raise AccountError(f"role must be one of {', '.join(ROLES)}, not {name!r}")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password may have at most {MAX_PASSWORD} characters")
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against."""
    if len(password) > MAX_PASSWORD:
        return False
    dummy = _dummy_hash()
    try:
        return _HASHER.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def token_hash(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to keep them unusable if read."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(
    uow: UnitOfWork,
    email: str,
    password: str,
    role: str,
    groups: Iterable[str],
    at: datetime,
    actor: UserRecord | None = None,
) -> UserRecord:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"{email!r} is not an email address")
    if uow.users.by_email(email) is not None:
        raise AccountError(f"{email} already has an account")
    groups = [g.strip() for g in groups]
    if any(len(g) > MAX_GROUP_NAME for g in groups):
        raise AccountError(f"a working group's name is at most {MAX_GROUP_NAME} characters")
    user = uow.users.add(email, hash_password(password), role_of(role), groups, at)
    detail = f"role {user.role}" + (f", groups {', '.join(user.groups)}" if user.groups else "")
    audit(uow, actor, "user_added", f"user:{user.email}", at, detail)
    return user


def issue_token(
    uow: UnitOfWork, user: UserRecord, label: str, at: datetime, actor: UserRecord | None = None
) -> str:
    """A new personal API token for `user`; the only time the token itself exists in clear."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = uow.tokens.add(user.user_id, token_hash(token), token[:12], label[:200], at)
    audit(uow, actor, "token_issued", f"token:{record.token_id}", at, f"for {user.email}")
    return token


def revoke_token(
    uow: UnitOfWork, token_id: int, at: datetime, actor: UserRecord | None = None
) -> bool:
    revoked = uow.tokens.revoke(token_id, at)
    if revoked:
        audit(uow, actor, "token_revoked", f"token:{token_id}", at)
    return revoked


def set_disabled(
    uow: UnitOfWork, user: UserRecord, disabled: bool, at: datetime,
    actor: UserRecord | None = None,
) -> None:
    """Disabling an account signs it out everywhere and revokes its tokens; enabling it again
    restores sign-in only (new tokens are made afresh)."""
    uow.users.set_disabled(user.user_id, at if disabled else None)
    if disabled:
        uow.web_sessions.end_all(user.user_id)
        uow.tokens.revoke_all(user.user_id, at)
    audit(uow, actor, "user_disabled" if disabled else "user_enabled", f"user:{user.email}", at)


def audit(
    uow: UnitOfWork,
    actor: UserRecord | None,
    action: str,
    subject: str,
    at: datetime,
    reason: str = "",
) -> None:
    uow.audit.record(
        AuditEntry(
            at,
            actor.user_id if actor else None,
            actor.email if actor else COMMAND_LINE,
            action,
            subject,
            reason,
        )
    )
