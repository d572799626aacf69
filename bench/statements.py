"""SQL statements per conversation turn, as the inbox worker runs it, on SQLite or PostgreSQL.

One scripted SMS conversation (bench.turns.SCRIPT) goes through the inbox: each message is
recorded by `Intake`, claimed and handled by the `InboxWorker`. A `before_cursor_execute`
listener records what reaches the database during the turn (the one unit of work that runs the
engine, stores the answers, queues the replies and marks the item done), during the read before
it (the person and session, for the NLU, which runs outside the write transaction), and during
the claim. BEGIN and SAVEPOINT count with the rest; COMMIT is not a cursor statement and does
not.

Run: `python -m bench.statements [--database-url URL]` (default: a temporary SQLite file).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bench.turns import SCRIPT
from bot.catalogue import Catalogue
from bot.channels.base import InboundMessage
from bot.config import load_settings
from bot.inbox.intake import Intake
from bot.inbox.worker import InboxWorker
from bot.runtime import Runtime
from bot.service.conversation import Conversation
from storage.sql import SqlStore


@contextmanager
def recording(store: SqlStore) -> Iterator[list[str]]:
    """The SQL of every statement run while the block runs, whitespace collapsed."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def kind(statement: str) -> str:
    return statement.split(None, 1)[0].upper()


@dataclass
class Played:
    """The statements of each message's claim, read before the turn, and turn."""

    claims: list[list[str]] = field(default_factory=list)
    reads: list[list[str]] = field(default_factory=list)
    turns: list[list[str]] = field(default_factory=list)


def play(
    store: SqlStore,
    conversation: Conversation,
    catalogue: Catalogue,
    script: Sequence[str] = SCRIPT,
    address: str = "+447700900321",
) -> Played:
    """Plays `script` through the inbox, recording what each step sends to the database."""
    worker = InboxWorker(store, conversation, catalogue, batch=1)
    intake = Intake(store)
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    played = Played()
    for i, text in enumerate(script):
        at += timedelta(seconds=5)
        intake.record_now(InboundMessage("sms", address, text, f"SM{i:032d}", at))
        with recording(store) as claim:
            items = worker.claim()
        assert len(items) == 1, "the script's message was not claimed"
        with recording(store) as read:
            understood = worker.understand(items[0])
        with recording(store) as turn:
            worker.finish(items[0], understood)
        played.claims.append(claim)
        played.reads.append(read)
        played.turns.append(turn)
    return played


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        env = {"HEARD_DATA_DIR": tmp, "HEARD_SECRET_KEY": "b" * 43}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        runtime = Runtime(load_settings(env))
        played = play(runtime.store, runtime.conversation, runtime.catalogue)
    turns = played.turns
    total = Counter(kind(s) for turn in turns for s in turn)
    n = len(turns)
    by_kind = ", ".join(f"{k} {v / n:.1f}" for k, v in sorted(total.items()))
    print(f"turns: {n}")
    print(f"statements per turn (the write transaction): {sum(total.values()) / n:.1f} "
          f"({by_kind})")
    print("each turn: " + " ".join(str(len(turn)) for turn in turns))
    repeated = sum(n - 1 for turn in turns for n in Counter(turn).values() if n > 1)
    print(f"statements repeated within a turn (the same SQL twice): {repeated}")
    print(f"per read before the turn (no write lock): "
          f"{sum(len(r) for r in played.reads) / n:.1f}")
    print(f"per claim: {sum(len(c) for c in played.claims) / n:.1f}")


if __name__ == "__main__":
    main()
