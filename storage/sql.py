"""`SqlStore`: opens units of work (storage.unit_of_work) on one engine, SQLite or PostgreSQL;
the host opens one per turn. The exactly-once rules are in storage.unit_of_work."""

from __future__ import annotations

from sqlalchemy import Engine

from storage.crypto import AddressCipher
from storage.db import READ_ONLY
from storage.unit_of_work import UnitOfWork


class SqlStore:
    def __init__(self, engine: Engine, cipher: AddressCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self._reader = engine.execution_options(**{READ_ONLY: True})

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.cipher)

    def reading(self) -> UnitOfWork:
        """A unit of work for reads only, e.g. what a turn needs before it runs its NLU
        outside the write transaction. On SQLite it takes no write lock (storage.db), so it
        never waits for a turn or a webhook; its writes, if any, would fail."""
        return UnitOfWork(self._reader, self.cipher)
