"""The channel pipeline end to end, against the fake Twilio API, on SQLite and PostgreSQL.

1. Inbound: signed Twilio webhook POSTs -> the app on uvicorn (loopback) -> inbox -> the inbox
   worker (in process, its own thread) -> the turn and its replies committed to the outbox.
   Latency is from the start of the POST to the commit of the turn (the inbox row's
   `processed_at`, written in the same transaction as the replies). Compared with a bare ASGI
   app that does one INSERT per request, served by the same uvicorn, driven by the same client
   at the same concurrency, on the same database, in the same run.
2. Outbox drain: 10,000 queued messages (1,000 recipients, 10 each) sent by the outbox worker
   through the real twilio client to the fake API at a configured limit; achieved rate against
   the limit, and duplicates (counted by our outbox id in each StatusCallback URL; must be 0).

Run: `python -m bench.pipeline [--messages N] [--drain N] [--limit PER_SECOND]`. Writes
`bench/results/pipeline.md`. PostgreSQL is skipped, with a note, when it cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.channels.registry import provider_wiring
from bot.channels.twilio_sms.channel import sms_limits
from bot.config import Settings, load_settings
from bot.inbox.worker import InboxWorker
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.retry import RetryPolicy
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime
from storage import models as m
from storage.db import database_url, make_engine, migrate
from storage.records import OutboxMessage
from storage.sql import SqlStore
from tests.fakes.live_server import live_server
from tests.fakes.twilio_api import FakeTwilioApi, inbound_form

RESULTS = Path(__file__).with_name("results") / "pipeline.md"
ACCOUNT = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-not-real"
PUBLIC_URL = "https://heard.example.org"
HEARD_NUMBER = "+447700900001"
SECRET = "bench-secret-key-not-for-real-use-000000000000"
POSTGRES_URL = os.environ.get(
    "HEARD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CONCURRENCY = 16


@dataclass(frozen=True)
class Run:
    rate: float  # messages per second
    p50_ms: float
    p99_ms: float


def summarise(latencies: list[float], elapsed: float) -> Run:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Run(len(ordered) / elapsed, statistics.median(ordered) * 1000, p99 * 1000)


def number(i: int) -> str:
    return f"+447700900{i % 1000:03d}"


# --- databases
def fresh_database(kind: str, workdir: Path) -> str | None:
    """A new, empty database URL, or None when PostgreSQL cannot be reached."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'{secrets.token_hex(4)}.sqlite'}"
    admin_url = make_url(database_url(POSTGRES_URL))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"heard_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        return None
    finally:
        admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def settings_for(url: str, workdir: Path, twilio_url: str, limit: float) -> Settings:
    return load_settings(
        {
            "HEARD_DATA_DIR": str(workdir),
            "DATABASE_URL": url,
            "HEARD_SECRET_KEY": SECRET,
            "HEARD_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": HEARD_NUMBER,
            "TWILIO_API_BASE_URL": twilio_url,
            "TWILIO_MESSAGES_PER_SECOND": str(limit),
        }
    )


# --- the HTTP client, the same for both sides
async def drive(
    url: str, forms: list[dict[str, str]], on_start: Callable[[int, float], None]
) -> list[float]:
    """POSTs every form with CONCURRENCY in flight; returns each request's own latency."""
    validator = RequestValidator(AUTH_TOKEN)
    latencies: list[float] = [0.0] * len(forms)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(forms)):
        queue.put_nowait(i)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            signature = validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", forms[i])
            started = time.perf_counter()
            on_start(i, time.time())
            response = await http.post(
                url, data=forms[i], headers={"X-Twilio-Signature": signature}
            )
            response.raise_for_status()
            latencies[i] = time.perf_counter() - started

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(CONCURRENCY)))
    return latencies


