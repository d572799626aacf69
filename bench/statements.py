"""SQL statements per conversation turn, as the inbox worker runs it, on SQLite or PostgreSQL.

One scripted SMS conversation (bench.turns.SCRIPT) goes through the inbox: each message is
recorded by `Intake`, claimed and handled by the `InboxWorker`. A `before_cursor_execute`
listener counts what reaches the database, split into the claim and the turn (the one unit of
work that runs the engine, stores the answers, queues the replies and marks the item done).
SAVEPOINT, BEGIN and COMMIT are counted with the rest.

Run: `python -m bench.statements [--database-url URL]` (default: a temporary SQLite file).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.turns import SCRIPT
from bot.channels.base import InboundMessage
from bot.config import load_settings
from bot.delivery.inbox_worker import InboxWorker
from bot.runtime import Runtime
from bot.web.intake import Intake


@contextmanager
def counting(engine: Engine) -> Iterator[Counter[str]]:
    """Counts statements by their first word (SELECT, INSERT, ...) while the block runs."""
    counts: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(data_dir: Path, database_url: str | None) -> tuple[list[Counter[str]], Counter[str]]:
    env = {"HEARD_DATA_DIR": str(data_dir), "HEARD_SECRET_KEY": "b" * 43}
    if database_url:
        env["DATABASE_URL"] = database_url
    runtime = Runtime(load_settings(env))
    store = runtime.store
    worker = InboxWorker(store, runtime.conversation, runtime.catalogue, batch=1)
    intake = Intake(store)
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    address = "+447700900" + at.strftime("%f")[:3]
    turns: list[Counter[str]] = []
    claims: Counter[str] = Counter()
    for i, text in enumerate(SCRIPT):
        at += timedelta(seconds=5)
        key = f"SM{i:032d}{id(store) % 1000:03d}"[:34]
        intake.record_now(InboundMessage("sms", address, text, key, at))
        with counting(store.engine) as claimed:
            items = worker.claim()
        claims.update(claimed)
        assert len(items) == 1, "the script's message was not claimed"
        with counting(store.engine) as turn:
            worker.process(items[0])
        turns.append(turn)
    return turns, claims


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        turns, claims = measure(Path(tmp), args.database_url)
    total: Counter[str] = Counter()
    for turn in turns:
        total.update(turn)
    n = len(turns)
    print(f"turns: {n}")
    print(f"statements per turn: {sum(total.values()) / n:.1f} (by kind: "
          + ", ".join(f"{k} {v / n:.1f}" for k, v in sorted(total.items())) + ")")
    print("per turn: " + " ".join(str(sum(t.values())) for t in turns))
    print(f"claim: {sum(claims.values()) / n:.1f} per item")


if __name__ == "__main__":
    main()
