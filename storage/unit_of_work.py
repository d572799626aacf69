"""The one way into Heard's store: a `UnitOfWork` is one database transaction (one ORM session)
over small repositories, one per concept (storage.repositories). Use it as a context manager:
changes become visible to others on `commit()`; `rollback()`, or leaving the `with` block
without committing (on an exception or not), drops them. Repositories never commit.

Exactly once, end to end
------------------------
Providers deliver at least once and a process can die at any line, so Heard makes each step
either repeatable or recorded before it has effects:

1. Inbound. The webhook calls `inbox.add` and commits before answering the provider. The unique
   (channel, provider_key) constraint turns a repeated delivery into `False` and one row, even
   when two deliveries race: the insert is ON CONFLICT DO NOTHING, so the loser's unit of
   work stays usable.
2. The turn. A worker claims items (`inbox.claim`: `processing`, `claimed_at`, attempts + 1;
   `FOR UPDATE SKIP LOCKED` on PostgreSQL so workers never wait for or take each other's rows).
   The engine's turn, the session, everything the person told us, the reply rows in `outbox`
   and `inbox.done` are then committed in ONE transaction. A crash before that commit leaves
   the item `processing`; once the lease runs out, another claim takes it and the turn runs
   again from the same stored session, as if for the first time. A crash after it leaves
   nothing to redo. `inbox.done` is guarded by the claim's attempts counter, so a worker
   whose lease ran out and whose item was claimed again finds no row to mark (rowcount 0) and
   rolls its turn back. So each inbound message changes the store once.
3. Sending. `outbox.claim` marks a message `sending` with attempts + 1 and a lease, and that is
   committed BEFORE the provider is called; `outbox.sent` (or `retry` / `failed`) is committed
   after. A worker that dies mid-send leaves `sending` with a lease; when it expires the
   message is claimed again, and the attempts counter shows how often that has happened, so
   the sender gives up after a few. The only window for a duplicate is a crash between the
   provider accepting a message and `sent` being committed; no message is lost.
4. Order. A claim never returns a message while an earlier one to the same recipient is
   unsent, nor an inbound item while an earlier one from the same sender is unfinished, so a
   person's messages are handled and delivered in order, one at a time.

On SQLite every transaction starts with `BEGIN IMMEDIATE` (storage.db), so units of work are
serialised; keep them short. Addresses and inbound payloads are stored only as AES-GCM
ciphertext under the keyring (storage.crypto), people's words under their own data keys
(storage.personal, `uow.text`); nothing in the store logs them.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.crypto import AddressCipher
from storage.db import truncate_wal
from storage.personal import PersonalText
from storage.repositories.answers import Answers
from storage.repositories.audit import AuditLog
from storage.repositories.baselines import Baselines
from storage.repositories.consent import Consent
from storage.repositories.consultations import Consultations
from storage.repositories.erasure import Erasure
from storage.repositories.groups import WorkingGroups
from storage.repositories.inbox import Inbox
from storage.repositories.keys import Keys
from storage.repositories.messages import Messages
from storage.repositories.outbox import Outbox
from storage.repositories.people import People
from storage.repositories.reach import Reach
from storage.repositories.recruitment import Recruitment
from storage.repositories.reinvitations import Reinvitations
from storage.repositories.safety import Safety
from storage.repositories.sessions import Sessions
from storage.repositories.themes import Themes
from storage.repositories.throttle import SignInThrottle
from storage.repositories.tokens import Tokens
from storage.repositories.updates import Updates
from storage.repositories.users import Users
from storage.repositories.view_inbox import ViewInbox
from storage.repositories.views import Views
from storage.repositories.web_sessions import WebSessions


class UnitOfWork:
    def __init__(self, engine: Engine, cipher: AddressCipher) -> None:
        self._engine = engine
        self._db = Session(engine, expire_on_commit=False, autoflush=True)
        # People's words, sealed under their own data keys (storage.personal): repositories
        # seal on the way in and open on the way out, so records stay plain.
        self.text = PersonalText(self._db, cipher)
        self.people = People(self._db, cipher, self.text)
        self.sessions = Sessions(self._db, self.text)
        self.consent = Consent(self._db)
        self.views = Views(self._db, self.text)
        self.view_inbox = ViewInbox(self._db, self.text)
        self.themes = Themes(self._db)
        self.groups = WorkingGroups(self._db)
        self.answers = Answers(self._db, self.text)
        # Working groups' recruitment pipelines (bot.workspace.groups).
        self.recruitment = Recruitment(self._db, self.text)
        self.safety = Safety(self._db, self.text)
        self.messages = Messages(self._db, self.text)
        self.erasure = Erasure(self._db, cipher, self.text)
        self.inbox = Inbox(self._db, cipher)
        self.outbox = Outbox(self._db, cipher)
        self.updates = Updates(self._db, cipher)
        self.keys = Keys(self._db, cipher, self.text)
        # The coordinators' workspace (bot.workspace).
        self.users = Users(self._db)
        self.tokens = Tokens(self._db)
        self.web_sessions = WebSessions(self._db)
        self.throttle = SignInThrottle(self._db)
        self.audit = AuditLog(self._db)
        # Who has and has not been heard (bot.workspace.reach_pages).
        self.reach = Reach(self._db, self.text)
        self.baselines = Baselines(self._db)
        self.reinvitations = Reinvitations(self._db)
        # Consultations made in the workspace (versioned flow documents).
        self.consultations = Consultations(self._db)

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._db.rollback()
        self._db.close()  # anything not committed is dropped

    def commit(self) -> None:
        self._db.commit()
        if self.erasure.erased and self._engine.dialect.name == "sqlite":
            # Erased rows and the destroyed data key leave no page images in the WAL.
            self.erasure.erased = False
            truncate_wal(self._engine)

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()


class Store(Protocol):
    """Opens units of work (storage.sql.SqlStore); the host opens one per turn."""

    def unit_of_work(self) -> UnitOfWork: ...

    def reading(self) -> UnitOfWork: ...
