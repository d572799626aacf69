"""A person's conversation state between turns. Serialises to JSON with its spec version.

The session holds answers, which are personal data: it lives in the store next to the person and
is deleted with them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from bot.engine.events import Event
from bot.flowspec.texts import MENU_FLOW
from bot.terms import Register

SESSION_SPEC_VERSION = 2
# Version 2 added `history` and `undone` (BACK). Older stored sessions are migrated on load.

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
    # Questions answered in the flows in progress, oldest first: where BACK steps back to.
    history: tuple[Frame, ...] = ()
    # Questions BACK stepped back over: their stored answers are replaced when answered again.
    undone: tuple[Frame, ...] = ()
    spec_version: int = SESSION_SPEC_VERSION

    def evolve(self, **changes: Any) -> Session:
        return replace(self, **changes)

    def at_rest(self) -> bool:
        """Nothing in progress but the menu: no confirmation waits, and no flow but the menu
        is on the stack or waiting for a reply (a reply to an update is then not an answer)."""
        frames = (*self.stack, *((self.position,) if self.position is not None else ()))
        return self.pending is None and all(frame.flow == MENU_FLOW for frame in frames)

    def to_json(self) -> str:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["last_active"] = self.last_active.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Session:
        try:
            data = migrate(json.loads(raw))
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
                history=tuple(Frame(**f) for f in data.get("history", ())),
                undone=tuple(Frame(**f) for f in data.get("undone", ())),
            )
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            if isinstance(exc, SessionFormatError):
                raise
            raise SessionFormatError(f"stored session is not readable: {exc}") from exc


def migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no BACK: nothing answered can be stepped back to yet."""
    return {**data, "history": [], "undone": [], "spec_version": 2}


_MIGRATIONS = {1: migrate_1_to_2}


def migrate(data: Any) -> dict[str, Any]:
    """A stored session's JSON brought to `SESSION_SPEC_VERSION`, one version at a time."""
    if not isinstance(data, dict):
        raise SessionFormatError("stored session is not a JSON object")
    current: dict[str, Any] = data
    version = current.get("spec_version")
    while version != SESSION_SPEC_VERSION:
        step = _MIGRATIONS.get(version) if isinstance(version, int) else None
        if step is None:
            raise SessionFormatError(f"session spec_version {version!r} is not supported")
        current = step(current)
        version = current["spec_version"]
    return current


@dataclass(frozen=True)
class Turn:
    session: Session
    events: tuple[Event, ...] = ()
