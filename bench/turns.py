"""Chat turns per second (engine + embedded NLU + store on SQLite) against a bare INSERT loop.

Both sides write to a SQLite file in WAL mode with one transaction per unit (a turn, or one
INSERT), on the same disk in the same process and run, so the ratio says what a turn costs
beyond the database's own commit. Memory is measured in a second, untimed pass (tracemalloc
slows Python several times over, so it never runs while turns are timed): the Python allocation
peak during turns, and the process's peak resident size.

Then the comparison `make bench` shows for "turns per second doubled": the same script, run by
each revision's own `bench.turns` in a subprocess (its code checked out with `git archive`),
rounds interleaved so the machine's load falls on every revision alike, timed in CPU seconds
(`time.process_time`) rather than wall time, which on a shared machine measures the neighbours.
The ratio is this tree's turns per CPU second over each earlier revision's, medians of the
rounds.

Run: `python -m bench.turns [--people N] [--rounds R] [--against REV ...]`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
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


REPO = Path(__file__).resolve().parents[1]
# Before issue 8's store (the unit of work and its repositories), and before the last round of
# turn work: the code the "doubled" is measured against.
BASELINES = {
    "7aadc46": "before the unit of work",
    "713fbe7": "before the statements cut",
}
# Runs a tree's own bench.turns with CPU time in place of wall time.
_DRIVER = (
    "import sys, time; time.perf_counter = time.process_time; "
    "import bench.turns as t; t.main(sys.argv[1:])"
)
_RATE = re.compile(r"chat turns per second[^|]*\|\s*([\d,.]+)")


def checkout(revision: str, into: Path) -> Path:
    """The files of `revision` (no .git) in `into`."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def cpu_turns(tree: Path, people: int) -> float:
    """Turns per CPU second of the script as `tree`'s own code runs it (a subprocess)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_"))}
    ours = ["--no-compare"] if tree == REPO else []  # earlier code has no comparison to skip
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, "--people", str(people), *ours],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    )
    found = _RATE.search(done.stdout)
    if found is None:
        raise SystemExit(f"no turns per second from {tree}:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1).replace(",", ""))


def compare(against: list[str], people: int, rounds: int) -> str:
    load_before = os.getloadavg()[0]
    rates: dict[str, list[float]] = {"this tree": []}
    with tempfile.TemporaryDirectory(prefix="heard-bench-trees-") as tmp:
        trees = {"this tree": REPO}
        for revision in against:
            trees[revision] = checkout(revision, Path(tmp) / revision)
            rates[revision] = []
        for _ in range(rounds):
            for name, tree in trees.items():
                rates[name].append(cpu_turns(tree, people))
    load_after = os.getloadavg()[0]
    ours = statistics.median(rates["this tree"])
    rows = [
        "| code | turns per CPU second (median) | rounds | this tree / it |",
        "|---|---|---|---|",
        f"| this tree | {ours:,.0f} | {' '.join(f'{r:.0f}' for r in rates['this tree'])} | 1.00 |",
    ]
    for revision in against:
        theirs = statistics.median(rates[revision])
        label = BASELINES.get(revision, "")
        rows.append(
            f"| {revision} {label} | {theirs:,.0f} | "
            f"{' '.join(f'{r:.0f}' for r in rates[revision])} | {ours / theirs:.2f} |"
        )
    rows.append(
        f"| load average (1 min) before / after | {load_before:.1f} / {load_after:.1f} | | |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", nargs="*", default=list(BASELINES))
    parser.add_argument("--no-compare", action="store_true", help=argparse.SUPPRESS)
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
    if not args.no_compare and args.against:
        compared = compare(args.against, max(args.people // 3, 10), args.rounds)
        print("\n### Against earlier code, same script, same run\n")
        print(compared)
        table += "\n\n" + compared
    out = Path(__file__).parent / "results" / "turns.md"
    out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
