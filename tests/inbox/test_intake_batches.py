"""Webhooks arriving together share one commit (bot.inbox.intake): every message is recorded and
answered, a repeat within the batch is refused like any repeat, and a message the database
refuses fails only its own request, not the others that shared its batch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text

from bot.channels.base import InboundMessage
from bot.inbox.intake import Intake
from storage.sql import SqlStore


def message(key: str, n: int) -> InboundMessage:
    return InboundMessage("sms", f"+4477009{n:05d}", "hello", key, datetime.now(UTC))


def stored_keys(store: SqlStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.scalars(text("SELECT provider_key FROM inbox ORDER BY id")))


async def record_together(intake: Intake, messages: list[InboundMessage]) -> list[object]:
    return await asyncio.gather(*(intake.record(m) for m in messages), return_exceptions=True)


def test_messages_arriving_together_are_each_recorded_once(sql_store: SqlStore) -> None:
    keys = [f"SM{n:032d}" for n in range(20)]
    messages = [message(k, n) for n, k in enumerate(keys)] + [message(keys[3], 3)]
    results = asyncio.run(record_together(Intake(sql_store), messages))
    assert results == [True] * 20 + [False]
    assert stored_keys(sql_store) == keys


def test_a_message_the_database_refuses_fails_alone(postgres_store: SqlStore) -> None:
    # PostgreSQL only: SQLite stores an over-long key where PostgreSQL refuses it.
    sql_store = postgres_store
    keys = [f"SM{n:032d}" for n in range(8)]
    too_long = "SM" + "9" * 300
    messages = [message(k, n) for n, k in enumerate(keys[:4])]
    messages += [message(too_long, 99)] + [message(k, n) for n, k in enumerate(keys[4:], 4)]
    results = asyncio.run(record_together(Intake(sql_store), messages))
    assert results[:4] == [True] * 4 and results[5:] == [True] * 4
    assert isinstance(results[4], Exception)
    assert stored_keys(sql_store) == keys
