"""`migrate` skips Alembic for a database already at the head: the head it reads from the
migration files is Alembic's own, and a database behind it is still migrated."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.db import alembic_config, at_head, head_revision, make_engine, migrate
from storage.sql import SqlStore


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert [head_revision()] == ScriptDirectory.from_config(alembic_config()).get_heads()


def test_a_migrated_database_is_at_the_head(sql_store: SqlStore) -> None:
    assert at_head(sql_store.engine)


def test_a_fresh_database_is_not_at_the_head_until_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        assert not at_head(engine)
        migrate(engine, "0006")
        assert not at_head(engine)
        migrate(engine)
        assert at_head(engine)
        assert inspect(engine).has_table("inbox")
    finally:
        engine.dispose()
