"""The inbox and outbox claim queries' plans on PostgreSQL: before ANALYZE, after it, and as a
prepared statement's generic plan (what psycopg's automatic prepare ends up running).

A fresh database (autovacuum off on the two tables, so nothing analyses them behind our back)
gets `--done` finished rows and `--open` unfinished ones in each queue (5 per sender or
recipient); each claim query, exactly as the repositories build it (`claim_query`), is run
under `EXPLAIN ANALYZE` with the planner's own choice (a custom plan) and with
`plan_cache_mode = force_generic_plan` on a `PREPARE`d statement, after `CLAIM_PLAN` as in
the repositories. Rows locked by the claims are
rolled back.

Run: `python -m bench.claims [--done N] [--open N]`. Writes `bench/results/claims.md`.
Needs PostgreSQL (`HEARD_BENCH_POSTGRES_URL`); says so and stops when it cannot reach it.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg.sql import Literal
from sqlalchemy import Engine, Select, text

from bench.pipeline import drop_database, fresh_database
from storage.db import make_engine, migrate
from storage.queues import CLAIM_PLAN
from storage.repositories import inbox, outbox

RESULTS = Path(__file__).with_name("results") / "claims.md"
LEASE_SECONDS = 120.0
CLAIM_LIMIT = 16


def load(engine: Engine, done: int, open_: int) -> None:
    """`done` finished and `open_` waiting rows in each queue, in one transaction each."""
    with engine.begin() as connection:
        for table in ("inbox", "outbox"):
            connection.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
        connection.execute(
            text(
                "INSERT INTO inbox (channel, provider_key, received_at, sender_hmac, status, "
                "attempts) SELECT 'sms', 'SM' || g, now(), md5((g % :senders)::text), "
                "CASE WHEN g <= :done THEN 'done' ELSE 'pending' END, 0 "
                "FROM generate_series(1, :total) AS g"
            ),
            {"done": done, "total": done + open_, "senders": max(open_ // 5, 1)},
        )
        connection.execute(
            text(
                "INSERT INTO outbox (id, channel, recipient_hmac, text, choices_json, segments, "
                "status, attempts, created_at) SELECT 'm' || g, 'sms', "
                "md5((g % :senders)::text), 'Thank you.', '[]', 1, "
                "CASE WHEN g <= :done THEN 'sent' ELSE 'pending' END, 0, now() "
                "FROM generate_series(1, :total) AS g"
            ),
            {"done": done, "total": done + open_, "senders": max(open_ // 5, 1)},
        )


def compiled(engine: Engine, query: Select[Any]) -> tuple[str, list[Any]]:
    """The query's SQL for psycopg (`%(name)s` placeholders) and its parameters, in order."""
    statement = query.compile(dialect=engine.dialect)
    names = re.findall(r"%\((\w+)\)s", statement.string)
    return statement.string, [statement.params[name] for name in names]


def explain(engine: Engine, query: Select[Any], *, generic: bool) -> list[str]:
    sql, params = compiled(engine, query)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(CLAIM_PLAN)  # as the repositories do before each claim
        if generic:
            numbered = iter(range(1, len(params) + 1))
            prepared = re.sub(r"%\((\w+)\)s", lambda _: f"${next(numbered)}", sql)
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE claim AS {prepared}")
            # EXECUTE's arguments cannot be bound: they are written as literals.
            connection = raw.driver_connection
            arguments = ", ".join(Literal(value).as_string(connection) for value in params)
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS OFF) EXECUTE claim({arguments})"
                if params
                else "EXPLAIN (ANALYZE, BUFFERS OFF) EXECUTE claim"
            )
        else:
            names = re.findall(r"%\((\w+)\)s", sql)
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", dict(zip(names, params, strict=True))
            )
        plan = [row[0] for row in cursor.fetchall()]
        raw.rollback()  # the claim's row locks, and plan_cache_mode
        if generic:
            cursor.execute("DEALLOCATE claim")
            raw.commit()
        return plan
    finally:
        raw.close()


def execution_ms(plan: list[str]) -> float:
    for line in plan:
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    return float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--done", type=int, default=100_000, help="finished rows per queue")
    parser.add_argument("--open", type=int, default=2_000, help="waiting rows per queue")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database("postgres", Path(tmp))
    if url is None:
        print("bench.claims: PostgreSQL is not reachable; nothing measured")
        return
    now = datetime.now(UTC)
    queries = {
        "inbox claim": inbox.claim_query(CLAIM_LIMIT, now, LEASE_SECONDS, postgres=True),
        "outbox claim": outbox.claim_query("sms", CLAIM_LIMIT, now, postgres=True),
    }
    lines = [
        "## Claim query plans (python -m bench.claims)",
        "",
        f"PostgreSQL; {args.done:,} finished and {args.open:,} waiting rows in each queue "
        f"(5 per sender or recipient), LIMIT {CLAIM_LIMIT}.",
        "",
        "| query | database | plan | execution ms |",
        "|---|---|---|---|",
    ]
    plans: list[str] = []
    engine = make_engine(url)
    try:
        migrate(engine)
        load(engine, args.done, args.open)
        for state in ("never analysed", "analysed"):
            if state == "analysed":
                with engine.begin() as connection:
                    connection.execute(text("ANALYZE inbox"))
                    connection.execute(text("ANALYZE outbox"))
            for name, query in queries.items():
                for generic in (False, True):
                    kind = "generic (prepared)" if generic else "custom"
                    plan = explain(engine, query, generic=generic)
                    lines.append(f"| {name} | {state} | {kind} | {execution_ms(plan):.2f} |")
                    plans += [f"### {name}, {state}, {kind}", "", "```", *plan, "```", ""]
    finally:
        engine.dispose()
        drop_database(url)
    lines.append(f"\nMeasured {datetime.now(UTC):%Y-%m-%d}.\n")
    report = "\n".join(lines + plans).rstrip() + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
