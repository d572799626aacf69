"""Migrations run once however many processes start together (`heard run --no-workers` and
`heard worker` side by side on a fresh database): every process comes up, and the schema is
migrated once."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.db import database_url, make_engine
from storage.models import Base
from tests.conftest import POSTGRES_DEFAULT, POSTGRES_ENV
from tests.support.keys import TEST_SECRET
from tests.support.services import require_server

PROCESSES = 4

# What `heard run` and `heard worker` do first: build the store (make_engine + migrate). Every
# process waits for the same moment, so the migrations really start together.
STARTER = """
import sys, time
from bot.config import load_settings
from bot.runtime import Runtime
settings = load_settings({"DATABASE_URL": sys.argv[1], "HEARD_DATA_DIR": sys.argv[2],
                          "HEARD_SECRET_KEY": sys.argv[3]})
start_at = float(sys.argv[4])
time.sleep(max(0.0, start_at - time.time()))
Runtime(settings).store.engine.dispose()
print("up")
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    admin_url = make_url(database_url(os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        admin.dispose()
        require_server("PostgreSQL", False, f"start PostgreSQL, or set {POSTGRES_ENV}")
    name = f"heard_test_migrate_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_processes_started_together_on_a_fresh_database_all_come_up(
    fresh_url: str, tmp_path: Path
) -> None:
    start_at = time.time() + 4.0  # after every interpreter has imported Heard
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, fresh_url, str(tmp_path / f"data{i}"), TEST_SECRET,
             str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    failures = [err[-2000:] for (out, err), p in zip(outputs, processes, strict=True)
                if p.returncode != 0 or out.strip() != "up"]
    assert failures == []
    engine = make_engine(fresh_url)
    try:
        assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {
            "alembic_version"
        }
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
    finally:
        engine.dispose()
