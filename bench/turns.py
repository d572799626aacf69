"""Chat turns per second (engine + embedded NLU + store on SQLite) against a bare INSERT loop.

Both sides write to a SQLite file in WAL mode with one transaction per unit (a turn, or one
INSERT), on the same disk in the same process and run, so the ratio says what a turn costs
beyond the database's own commit. Memory is measured in a second, untimed pass (tracemalloc
slows Python several times over, so it never runs while turns are timed): the Python allocation
peak during turns, and the process's peak resident size.

Run: `python -m bench.turns [--people N]`.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.runtime import Runtime

# One person's conversation over SMS: greet, choose English, consent to keeping views, the
# demo consultation that the opening starts, then finish (under "more" in the menu).
SCRIPT = (
    "hello", "1", "1", "Better transport to the centre", "1", "4", "1",
    "More evening activities please", "4", "4",
)


def bare_insert_loop(path: Path, count: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT, at TEXT)")
    start = time.perf_counter()
    for i in range(count):
        db.execute("BEGIN")
        db.execute("INSERT INTO t (body, at) VALUES (?, ?)", (f"turn {i}", str(i)))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return count / elapsed


def _converse(conversation: Any, store: Any, people: int, at: datetime, first: int) -> int:
    turns = 0
    for person in range(first, first + people):
        address = f"+4477009{person:05d}"
        for text in SCRIPT:
            at += timedelta(seconds=5)
            with store.unit_of_work() as uow:
                conversation.handle(uow, channel="sms", address=address, text=text, at=at)
                uow.commit()
            turns += 1
    return turns


def chat_turns(data_dir: Path, people: int) -> tuple[float, int, int]:
    settings = load_settings({"HEARD_DATA_DIR": str(data_dir), "HEARD_SECRET_KEY": "b" * 43})
    runtime = Runtime(settings)
    conversation, store = runtime.conversation, runtime.store
    runtime.nlu.parse("warm up")  # classifier training happens at start-up, not per turn
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    start = time.perf_counter()
    turns = _converse(conversation, store, people, at, 0)
    elapsed = time.perf_counter() - start
    with store.unit_of_work() as uow:
        views = sum(1 for _ in uow.views.all())
    if views == 0:
        raise SystemExit("the scripted conversation stored no views: the script is out of date")
    tracemalloc.start()
    _converse(conversation, store, max(people // 6, 1), at, people)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return turns / elapsed, turns, peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        root = Path(tmp)
        (root / "chat").mkdir()
        turns_per_s, turns, peak = chat_turns(root / "chat", args.people)
        inserts_per_s = bare_insert_loop(root / "bare.sqlite", turns)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| chat turns per second (engine + NLU + SQLite) | {turns_per_s:,.0f} |",
            f"| bare INSERT + COMMIT per second (same file system) | {inserts_per_s:,.0f} |",
            f"| ratio turns / bare inserts | {turns_per_s / inserts_per_s:.3f} |",
            f"| turns measured | {turns} ({args.people} people x {len(SCRIPT)} turns) |",
            f"| peak Python allocations during turns (untimed pass) | {peak / 2**20:.1f} MiB |",
            f"| peak resident memory of the process | {rss_mib:.0f} MiB |",
        ]
    )
    print("## Chat turns (python -m bench.turns)\n")
    print(table)
    out = Path(__file__).parent / "results" / "turns.md"
    out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
