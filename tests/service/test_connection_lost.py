"""A turn whose database connection breaks (PostgreSQL restarted, a proxy dropped it) is not
given up: the message stays claimed and is handled once its lease runs out, instead of being
marked failed and never answered."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from bot.channels.base import InboundMessage
from bot.inbox.intake import Intake
from bot.inbox.worker import InboxWorker
from storage.sql import SqlStore
from tests.web.harness import Brains

LEASE_SECONDS = 1.0


def _status(store: SqlStore) -> str:
    with store.engine.connect() as connection:
        return str(connection.scalar(text("SELECT status FROM inbox")))


def test_a_turn_that_loses_its_database_connection_is_retried_not_failed(
    postgres_store: SqlStore, brains: Brains
) -> None:
    sql_store = postgres_store  # a server connection to break
    runtime = brains.runtime
    worker = InboxWorker(
        sql_store, runtime.conversation, runtime.catalogue, batch=1, lease_seconds=LEASE_SECONDS
    )
    at = datetime.now(UTC)
    Intake(sql_store).record_now(
        InboundMessage("sms", "+447700900321", "hello", "SM" + "1" * 32, at)
    )
    [item] = worker.claim()

    admin = create_engine(sql_store.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        admin.dispose()
    worker.process(item)  # every pooled connection is gone
    assert _status(sql_store) == "processing"

    time.sleep(LEASE_SECONDS + 0.2)
    [again] = worker.claim()
    worker.process(again)
    assert _status(sql_store) == "done"
