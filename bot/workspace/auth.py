"""Who is asking, and may they: web sessions, API tokens, roles, CSRF and the sign-in throttle.

Roles rank admin > coordinator > member: a route that needs `coordinator` admits admins too.
Pages declare theirs with `bot.workspace.web.page(role)`, API routes with
`Depends(bot.workspace.api.ApiUser(role))`; both end here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.workspace.accounts import password_matches, token_hash
from storage.records import Role, UserRecord
from storage.unit_of_work import UnitOfWork

RANK: dict[str, int] = {"member": 1, "coordinator": 2, "admin": 3}
SESSION_COOKIE = "heard_session"
CSRF_COOKIE = "heard_csrf"  # before sign-in only: the sign-in form's double-submit token
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

# Failed sign-ins allowed in THROTTLE_WINDOW before further tries are refused until it passes.
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20


@dataclass(frozen=True)
class Principal:
    """A signed-in user (browser session) or the owner of a bearer token."""

    user: UserRecord
    via: Literal["session", "token"]
    csrf_token: str | None = field(default=None, repr=False)  # sessions only
    session_token_hash: str | None = field(default=None, repr=False)

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def email(self) -> str:
        return self.user.email

    def has(self, role: Role) -> bool:
        """True when this user's role is `role` or above it."""
        return RANK[self.user.role] >= RANK[role]


def principal_from_session(uow: UnitOfWork, cookie: str | None, at: datetime) -> Principal | None:
    if not cookie or len(cookie) > 200:
        return None
    digest = token_hash(cookie)
    session = uow.web_sessions.find(digest, at)
    if session is None:
        return None
    user = uow.users.get(session.user_id)
    if user is None or user.disabled:
        return None
    return Principal(user, "session", session.csrf_token, digest)


def principal_from_token(uow: UnitOfWork, token: str | None, at: datetime) -> Principal | None:
    if not token or len(token) > 200:
        return None
    user_id = uow.tokens.use(token_hash(token), at)
    user = uow.users.get(user_id) if user_id is not None else None
    if user is None or user.disabled:
        return None
    return Principal(user, "token")


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- signing in


@dataclass(frozen=True)
class SignInResult:
    cookie: str | None = None  # the new session's token, on success
    refused_for: timedelta | None = None  # throttled: try again after this long
    principal: Principal | None = None


def _subject(key: str, kind: str, value: str) -> str:
    mac = hmac.new(key.encode("utf-8"), f"sign-in:{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{mac.hexdigest()[:64]}"


def sign_in(
    uow: UnitOfWork,
    email: str,
    password: str,
    address: str,
    at: datetime,
    *,
    secret_key: str,
    session_length: timedelta,
) -> SignInResult:
    """Checks the throttle, then the password; starts a session on success. The caller
    commits: failures are recorded in the same unit of work."""
    account = _subject(secret_key, "account", email.strip().lower())
    origin = _subject(secret_key, "address", address)
    since = at - THROTTLE_WINDOW
    for subject, limit in ((account, ACCOUNT_FAILURES), (origin, ADDRESS_FAILURES)):
        count, oldest = uow.throttle.failures(subject, since)
        if count >= limit and oldest is not None:
            return SignInResult(refused_for=max(oldest + THROTTLE_WINDOW - at, timedelta(0)))
    user = uow.users.by_email(email)
    stored = uow.users.password_hash(user.user_id) if user is not None else None
    ok = password_matches(stored, password)
    if user is None or not ok or user.disabled:
        uow.throttle.fail(account, at)
        uow.throttle.fail(origin, at)
        return SignInResult()
    uow.throttle.clear(account)
    uow.web_sessions.purge_expired(at)
    cookie = new_secret()
    csrf = new_secret()
    digest = token_hash(cookie)
    uow.web_sessions.start(digest, user.user_id, csrf, at, at + session_length)
    return SignInResult(cookie=cookie, principal=Principal(user, "session", csrf, digest))
