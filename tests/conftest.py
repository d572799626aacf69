"""Fixtures shared across Heard's tests: the address cipher, a throwaway PostgreSQL database,
and `store` (alias `sql_store`), which runs a test once per database: a SQLite file and
PostgreSQL. There is no in-memory fake: every store test runs on a real database."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.crypto import AddressCipher
from storage.db import database_url, make_engine, migrate
from storage.models import Base
from storage.sql import SqlStore
from tests.support.keys import TEST_SECRET
from tests.support.services import require_server

POSTGRES_ENV = "HEARD_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def cipher() -> AddressCipher:
    return AddressCipher(TEST_SECRET)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database on the test server, unique to this test session (so runs in
    parallel do not collide), dropped at the end."""
    admin_url = make_url(database_url(os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        admin.dispose()
        require_server(
            "PostgreSQL",
            False,
            f"start PostgreSQL, or set {POSTGRES_ENV} "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)",
        )
    name = f"heard_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "heard.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
    finally:
        engine.dispose()  # closing the last connection folds the WAL back into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _open(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cipher: AddressCipher,
) -> Iterator[SqlStore]:
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "heard.sqlite"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:
            # DELETE is quicker than TRUNCATE on tables this small; children go first.
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    try:
        yield SqlStore(engine, cipher)
    finally:
        engine.dispose()


POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def sql_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, cipher: AddressCipher
) -> Iterator[SqlStore]:
    """An empty database of each kind in turn: a SQLite file, PostgreSQL."""
    yield from _open(request.param, request, tmp_path_factory, cipher)


@pytest.fixture(params=[POSTGRES])
def postgres_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, cipher: AddressCipher
) -> Iterator[SqlStore]:
    """An empty PostgreSQL database, for what only a server shows (plans, broken connections,
    refused values): SQLite has nothing to skip."""
    yield from _open(request.param, request, tmp_path_factory, cipher)


@pytest.fixture
def store(sql_store: SqlStore) -> SqlStore:
    """The store contract's name for `sql_store`."""
    return sql_store
