"""A store on a private in-memory SQLite database, for tests that need a scratch store beside
the one under test (e.g. what a conversation says when nothing goes wrong)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.pool import StaticPool

from storage.crypto import AddressCipher
from storage.db import make_engine, migrate
from storage.sql import SqlStore
from tests.support.keys import TEST_SECRET


@contextmanager
def scratch_store() -> Iterator[SqlStore]:
    """A migrated, empty SQLite database in memory (one connection, kept open), dropped on
    exit."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    try:
        migrate(engine)
        yield SqlStore(engine, AddressCipher(TEST_SECRET))
    finally:
        engine.dispose()
