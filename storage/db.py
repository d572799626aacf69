"""Engines and migrations. `DATABASE_URL` chooses the database; SQLite is the default.

SQLite: WAL (readers do not block the writer), foreign keys on, a busy timeout, `secure_delete`
(deleted content is zeroed, not left in free pages), and every transaction opened with
`BEGIN IMMEDIATE`. Python's sqlite3 module otherwise starts transactions
late and breaks SAVEPOINTs; and a deferred transaction that reads, then writes after another
connection has written, fails at once with "database is locked". Taking the write lock at the
start serialises units of work instead, which is what a single-host deployment needs. Keep units
of work short; use PostgreSQL for several workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DATABASE_ENV = "DATABASE_URL"
DEFAULT_URL = "sqlite:///var/heard.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 10_000
ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def database_url(url: str | None = None) -> str:
    """`url`, else `DATABASE_URL`, else the default SQLite file; postgres URLs use psycopg 3."""
    raw = url or os.environ.get(DATABASE_ENV) or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver must not manage transactions; `_on_begin` does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted content is overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def truncate_wal(engine: Engine) -> bool:
    """SQLite: copies the WAL into the database and truncates it to zero bytes, so earlier
    versions of changed pages (an erased person's rows, their data key) no longer sit in WAL
    frames. Best effort: False when a reader kept part of the WAL in use. A no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
            busy = bool(row and row[0])
        finally:
            cursor.close()
    finally:
        raw.close()
    return not busy


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Brings the schema to `revision` (Alembic `upgrade`), inside one transaction."""
    command.upgrade(alembic_config(engine), revision)
