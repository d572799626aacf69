"""Engines, migrations, and the agreement between the models and the migrated schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import database_url, make_engine, migrate
from storage.models import Base
from storage.sql import SqlStore


def test_the_migrated_schema_matches_the_models(sql_store: SqlStore) -> None:
    with sql_store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_twice_changes_nothing(sql_store: SqlStore) -> None:
    migrate(sql_store.engine)
    tables = set(inspect(sql_store.engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://heard@db.example/heard", "postgresql+psycopg://heard@db.example/heard"),
        ("postgres://heard@db.example/heard", "postgresql+psycopg://heard@db.example/heard"),
        ("postgresql+psycopg://h@db/heard", "postgresql+psycopg://h@db/heard"),
        ("sqlite:////srv/heard.sqlite", "sqlite:////srv/heard.sqlite"),
    ],
)
def test_database_urls_are_made_to_use_psycopg(given: str, expected: str) -> None:
    assert database_url(given) == expected


@pytest.mark.parametrize(
    "pragma, expected", [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 10000)]
)
def test_sqlite_connections_are_set_up_for_a_service(
    tmp_path: Path, pragma: str, expected: object
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/h.sqlite")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    finally:
        engine.dispose()
