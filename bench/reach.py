"""What the reach page's read costs: every person who gave views, with their consents and
sealed "about you" answers (`uow.reach.people()`), counted and protected
(`bot.views.reach.build_report`), against reading the same people's views as records
(`uow.views.all()`, the export's path: one sealed view per person) in the same run on the
same database.

Run: `python -m bench.reach [--people N] [--rounds R]` (default 20,000 people, a temporary
SQLite file).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bench.views_decrypt import T0, WORDS, scratch
from bot.views.reach import build_report, count
from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.repositories.rows import PROFILE_VALUE, VIEW_ANSWER, VIEW_ORIGINAL
from storage.sql import SqlStore

GROUPS = ("white", "asian", "black", "mixed", "other")
AGES = ("under_25", "age_25_44", "age_45_64", "age_65_over")


def fill(store: SqlStore, people: int) -> None:
    ids = [f"p-{n:08d}" for n in range(people)]
    with store.engine.begin() as connection:
        connection.execute(
            insert(m.ParticipantRow),
            [
                {"id": p, "created_at": T0, "language": "en", "register": "standard",
                 "opted_out": False}
                for p in ids
            ],
        )
    views: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    consents: list[dict[str, object]] = []
    with store.unit_of_work() as uow:
        for n, pid in enumerate(ids):
            uow.text.create_key(pid, T0)
            for purpose in ("share_views", "about_you", "contact_group"):
                consents.append(
                    {"participant_id": pid, "purpose": purpose, "granted": n % 7 != 0,
                     "text_id": "c", "language": "en", "channel": "sms", "at": T0}
                )
            for field, value in (
                ("ethnic_group", GROUPS[n % len(GROUPS)]),
                ("age_band", AGES[n % len(AGES)]),
                ("carer", "yes" if n % 9 == 0 else "no"),
                ("disability", "yes" if n % 5 == 0 else "no"),
                ("area", f"CF{n % 30 + 1}"),
            ):
                answers.append(
                    {"participant_id": pid, "field": field,
                     "value": uow.text.seal(pid, value, PROFILE_VALUE), "at": T0}
                )
            views.append(
                {"view_id": f"v-{n:09d}", "participant_id": pid, "consultation": "c",
                 "flow": "have_your_say", "question_id": "q", "question_text": "?",
                 "answer_value": uow.text.seal(pid, WORDS, VIEW_ANSWER),
                 "original_text": uow.text.seal(pid, WORDS, VIEW_ORIGINAL),
                 "language": "en", "register": "standard", "channel": "sms", "at": T0}
            )
        uow.commit()
    with store.engine.begin() as connection:
        for table, rows in (
            (m.ConsentRow, consents), (m.ProfileAnswerRow, answers), (m.ViewRow, views)
        ):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start : start + 5000])


def timed_reach(store: SqlStore) -> float:
    started = time.perf_counter()
    with store.reading() as uow:
        report = build_report(count(uow.reach.people()), uow.baselines.current())
    assert report.total
    return time.perf_counter() - started


def timed_views(store: SqlStore) -> float:
    started = time.perf_counter()
    with store.reading() as uow:
        sum(1 for _ in uow.views.all())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlStore(scratch(None, Path(tmp)), AddressCipher(generate_secret()))
        try:
            fill(store, args.people)
            reach, views = [], []
            for _ in range(args.rounds):  # alternating, so a busy machine slows both alike
                reach.append(timed_reach(store))
                views.append(timed_views(store))
        finally:
            store.engine.dispose()
    r, v = statistics.median(reach), statistics.median(views)
    print(f"reach read, {args.people:,} people who gave views, SQLite, median of {args.rounds}")
    print(f"reach page's read and report: {r:.2f} s; their views as records: {v:.2f} s")
    print(f"ratio reach / views: {r / v:.2f}")


if __name__ == "__main__":
    main()
