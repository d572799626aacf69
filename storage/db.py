"""Engines and migrations for the database URL the caller gives (bot.config reads
`DATABASE_URL` and holds the default; storage reads no environment).

SQLite: WAL (readers do not block the writer), foreign keys on, a busy timeout, `secure_delete`
(deleted content is zeroed, not left in free pages), and every transaction opened with
`BEGIN IMMEDIATE`. Python's sqlite3 module otherwise starts transactions
late and breaks SAVEPOINTs; and a deferred transaction that reads, then writes after another
connection has written, fails at once with "database is locked". Taking the write lock at the
start serialises units of work instead, which is what a single-host deployment needs. Keep units
of work short; use PostgreSQL for several workers. A unit of work opened for reading only
(`SqlStore.reading`) begins with a plain BEGIN instead: a WAL snapshot, no lock taken.
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 10_000
IDLE_PING_SECONDS = 5.0  # a pooled PostgreSQL connection idle this long is checked before use
WRITE_LOCK_PAUSE_MIN = 0.0002  # seconds between looks at a busy write lock, at first
WRITE_LOCK_PAUSE_MAX = 0.002  # and at most
ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
VERSIONS = ALEMBIC_INI.parent / "migrations" / "versions"
_REVISION = re.compile(r"""^revision(?:: str)? = ["']([^"']+)["']$""", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"""^down_revision(?:: [^=]+)? = (?:["']([^"']+)["']|None)$""", re.MULTILINE
)
# Execution option of an engine whose transactions only read (storage.sql.SqlStore.reading):
# on SQLite they begin with a plain BEGIN, so they never wait for or hold the write lock.
READ_ONLY = "heard_read_only"
# The PostgreSQL advisory lock key held while migrating ("heard" + "migrate", as one bigint):
# any number works as long as every Heard process uses the same one.
MIGRATION_LOCK_KEY = 0x6865617264_6D67


def database_url(raw: str) -> str:
    """`raw` as SQLAlchemy needs it: postgres URLs use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, **kwargs)
        _ping_when_idle(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Checks a pooled connection before use only when it has sat idle for IDLE_PING_SECONDS
    (SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip per transaction, about
    five per message on the hot path). A connection broken while busy fails its transaction
    and is dropped from the pool; the callers retry (a webhook's provider, a worker's lease)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


def connection_lost(exc: BaseException) -> bool:
    """The error is a broken database connection (the pool has dropped it), not a failure of
    what the transaction did: worth trying again, never worth giving up on the work."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


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
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a snapshot: takes no write lock
        else:
            _begin_immediate(connection)


def _begin_immediate(connection: Any) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in short, even steps.

    SQLite's own busy handler sleeps longer the longer it has waited (1, 2, 5, 10, ... 100 ms),
    so a connection that has waited a while sleeps through the moments the lock is free, while
    one that just committed takes it straight back: a busy worker starved the webhook of the
    lock (p99 over a second). Here every waiter looks again within WRITE_LOCK_PAUSE_MAX, so
    whoever wants the lock next gets it soon after it is freed. The connection's busy timeout
    is lifted only for this statement; everything else keeps it."""
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        pause = WRITE_LOCK_PAUSE_MIN
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if "locked" not in str(exc.orig) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, WRITE_LOCK_PAUSE_MAX)
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


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
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Brings the schema to `revision` (Alembic `upgrade`), inside one transaction, once
    however many processes start together: each takes the migration lock first, so the first
    migrates and the others then find the schema at `revision` and do nothing.

    A database already at the head is seen without Alembic (`at_head`), whose import (every
    dialect's DDL) costs a command about a third of a second at start."""
    if revision == "head" and at_head(engine):
        return
    from alembic import command

    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def head_revision() -> str | None:
    """The one head of the migration files, read from their `revision` and `down_revision`
    lines; None when that reading is not certain (branches, merges, another spelling), and the
    caller asks Alembic instead."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        found = _REVISION.findall(source)
        down = _DOWN_REVISION.findall(source)
        if len(found) != 1 or len(down) != 1:
            return None
        revisions.add(found[0])
        if down[0]:
            parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def at_head(engine: Engine) -> bool:
    """True when the database records exactly the head revision (False when unsure)."""
    head = head_revision()
    if head is None:
        return False
    # A reading transaction: on SQLite it neither takes nor waits for the write lock.
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        recorded = [row[0] for row in rows]
        connection.rollback()
    return recorded == [head]


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held by one process at a time across the whole database. PostgreSQL: a session-level
    advisory lock on a connection of its own, held until the upgrade has committed (a crashed
    process's lock goes with its connection). SQLite: an exclusive `flock` on a file beside the
    database (released by the kernel when the process dies); a database in memory is private
    to its process and needs none."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
        return
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:" or path.startswith(
        "file:"
    ):
        yield
        return
    with open(f"{path}.migrate-lock", "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
