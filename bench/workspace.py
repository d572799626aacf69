"""The coordinators' views inbox and exports with 1,000,000 stored views on PostgreSQL.

1. Seeds a fresh database (COPY): 250,000 people, 1,000,000 views over a year in 4
   consultations x 5 questions, 8 languages, both registers, 3 channels; about 5% of answers
   repeat an earlier answer (answer history), the people of about 2% withdrew share_views,
   12 themes tagged on about 10% of views, 3 working groups with shared views, mixed statuses.
2. Inbox: the first page, a deep keyset page and the filter counts, each for a set of filter
   combinations, through the unit of work as the workspace calls it; p50 and p95 per query
   kind (target: p95 under 200 ms), with the EXPLAIN (ANALYZE) plan of each query shape.
3. Export: CSV and XLSX of 100,000 and 1,000,000 views, each in its own process: rows per
   second and the process's peak resident memory (constant memory: 1M costs what 100k does).

Run: `python -m bench.workspace [--views N] [--repeat N]`. Writes
`bench/results/workspace.md`. Skipped, with a note, when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from storage.crypto import AddressCipher
from storage.db import database_url, make_engine, migrate
from storage.records import ViewFilters
from storage.repositories import view_inbox
from storage.sql import SqlStore

RESULTS = Path(__file__).with_name("results") / "workspace.md"
ADMIN_URL = os.environ.get("HEARD_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
START = datetime(2026, 1, 1, tzinfo=UTC)
LANGUAGES = ("en", "cy", "pl", "ro", "ur", "ar", "so", "bn")
LANGUAGE_WEIGHTS = (50, 8, 12, 8, 8, 6, 4, 4)
CHANNELS = ("sms", "telegram", "whatsapp")
CONSULTATIONS = ("day-services-2026", "transport-2026", "housing-2026", "carers-2026")
QUESTIONS = ("q_matters", "q_better", "q_scale", "q_worse", "q_more")
STATUSES = ("new", "read", "shared", "acted_on")
STATUS_WEIGHTS = (60, 25, 5, 10)
WORDS = ("bus", "late", "carer", "help", "money", "house", "stairs", "lonely", "centre")
SECRET = "bench-workspace-secret-key-0123456789abcdef"


def _admin() -> Engine:
    return create_engine(
        make_url(database_url(ADMIN_URL)),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )


def create_database() -> str:
    name = f"heard_bench_views_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin().connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(database_url(ADMIN_URL)).set(database=name).render_as_string(False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    with _admin().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed(engine: Engine, views: int, rng: random.Random) -> dict[str, float]:
    """COPY the rows in; returns the seconds each part took."""
    people = max(1, views // 4)
    timing: dict[str, float] = {}
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        began = time.perf_counter()
        withdrawn = set(rng.sample(range(people), people // 50))
        with cursor.copy(
            "COPY participants (id, created_at, language, register, opted_out) FROM STDIN"
        ) as copy:
            for p in range(people):
                copy.write_row((f"p{p:07d}", START, "en", "standard", False))
        with cursor.copy(
            "COPY consents (participant_id, purpose, granted, text_id, language, channel, at)"
            " FROM STDIN"
        ) as copy:
            for p in range(people):
                copy.write_row((f"p{p:07d}", "share_views", True, "c", "en", "sms", START))
            for p in withdrawn:
                copy.write_row((f"p{p:07d}", "share_views", False, "c", "en", "sms", START))
        timing["people and consents"] = time.perf_counter() - began
        began = time.perf_counter()
        minutes = 365 * 24 * 60
        languages = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS, k=people)
        statuses = rng.choices(STATUSES, STATUS_WEIGHTS, k=views)
        people_of = array("i", bytes(4 * views))
        question_of = array("b", bytes(views))
        last: dict[tuple[int, int], int] = {}
        superseded: set[int] = set()
        for v in range(views):
            repeat = rng.random() < 0.05
            p = rng.randrange(people) if repeat else v // 4
            q = rng.randrange(len(QUESTIONS)) if repeat else v % 4
            people_of[v], question_of[v] = p, q
            if (p, q) in last:
                superseded.add(last[(p, q)])
            last[(p, q)] = v
        del last
        with cursor.copy(
            "COPY views (view_id, participant_id, consultation, flow, question_id,"
            " question_text, answer_value, original_text, language, register, channel, at,"
            " status, superseded, withdrawn) FROM STDIN"
        ) as copy:
            for v in range(views):
                p, q = people_of[v], question_of[v]
                words = " ".join(rng.choices(WORDS, k=6))
                copy.write_row(
                    (
                        f"v{v:08d}",
                        f"p{p:07d}",
                        CONSULTATIONS[p % len(CONSULTATIONS)],
                        "have_your_say",
                        QUESTIONS[q],
                        "What would make it better?",
                        words,
                        words,
                        languages[p],
                        "easy" if p % 7 == 0 else "standard",
                        CHANNELS[p % 3],
                        START + timedelta(minutes=v * minutes // views),
                        statuses[v],
                        v in superseded,
                        p in withdrawn,
                    )
                )
        timing["views"] = time.perf_counter() - began
        began = time.perf_counter()
        cursor.execute(
            "INSERT INTO working_groups (name, created_at) VALUES"
            " ('Transport group', %s), ('Housing group', %s), ('Carers group', %s)",
            (START, START, START),
        )
        cursor.execute(
            "INSERT INTO themes (name, description, keywords_json, created_at)"
            " SELECT 'Theme ' || n, '', '{}', %s FROM generate_series(1, 12) AS n",
            (START,),
        )
        cursor.execute(
            "INSERT INTO view_themes (view_id, theme_id, state, source, at)"
            " SELECT view_id, 1 + (abs(hashtext(view_id)) % 12), 'confirmed', 'person', at"
            " FROM views WHERE abs(hashtext(view_id)) % 10 = 0"
        )
        cursor.execute(
            "INSERT INTO view_shares (view_id, group_id, at)"
            " SELECT view_id, 1 + (abs(hashtext(view_id || 'g')) % 3), at FROM views"
            " WHERE status = 'shared'"
        )
        cursor.execute(
            "INSERT INTO view_tallies (consultation, question_id, language, register, channel,"
            " status, shard, n) SELECT coalesce(consultation, ''), question_id, language,"
            " register, channel, status, 0, count(*) FROM views"
            " WHERE NOT superseded AND NOT withdrawn GROUP BY 1, 2, 3, 4, 5, 6"
        )
        raw.commit()
        timing["themes, groups, tallies"] = time.perf_counter() - began
        began = time.perf_counter()
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE")
        timing["vacuum analyze"] = time.perf_counter() - began
    finally:
        raw.close()
    return timing


# (label, filters) of the inbox as coordinators use it
def cases() -> list[tuple[str, ViewFilters]]:
    month = datetime(2026, 6, 1, tzinfo=UTC)
    return [
        ("no filter", ViewFilters()),
        ("consultation", ViewFilters(consultation="transport-2026")),
        (
            "consultation + question",
            ViewFilters(consultation="transport-2026", question_id="q_better"),
        ),
        ("language (10%)", ViewFilters(language="pl")),
        ("language (4%) + register", ViewFilters(language="so", register="easy")),
        ("status new", ViewFilters(status="new")),
        (
            "status acted on + consultation",
            ViewFilters(status="acted_on", consultation="housing-2026"),
        ),
        (
            "channel + month",
            ViewFilters(channel="telegram", since=month, until=month + timedelta(days=30)),
        ),
        ("theme", ViewFilters(theme_id=3)),
        ("theme + language", ViewFilters(theme_id=5, language="ur")),
        ("member: shared with group", ViewFilters(group_ids=(2,))),
    ]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_inbox(store: SqlStore, repeat: int) -> tuple[list[list[str]], dict[str, list[float]]]:
    rows: list[list[str]] = []
    overall: dict[str, list[float]] = {"first page": [], "deep page": [], "counts": []}
    for label, filters in cases():
        samples: dict[str, list[float]] = {"first page": [], "deep page": [], "counts": []}
        total = 0
        for _ in range(repeat):
            with store.unit_of_work() as uow:
                began = time.perf_counter()
                page = uow.view_inbox.page(filters, limit=50)
                samples["first page"].append(time.perf_counter() - began)
                cursor = page.next_cursor
                for _ in range(20):  # page 21, by keyset
                    if cursor is None:
                        break
                    cursor = uow.view_inbox.page(filters, after=cursor, limit=50).next_cursor
                began = time.perf_counter()
                uow.view_inbox.page(filters, after=cursor, limit=50)
                samples["deep page"].append(time.perf_counter() - began)
                began = time.perf_counter()
                total = uow.view_inbox.counts(filters).total
                samples["counts"].append(time.perf_counter() - began)
        for kind, values in samples.items():
            overall[kind].extend(values)
        rows.append(
            [
                label,
                f"{total:,}",
                *(
                    f"{1000 * _p(samples[k], 0.5):.1f} / {1000 * _p(samples[k], 0.95):.1f}"
                    for k in ("first page", "deep page", "counts")
                ),
            ]
        )
    return rows, overall


def explain(store: SqlStore) -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE of each query shape, as PostgreSQL runs it."""
    from sqlalchemy import and_, func, not_, select

    from storage import models as m

    plans: list[tuple[str, str]] = []
    shapes = {
        "first page, consultation": ViewFilters(consultation="transport-2026"),
        "first page, language + register": ViewFilters(language="so", register="easy"),
        "first page, theme": ViewFilters(theme_id=3),
        "first page, member's group": ViewFilters(group_ids=(2,)),
    }
    queries: list[tuple[str, Any]] = []
    for label, filters in shapes.items():
        query = (
            select(m.ViewRow)
            .where(*view_inbox.conditions(filters))
            .order_by(m.ViewRow.at.desc(), m.ViewRow.view_id.desc())
            .limit(51)
        )
        queries.append((label, query))
    for label, filters in {
        "counts, consultation (counted, without the tallies)": ViewFilters(
            consultation="transport-2026"
        ),
        "counts, channel + month (counted: dates are not in the tallies)": ViewFilters(
            channel="telegram",
            since=datetime(2026, 6, 1, tzinfo=UTC),
            until=datetime(2026, 7, 1, tzinfo=UTC),
        ),
        "counts, theme (counted)": ViewFilters(theme_id=3),
    }.items():
        counted = (
            select(m.ViewRow.status, func.count())
            .where(*view_inbox.conditions(filters, with_status=False))
            .group_by(m.ViewRow.status)
        )
        queries.append((label, counted))
    _ = and_, not_
    tally = m.ViewTallyRow
    queries.append(
        (
            "counts, no filter (from the tallies, as the inbox does)",
            select(tally.status, func.sum(tally.n)).group_by(tally.status),
        )
    )
    with store.engine.connect() as connection:
        for label, query in queries:
            compiled = query.compile(
                dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
            )
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + str(compiled), compiled.params
            )
            plans.append((label, "\n".join(row[0] for row in plan)))
    return plans


