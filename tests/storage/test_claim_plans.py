"""The inbox and outbox claims keep their plan on PostgreSQL: a walk of the partial index of
unfinished rows in queue order, before ANALYZE, after it, and as a prepared statement's generic
plan (what psycopg's automatic prepare ends up running). Without it a claim took about a second
on a database never analysed, and 150 ms or more once prepared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bench.claims import explain, load
from storage.repositories import inbox, outbox
from storage.sql import SqlStore

pytestmark = pytest.mark.postgres


def test_claims_walk_their_partial_index_whatever_the_statistics(
    postgres_store: SqlStore,
) -> None:
    engine = postgres_store.engine
    load(engine, done=5_000, open_=400)
    now = datetime.now(UTC)
    claims = {
        "ix_inbox_open": inbox.claim_query(16, now, 120.0, postgres=True),
        "ix_outbox_open": outbox.claim_query("sms", 16, now, postgres=True),
    }
    try:
        for analysed in (False, True):
            if analysed:
                with engine.begin() as connection:
                    connection.execute(text("ANALYZE inbox"))
                    connection.execute(text("ANALYZE outbox"))
            for index, query in claims.items():
                for generic in (False, True):
                    plan = "\n".join(explain(engine, query, generic=generic))
                    where = f"{index}, analysed={analysed}, generic={generic}:\n{plan}"
                    assert f"Index Scan using {index} " in plan, where
                    assert "Sort" not in plan and "Seq Scan" not in plan, where
    finally:
        with engine.begin() as connection:
            for table in ("inbox", "outbox"):
                connection.execute(text(f"ALTER TABLE {table} RESET (autovacuum_enabled)"))
