"""A person's conversation state between turns. Serialises to JSON with its spec version.

The session holds answers, which are personal data: it lives in the store next to the person and
is deleted with them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from bot.engine.events import Event, Register

SESSION_SPEC_VERSION = 1

Status = Literal["active", "ended", "opted_out"]


class SessionFormatError(ValueError):
    """A stored session could not be read (wrong version or shape)."""


@dataclass(frozen=True)
class Frame:
    """A position in a flow. The call stack holds frames to return to after an `enter` step."""

    flow: str
    step: str


@dataclass(frozen=True)
class Session:
    session_id: str
    participant_id: str
    channel: str
    started_at: datetime
    last_active: datetime
    language: str | None = None  # the person's choice; None until chosen or confirmed
    register: Register = "standard"
    position: Frame | None = None  # the step waiting for a reply; None when nothing is asked
    stack: tuple[Frame, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)  # answers; multi answers joined by ","
    consents: dict[str, bool] = field(default_factory=dict)  # snapshot of the consent record
    status: Status = "active"
    retries: int = 0  # not-understood replies to the current question
    pending: str | None = None  # a confirmation being asked: "delete" | "language" | ...
    spec_version: int = SESSION_SPEC_VERSION

    def evolve(self, **changes: Any) -> Session:
        return replace(self, **changes)

    def to_json(self) -> str:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["last_active"] = self.last_active.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Session:
        try:
            data = json.loads(raw)
            version = data.get("spec_version")
            if version != SESSION_SPEC_VERSION:
                raise SessionFormatError(f"session spec_version {version!r} is not supported")
            position = data.get("position")
            return cls(
                session_id=data["session_id"],
                participant_id=data["participant_id"],
                channel=data["channel"],
                started_at=datetime.fromisoformat(data["started_at"]),
                last_active=datetime.fromisoformat(data["last_active"]),
                language=data.get("language"),
                register=data.get("register", "standard"),
                position=Frame(**position) if position else None,
                stack=tuple(Frame(**f) for f in data.get("stack", ())),
                fields=dict(data.get("fields", {})),
                consents=dict(data.get("consents", {})),
                status=data.get("status", "active"),
                retries=int(data.get("retries", 0)),
                pending=data.get("pending"),
            )
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            if isinstance(exc, SessionFormatError):
                raise
            raise SessionFormatError(f"stored session is not readable: {exc}") from exc


@dataclass(frozen=True)
class Turn:
    session: Session
    events: tuple[Event, ...] = ()
