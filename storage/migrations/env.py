"""Alembic environment: migrates the engine handed over by storage.db.migrate, or else the
database named by DATABASE_URL (the default SQLite file when unset)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from storage.db import make_engine
from storage.models import Base


def run_migrations_online() -> None:
    given = context.config.attributes.get("engine")
    engine: Engine = given if isinstance(given, Engine) else make_engine()
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                # SQLite alters tables by copying them; later revisions need batch mode there.
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        if engine is not given:
            engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Heard's migrations run online only: set DATABASE_URL")
run_migrations_online()
