"""Alembic environment: migrates the engine handed over by storage.db.migrate, or else the
database given on Alembic's command line (`alembic -c storage/alembic.ini -x url=... upgrade
head`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from storage.db import make_engine
from storage.models import Base


def run_migrations_online() -> None:
    given = context.config.attributes.get("engine")
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not isinstance(given, Engine) and not url:
        raise SystemExit("name the database: alembic -c storage/alembic.ini -x url=URL upgrade")
    engine: Engine = given if isinstance(given, Engine) else make_engine(str(url))
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
    raise SystemExit("Heard's migrations run online only: give -x url=...")
run_migrations_online()
