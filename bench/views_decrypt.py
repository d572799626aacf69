"""What sealing people's words costs a coordinator's read: 100k views read back as records
(`uow.views.all()`, the export's path) from a store whose words are sealed under per-person data
keys, against the same views stored as plain text (read by the same code, which returns values
without the sealed prefix as they are), in the same run on the same database.

Run: `python -m bench.views_decrypt [--views N] [--per-person K] [--database-url URL]`
(default: 100,000 views, 5 per person, a temporary SQLite file). A PostgreSQL URL names a
scratch database on a server: the bench EMPTIES ITS TABLES before and after.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.db import make_engine, migrate
from storage.repositories.rows import VIEW_ANSWER, VIEW_ORIGINAL
from storage.sql import SqlStore

T0 = datetime(2026, 3, 1, tzinfo=UTC)
WORDS = "More buses to the day centre in the evening, and a ramp at the side door"


def fill(store: SqlStore, views: int, per_person: int, kind: str) -> None:
    """People and their views of consultation `kind`, inserted in bulk (set-up, not what is
    measured); when `sealed`, each person gets a data key and their words are sealed as
    `views.save` does."""
    sealed = kind == "sealed"
    people = [f"{kind}-{n:08d}" for n in range(max(1, views // per_person))]
    with store.engine.begin() as connection:
        connection.execute(
            insert(m.ParticipantRow),
            [
                {
                    "id": pid,
                    "created_at": T0,
                    "language": "en",
                    "register": "standard",
                    "opted_out": False,
                }
                for pid in people
            ],
        )
    rows: list[dict[str, object]] = []
    with store.unit_of_work() as uow:
        if sealed:
            for pid in people:
                uow.text.create_key(pid, T0)
        for n in range(views):
            pid = people[n % len(people)]
            words = f"{WORDS} ({n})"
            rows.append(
                {
                    "view_id": f"{kind}-{n:09d}",
                    "participant_id": pid,
                    "consultation": kind,
                    "flow": "have_your_say",
                    "question_id": "q_matters",
                    "question_text": "What matters most to you?",
                    "answer_value": uow.text.seal(pid, words, VIEW_ANSWER) if sealed else words,
                    "original_text": uow.text.seal(pid, words, VIEW_ORIGINAL) if sealed else words,
                    "language": "en",
                    "register": "standard",
                    "channel": "sms",
                    "at": T0 + timedelta(seconds=n),
                }
            )
        uow.commit()
    with store.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(m.ViewRow), rows[start : start + 5000])


def read_all(store: SqlStore, kind: str) -> tuple[float, int]:
    started = time.perf_counter()
    with store.unit_of_work() as uow:
        count = sum(1 for _ in uow.views.all(kind))
    return time.perf_counter() - started, count


def scratch(url: str | None, directory: Path) -> Engine:
    engine = make_engine(url or f"sqlite:///{directory / 'views.sqlite'}")
    migrate(engine)
    if url is not None:
        empty(engine)
    return engine


def empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(m.Base.metadata.sorted_tables):
            connection.execute(table.delete())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=100_000)
    parser.add_argument("--per-person", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: temporary SQLite files")
    args = parser.parse_args(argv)
    cipher = AddressCipher(generate_secret())
    rates: dict[str, list[float]] = {"plain": [], "sealed": []}
    with tempfile.TemporaryDirectory() as tmp:
        # One database holds both: the plain views and the sealed ones, by consultation.
        store = SqlStore(scratch(args.database_url, Path(tmp)), cipher)
        try:
            for kind in rates:
                fill(store, args.views, args.per_person, kind)
            # Rounds alternate, so a machine busy with something else slows both alike.
            for _ in range(args.rounds):
                for kind, found in rates.items():
                    seconds, count = read_all(store, kind)
                    assert count == args.views
                    found.append(count / seconds)
        finally:
            if args.database_url is not None:
                empty(store.engine)
            store.engine.dispose()
    plain, sealed = (statistics.median(rates[k]) for k in ("plain", "sealed"))
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"views read as records, {args.views:,} views, {args.per_person} per person, {where}")
    print(f"| stored as | views/s (median of {args.rounds}) |")
    print("|---|---|")
    print(f"| plain text | {plain:,.0f} |")
    print(f"| sealed under data keys | {sealed:,.0f} |")
    print(f"ratio sealed / plain: {sealed / plain:.2f}")


if __name__ == "__main__":
    main()