def bare_insert_app(url: str) -> tuple[Starlette, Callable[[], None]]:
    engine = make_engine(url)
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE bare (id {key} PRIMARY KEY, sid VARCHAR(64), body TEXT)")
        )

    def insert(sid: str, body: str) -> None:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bare (sid, body) VALUES (:sid, :body)"),
                {"sid": sid, "body": body},
            )

    async def receive(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        await asyncio.to_thread(insert, form["MessageSid"], form.get("Body", ""))
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type="text/xml")

    return Starlette(routes=[Route("/webhooks/twilio", receive, methods=["POST"])]), engine.dispose


def bench_bare(url: str, count: int) -> Run:
    app, close = bare_insert_app(url)
    forms = [inbound_form(ACCOUNT, number(i), "Hello", to=HEARD_NUMBER) for i in range(count)]
    try:
        with live_server(app) as base:
            started = time.perf_counter()
            latencies = asyncio.run(drive(f"{base}/webhooks/twilio", forms, lambda i, t: None))
            elapsed = time.perf_counter() - started
    finally:
        close()
    return summarise(latencies, elapsed)


def bench_inbound(runtime: Runtime, count: int) -> Run:
    """Signed POSTs until each turn's replies are committed to the outbox."""
    app = create_app(runtime.settings, workers=False, runtime=runtime)
    store = runtime.store
    worker = InboxWorker(store, runtime.conversation, runtime.catalogue)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            if worker.run_once() == 0:
                time.sleep(0.002)

    thread = threading.Thread(target=work, daemon=True)
    # Each sender says hello once: every POST is a new person's first turn (two replies).
    forms = [inbound_form(ACCOUNT, number(i), "Hello", to=HEARD_NUMBER) for i in range(count)]
    posted_at: dict[str, float] = {}
    started = time.perf_counter()
    thread.start()
    try:
        with live_server(app) as base:

            def note(i: int, at: float) -> None:
                posted_at[forms[i]["MessageSid"]] = at

            asyncio.run(drive(f"{base}/webhooks/twilio", forms, note))
            done = _wait_for_done(store, count)
            elapsed = time.perf_counter() - started
    finally:
        stop.set()
        thread.join()
    latencies = [done[sid] - posted_at[sid] for sid in posted_at]
    return summarise(latencies, elapsed)


def _wait_for_done(store: SqlStore, count: int, timeout: float = 300) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    query = select(m.InboxRow.provider_key, m.InboxRow.processed_at).where(
        m.InboxRow.status == "done"
    )
    while True:
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        if len(rows) >= count:
            return {key: _utc(at).timestamp() for key, at in rows if at is not None}
        if time.monotonic() > deadline:
            raise TimeoutError("the inbox worker did not finish")
        time.sleep(0.05)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# --- outbox drain
@dataclass(frozen=True)
class Drain:
    messages: int
    limit: float
    rate: float
    seconds: float
    duplicates: int
    unsent: int


def bench_drain(runtime: Runtime, api: FakeTwilioApi, count: int, limit: float) -> Drain:
    store = runtime.store
    now = datetime.now(UTC)
    with store.unit_of_work() as uow:
        numbers = [number(i) for i in range(min(count, 1000))]
        people = [uow.people.for_address("sms", address, now) for address in numbers]
        for i in range(count):
            person = people[i % len(people)]
            uow.outbox.add(
                OutboxMessage(
                    f"bench-{i:05d}", person.participant_id, "sms",
                    f"Message {i // len(people) + 1} of the drain benchmark.", now, segments=1,
                ),
                address=numbers[i % len(people)],
            )
        uow.commit()

    async def drain() -> float:
        wiring = provider_wiring(runtime.settings)
        worker = OutboxWorker(
            store,
            wiring.channels,
            RateLimiter(time.monotonic, {"sms": sms_limits(limit)}),
            RetryPolicy(max_attempts=5),
            poll_seconds=0.01,
        )
        started = time.perf_counter()
        try:
            await worker.drain(600)
        finally:
            await wiring.aclose()
        return time.perf_counter() - started

    seconds = asyncio.run(drain())
    ids = Counter(
        parse_qs(urlsplit(url).query)["m"][0] for url in api.status_callbacks.values()
    )
    with store.engine.connect() as connection:
        unsent = connection.scalar(
            select(m.OutboxRow.seq).where(m.OutboxRow.status != "sent").limit(1)
        )
    return Drain(
        count, limit, sum(ids.values()) / seconds, seconds,
        sum(n - 1 for n in ids.values()), 0 if unsent is None else 1,
    )