def export_child(url: str, fmt: str, until: str | None) -> None:
    """Runs one export in this process and prints rows, seconds and peak RSS as JSON."""
    from bot.catalogue import load_catalogue
    from bot.export import ExportRequest, export
    from bot.flowspec.loader import load_flows
    from bot.views.questions import QuestionTexts

    store = SqlStore(make_engine(url), AddressCipher(SECRET))
    questions = QuestionTexts(load_flows(), load_catalogue())
    filters = ViewFilters(until=datetime.fromisoformat(until) if until else None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"views.{fmt}"
        began = time.perf_counter()
        with store.unit_of_work() as uow:
            if fmt == "xlsx":
                count = export(uow, questions, ExportRequest(filters, fmt), str(path))
            else:
                with path.open("w", encoding="utf-8", newline="") as out:
                    count = export(uow, questions, ExportRequest(filters, fmt), out)
        seconds = time.perf_counter() - began
        size = path.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "seconds": seconds, "peak_kib": peak_kib, "bytes": size}))


def time_exports(url: str, views: int, formats: tuple[str, ...]) -> list[list[str]]:
    rows: list[list[str]] = []
    tenth = START + timedelta(minutes=(365 * 24 * 60) // 10)
    sizes = [("about 10%", tenth.isoformat()), ("all", None)]
    for fmt in formats:
        for label, until in sizes:
            args = [sys.executable, "-m", "bench.workspace", "--export-child", url, fmt]
            if until:
                args.append(until)
            done = subprocess.run(args, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"export {fmt} failed: {done.stderr[-2000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(
                [
                    fmt,
                    label,
                    f"{result['rows']:,}",
                    f"{result['seconds']:.1f}",
                    f"{result['rows'] / result['seconds']:,.0f}",
                    f"{result['peak_kib'] / 1024:.0f}",
                    f"{result['bytes'] / 1e6:.0f}",
                ]
            )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--export-child":
        export_child(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
        return
    parser = argparse.ArgumentParser(prog="python -m bench.workspace")
    parser.add_argument("--views", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--formats", default="csv,xlsx,jsonl")
    args = parser.parse_args(argv)
    try:
        url = create_database()
    except OperationalError:
        print("bench.workspace: PostgreSQL not reachable, skipped")
        return
    out: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        out.append(line)

    try:
        engine = make_engine(url)
        migrate(engine)
        began = time.perf_counter()
        timing = seed(engine, args.views, random.Random(7))
        seeded = time.perf_counter() - began
        store = SqlStore(engine, AddressCipher(SECRET))
        say(f"## Views inbox with {args.views:,} views on PostgreSQL\n")
        say(
            f"Seeded in {seeded:.0f} s ("
            + ", ".join(f"{k} {v:.0f} s" for k, v in timing.items())
            + f"). Each figure: {args.repeat} runs, milliseconds p50 / p95, through the unit of"
            " work (query, rows to records, themes, groups and answer-history counts of the"
            " page).\n"
        )
        rows, overall = time_inbox(store, args.repeat)
        say(_table(["filters", "views", "first page", "page 21", "counts"], rows))
        say(
            "\nAll filter sets together, p95: "
            + ", ".join(f"{k} {1000 * _p(v, 0.95):.0f} ms" for k, v in overall.items())
            + " (target: under 200 ms).\n"
        )
        say("### Query plans (EXPLAIN ANALYZE)\n")
        for label, plan in explain(store):
            say(f"{label}:\n\n```\n{plan}\n```\n")
        engine.dispose()
        say("## Exports (each in its own process)\n")
        formats = tuple(f for f in args.formats.split(",") if f)
        rows = time_exports(url, args.views, formats)
        say(_table(["format", "views", "rows", "seconds", "rows/s", "peak RSS MiB", "MB"], rows))
    finally:
        drop_database(url)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
