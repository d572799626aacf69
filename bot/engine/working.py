"""A mutable copy of the session for the length of one turn; frozen again at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.engine.session import Frame, Session, Status
from bot.terms import Register


@dataclass
class Working:
    session_id: str
    participant_id: str
    channel: str
    started_at: datetime
    language: str | None = None
    register: Register = "standard"
    position: Frame | None = None
    stack: list[Frame] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    consents: dict[str, bool] = field(default_factory=dict)
    status: Status = "active"
    retries: int = 0
    pending: str | None = None
    history: list[Frame] = field(default_factory=list)
    undone: list[Frame] = field(default_factory=list)

    @classmethod
    def fresh(cls, session_id: str, participant_id: str, channel: str, at: datetime) -> Working:
        return cls(session_id, participant_id, channel, at)

    @classmethod
    def thaw(cls, session: Session) -> Working:
        return cls(
            session_id=session.session_id,
            participant_id=session.participant_id,
            channel=session.channel,
            started_at=session.started_at,
            language=session.language,
            register=session.register,
            position=session.position,
            stack=list(session.stack),
            fields=dict(session.fields),
            consents=dict(session.consents),
            status=session.status,
            retries=session.retries,
            pending=session.pending,
            history=list(session.history),
            undone=list(session.undone),
        )

    def freeze(self, last_active: datetime) -> Session:
        return Session(
            session_id=self.session_id,
            participant_id=self.participant_id,
            channel=self.channel,
            started_at=self.started_at,
            last_active=last_active,
            language=self.language,
            register=self.register,
            position=self.position,
            stack=tuple(self.stack),
            fields=dict(self.fields),
            consents=dict(self.consents),
            status=self.status,
            retries=self.retries,
            pending=self.pending,
            history=tuple(self.history),
            undone=tuple(self.undone),
        )