# --- report
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400, help="inbound POSTs per database")
    parser.add_argument("--drain", type=int, default=10_000, help="outbox messages to drain")
    parser.add_argument("--limit", type=float, default=200.0, help="SMS segments per second")
    args = parser.parse_args(argv)

    lines = ["## Channel pipeline benchmark", ""]
    lines.append(
        f"Inbound: {args.messages} signed Twilio webhook POSTs per database, {CONCURRENCY} in "
        "flight, each a new person's first turn (two replies), from the start of the POST to "
        "the commit of the turn and its outbox rows. Bare: the same client and uvicorn against "
        "a Starlette app that does one INSERT per request on the same database."
    )
    lines += ["", "| database | pipeline msg/s | p50 ms | p99 ms | bare msg/s | bare p50 ms "
              "| bare p99 ms | pipeline / bare |", "|---|---|---|---|---|---|---|---|"]
    notes: list[str] = []
    api = FakeTwilioApi(ACCOUNT, AUTH_TOKEN)
    drain_result: Drain | None = None
    shared: Runtime | None = None
    with tempfile.TemporaryDirectory() as tmp, live_server(api.app) as twilio_url:
        workdir = Path(tmp)
        for kind in ("sqlite", "postgres"):
            bare_url = fresh_database(kind, workdir)
            url = fresh_database(kind, workdir)
            if bare_url is None or url is None:
                notes.append(f"PostgreSQL skipped: cannot reach {POSTGRES_URL}")
                continue
            try:
                settings = settings_for(url, workdir, twilio_url, args.limit)
                runtime = Runtime(settings)
                if shared is None:
                    shared = runtime
                    runtime.conversation  # noqa: B018  (load NLU before timing)
                else:
                    runtime.catalogue = shared.catalogue
                    runtime.engine = shared.engine
                    runtime.conversation = shared.conversation
                migrate(runtime.store.engine)
                bare = bench_bare(bare_url, args.messages)
                full = bench_inbound(runtime, args.messages)
                lines.append(
                    f"| {kind} | {full.rate:.0f} | {full.p50_ms:.1f} | {full.p99_ms:.1f} "
                    f"| {bare.rate:.0f} | {bare.p50_ms:.1f} | {bare.p99_ms:.1f} "
                    f"| {full.rate / bare.rate:.2f} |"
                )
                print(lines[-1], flush=True)
                if kind == "sqlite":
                    drain_url = fresh_database(kind, workdir)
                    assert drain_url is not None
                    drain_settings = settings_for(drain_url, workdir, twilio_url, args.limit)
                    drain_runtime = Runtime(drain_settings)
                    drain_result = bench_drain(drain_runtime, api, args.drain, args.limit)
                    drain_runtime.store.engine.dispose()
                runtime.store.engine.dispose()
            finally:
                drop_database(url)
                drop_database(bare_url)
    if drain_result is not None:
        d = drain_result
        lines += [
            "",
            f"Outbox drain (SQLite): {d.messages} messages to 1,000 recipients through the real "
            "twilio client to the fake Twilio API, paced by `RateLimiter` (costed by segments; "
            "2 s between one person's messages).",
            "",
            "| messages | limit /s | achieved /s | achieved / limit | seconds | duplicates "
            "| unsent |",
            "|---|---|---|---|---|---|---|",
            f"| {d.messages} | {d.limit:.0f} | {d.rate:.1f} | {d.rate / d.limit:.2f} "
            f"| {d.seconds:.1f} | {d.duplicates} | {d.unsent} |",
        ]
    lines += [""] + [f"Note: {n}." for n in notes]
    lines.append(f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} CPUs.")
    report = "\n".join(lines).rstrip() + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
