"""`SqlStore`: opens units of work (storage.unit_of_work) on one engine, SQLite or PostgreSQL;
the host opens one per turn. The exactly-once rules are in storage.unit_of_work."""

from __future__ import annotations

from sqlalchemy import Engine

from storage.crypto import AddressCipher
from storage.unit_of_work import UnitOfWork


class SqlStore:
    def __init__(self, engine: Engine, cipher: AddressCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.cipher)
