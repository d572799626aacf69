"""The hot path as ratios in one run: signed Twilio webhooks accepted per second while the
workers run, against a bare Starlette app doing one SQLite INSERT per request under the same
load; and, on PostgreSQL, a burst drained by 1, 2 and 4 `heard worker` processes.

Everything that serves runs in its own process, started as a deployment would start it
(`heard run`, `heard run --no-workers`, `heard worker`), so no server shares an interpreter
with the load generator or with another server:

- the fake Twilio API (tests/fakes/twilio_api.py) on loopback, counting every message it is
  asked to create by our outbox id (carried in each StatusCallback URL);
- the bare app (bench.pipeline.bare_insert_app on a SQLite file, under uvicorn);
- Heard, in these set-ups: SQLite and PostgreSQL with `heard run --no-workers` alone (the web
  side's own ceiling); SQLite with the workers inside `heard run`; SQLite with
  `heard run --no-workers` beside one `heard worker`; PostgreSQL with `heard run --no-workers`
  beside two `heard worker` processes. Worker processes run with Heard's default priority
  unless `--worker-nice` sets HEARD_WORKER_NICE.

The load generator is a small asyncio HTTP/1.1 client with keep-alive connections and
requests built (and signed) before the clock starts: `--connections` requests in flight, each
sender a new person saying hello (a first turn, two replies). Accepted per second is requests
answered 200 over the time from the first request to the last answer. A turn's wait is from
its webhook's commit (`received_at`) to its turn's commit (`processed_at`); the longest stall
is the longest time, while items were waiting, that no turn finished.

The drain: with only `heard run --no-workers` up, `--burst` messages are posted; then N
`heard worker` processes start together and the clock runs until every item is done and every
reply sent. The database is then checked: every item done and logged once (one inbound
message-log row each), every outbox row sent, and the fake API asked for each exactly once.

Run: `python -m bench.hotpath [--messages N] [--burst N] [--port-base P]`. Writes
`bench/results/hotpath.md`. PostgreSQL parts are skipped, with a note, when it is unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import ColumnElement, func, select
from twilio.request_validator import RequestValidator

from bench.pipeline import (
    ACCOUNT,
    AUTH_TOKEN,
    HEARD_NUMBER,
    POSTGRES_URL,
    PUBLIC_URL,
    SECRET,
    drop_database,
    fresh_database,
)
from storage import models as m
from storage.db import make_engine
from tests.fakes.twilio_api import inbound_form

RESULTS = Path(__file__).with_name("results") / "hotpath.md"
HEARD = str(Path(sys.executable).with_name("heard"))
SENDS_PER_SECOND = 1000  # the fake API's limit as configured: sending is not what is measured


# --- servers, each in its own process
@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


PROFILE_DIR = os.environ.get("HEARD_BENCH_PROFILE")  # py-spy's collapsed stacks go here


def _spawn(name: str, argv: list[str], env: dict[str, str], logdir: Path) -> Server:
    log = logdir / f"{name}.log"
    if PROFILE_DIR and argv[0] == HEARD:
        spy = os.environ.get("HEARD_BENCH_PYSPY") or str(Path(sys.executable).with_name("py-spy"))
        out = Path(PROFILE_DIR) / f"{name}-{time.monotonic_ns()}.txt"
        argv = [spy, "record", "-r", "250", "-f", "raw", "-o", str(out), "--", *argv]
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, process, log)


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT if PROFILE_DIR else signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield servers
    finally:
        for server in servers:
            _stop(server)


def _wait_http(url: str, servers: Sequence[Server], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for server in servers:
            if server.process.poll() is not None:
                tail = server.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{server.name} exited:\n{tail}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def heard_env(url: str, data_dir: Path, twilio_port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "HEARD_DATA_DIR": str(data_dir),
        "HEARD_SECRET_KEY": SECRET,
        "HEARD_PUBLIC_URL": PUBLIC_URL,
        "HEARD_LOG_LEVEL": "WARNING",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": HEARD_NUMBER,
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_port}",
        "TWILIO_MESSAGES_PER_SECOND": str(SENDS_PER_SECOND),
    }


def heard_web(url: str, port: int, env: dict[str, str], logdir: Path, *, workers: bool) -> Server:
    argv = [HEARD, "run", "--host", "127.0.0.1", "--port", str(port)]
    return _spawn(f"web-{port}", argv if workers else [*argv, "--no-workers"], env, logdir)


WORKER_NICE: int | None = None  # set from --worker-nice


def heard_worker(n: int, env: dict[str, str], logdir: Path) -> Server:
    """A `heard worker`, which lowers its own CPU priority (HEARD_WORKER_NICE)."""
    if WORKER_NICE is not None:
        env = {**env, "HEARD_WORKER_NICE": str(WORKER_NICE)}
    return _spawn(f"worker-{n}", [HEARD, "worker", "--poll", "0.05"], env, logdir)


# --- the fake Twilio API and the bare app, served by this module in a child process
def serve_fake_twilio(port: int) -> None:
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.fakes.twilio_api import FakeTwilioApi

    api = FakeTwilioApi(ACCOUNT, AUTH_TOKEN)

    async def sent(request: Request) -> JSONResponse:
        ids = Counter(
            parse_qs(urlsplit(url).query)["m"][0] for url in api.status_callbacks.values()
        )
        return JSONResponse(ids)

    async def reset(request: Request) -> JSONResponse:
        api.status_callbacks.clear()
        api.created.clear()
        api.requests.clear()
        return JSONResponse({})

    api.app.router.routes.append(Route("/_bench/sent", sent))
    api.app.router.routes.append(Route("/_bench/reset", reset, methods=["POST"]))
    uvicorn.run(api.app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_bare(port: int, path: str) -> None:
    import uvicorn

    from bench.pipeline import bare_insert_app

    app, _ = bare_insert_app(f"sqlite:///{path}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _child(name: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "bench.hotpath", f"--serve-{name}", *args]


# --- the load generator
def signed_requests(port: int, first: int, count: int) -> list[bytes]:
    """Whole HTTP requests, signed: sender `first + i` says hello (a new person each)."""
    validator = RequestValidator(AUTH_TOKEN)
    requests = []
    for i in range(first, first + count):
        form = inbound_form(ACCOUNT, f"+4477{i:08d}", "Hello", to=HEARD_NUMBER)
        body = urlencode(form).encode()
        signature = validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", form)
        head = (
            f"POST /webhooks/twilio HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return (self.requests - self.failures) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def _drive(port: int, requests: list[bytes], connections: int) -> Load:
    latencies: list[float] = []
    failures = 0
    next_index = 0

    async def connection() -> None:
        nonlocal next_index, failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < len(requests):
                request = requests[next_index]
                next_index += 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200"):
                    failures += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return Load(len(requests), time.perf_counter() - started, latencies, failures)


def drive(port: int, requests: list[bytes], connections: int) -> Load:
    return asyncio.run(_drive(port, requests, connections))


# --- the database afterwards
@dataclass(frozen=True)
class Waits:
    done: int
    p50_s: float
    max_s: float
    longest_stall_s: float
    drained_s: float  # from the first webhook's commit to the last turn's


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def wait_for_turns(url: str, count: int, timeout: float, since: float = 0.0) -> Waits:
    """Waits until `count` items received after `since` (a Unix time) are done."""
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    after = datetime.fromtimestamp(since, UTC)
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(m.InboxRow.received_at, m.InboxRow.processed_at).where(
                        m.InboxRow.status == "done", m.InboxRow.received_at >= after
                    )
                ).all()
            if len(rows) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    if not rows:
        return Waits(0, float("nan"), float("nan"), float("nan"), float("nan"))
    # Only done items were read: each has both times.
    pairs = [(_utc(r), _utc(p)) for r, p in rows if p is not None]
    received = sorted(r.timestamp() for r, _ in pairs)
    processed = sorted(p.timestamp() for _, p in pairs)
    waits = [(p - r).total_seconds() for r, p in pairs]
    # Gaps between turn commits while something was waiting (received, not yet processed).
    stall = 0.0
    previous = received[0]
    for at in processed:
        stall = max(stall, at - previous)
        previous = at
    return Waits(
        len(rows), statistics.median(waits), max(waits), stall, processed[-1] - received[0]
    )


@dataclass(frozen=True)
class Check:
    items: int
    done: int
    logged_in: int
    outbox: int
    sent: int
    asked_once: int
    asked_twice_or_more: int
    never_asked: int

    @property
    def ok(self) -> bool:
        return (
            self.items == self.done == self.logged_in
            and self.outbox == self.sent == self.asked_once
            and self.asked_twice_or_more == 0
            and self.never_asked == 0
        )


def wait_for_sends(url: str, expected_items: int, timeout: float) -> None:
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                unsent = connection.scalar(
                    select(func.count()).select_from(m.OutboxRow).where(
                        m.OutboxRow.status != "sent"
                    )
                )
                done = connection.scalar(
                    select(func.count()).select_from(m.InboxRow).where(
                        m.InboxRow.status == "done"
                    )
                )
            if unsent == 0 and done == expected_items:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()


def check(url: str, twilio_port: int) -> Check:
    sent_ids: dict[str, int] = httpx.get(
        f"http://127.0.0.1:{twilio_port}/_bench/sent", timeout=30
    ).json()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            def count(table: type[m.Base], *where: ColumnElement[bool]) -> int:
                query = select(func.count()).select_from(table).where(*where)
                return int(connection.scalar(query) or 0)

            items = count(m.InboxRow)
            done = count(m.InboxRow, m.InboxRow.status == "done")
            logged_in = count(m.MessageLogRow, m.MessageLogRow.direction == "in")
            outbox = count(m.OutboxRow)
            sent = count(m.OutboxRow, m.OutboxRow.status == "sent")
            ours = set(connection.scalars(select(m.OutboxRow.id)))
    finally:
        engine.dispose()
    return Check(
        items, done, logged_in, outbox, sent,
        sum(1 for i in ours if sent_ids.get(i) == 1),
        sum(1 for n in sent_ids.values() if n > 1),
        sum(1 for i in ours if i not in sent_ids),
    )


# --- the runs
@dataclass(frozen=True)
class Inbound:
    name: str
    load: Load
    waits: Waits
    bare_rate: float = float("nan")  # the bare app's, measured right before and right after

    @property
    def ratio(self) -> float:
        return self.load.rate / self.bare_rate


def run_inbound(
    name: str, url: str, env: dict[str, str], port: int, logdir: Path, args: argparse.Namespace,
    *, in_process: bool, workers: int, first: int,
) -> Inbound:
    requests = signed_requests(port, first, args.messages)
    servers = [heard_web(url, port, env, logdir, workers=in_process)]
    with running(servers):
        _wait_http(f"http://127.0.0.1:{port}/healthz", servers)
        for n in range(workers):
            servers.append(heard_worker(n, env, logdir))
        if not in_process and workers == 0:  # the web service alone: no turns to wait for
            load = drive(port, requests, args.connections)
            return Inbound(name, load, Waits(0, *[float("nan")] * 4))
        # One message first, handled before the burst: the workers are up.
        drive(port, signed_requests(port, first - 1, 1), 1)
        wait_for_turns(url, 1, timeout=120)
        time.sleep(args.settle)  # every worker process has loaded its classifier
        since = time.time()
        load = drive(port, requests, args.connections)
        waits = wait_for_turns(url, args.messages, timeout=900, since=since)
    return Inbound(name, load, waits)


def run_bare(port: int, workdir: Path, logdir: Path, args: argparse.Namespace) -> Load:
    requests = signed_requests(port, 0, args.messages)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bare.sqlite"
    servers = [_spawn("bare", _child("bare", str(port), str(path)), {}, logdir)]
    with running(servers):
        _wait_http(f"http://127.0.0.1:{port}/", servers)
        return drive(port, requests, args.connections)


@dataclass(frozen=True)
class Drain:
    workers: int
    messages: int
    seconds: float  # from the workers' first turn commit to the last
    wall_seconds: float  # from starting the worker processes to every reply sent
    check: Check

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def run_drain(
    workers: int, count: int, env: dict[str, str], url: str, port: int, twilio_port: int,
    logdir: Path, args: argparse.Namespace,
) -> Drain:
    httpx.post(f"http://127.0.0.1:{twilio_port}/_bench/reset", timeout=10)
    requests = signed_requests(port, 10**7 * workers, count)
    servers = [heard_web(url, port, env, logdir, workers=False)]
    with running(servers):
        _wait_http(f"http://127.0.0.1:{port}/healthz", servers)
        drive(port, requests, args.connections)
        started = time.monotonic()
        for n in range(workers):
            servers.append(heard_worker(n, env, logdir))
        wait_for_sends(url, count, timeout=1800)
        wall = time.monotonic() - started
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                first, last = connection.execute(
                    select(func.min(m.InboxRow.processed_at), func.max(m.InboxRow.processed_at))
                ).one()
        finally:
            engine.dispose()
    span = (_utc(last) - _utc(first)).total_seconds() if first and last else float("nan")
    return Drain(workers, count, span, wall, check(url, twilio_port))


def _prewarm(data_dir: Path) -> None:
    """Trains the classifier once into the shared cache, so no server trains it."""
    from bot.config import load_settings
    from bot.runtime import Runtime

    Runtime(load_settings({"HEARD_DATA_DIR": str(data_dir), "HEARD_SECRET_KEY": SECRET})).nlu  # noqa: B018


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="webhooks per set-up")
    parser.add_argument("--burst", type=int, default=10_000, help="drained by 4 workers")
    parser.add_argument("--scaling-burst", type=int, default=2000, help="drained by 1 and 2")
    parser.add_argument("--connections", type=int, default=16, help="requests in flight")
    parser.add_argument("--settle", type=float, default=8.0, help="seconds for workers to start")
    parser.add_argument("--port-base", type=int, default=8151, help="uses this and the next 3")
    parser.add_argument("--skip-drain", action="store_true")
    parser.add_argument("--only", default="", help="run only the set-ups whose name has this")
    parser.add_argument(
        "--worker-nice", type=int, default=0,
        help="HEARD_WORKER_NICE for `heard worker` processes (10 lowers them below the web "
        "service they share the host with)",
    )
    parser.add_argument("--serve-fake-twilio", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_fake_twilio:
        serve_fake_twilio(args.serve_fake_twilio)
        return
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return

    global WORKER_NICE
    WORKER_NICE = args.worker_nice
    bare_port, heard_port, twilio_port = args.port_base, args.port_base + 1, args.port_base + 2
    notes: list[str] = []
    inbound: list[Inbound] = []
    drains: list[Drain] = []
    with tempfile.TemporaryDirectory(prefix="heard-hotpath-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        logdir = workdir / "logs"
        logdir.mkdir()
        data_dir = workdir / "data"
        _prewarm(data_dir)
        fake = _spawn("fake-twilio", _child("fake-twilio", str(twilio_port)), {}, logdir)
        stack.enter_context(running([fake]))
        _wait_http(f"http://127.0.0.1:{twilio_port}/_bench/sent", [fake])

        bare_runs = [run_bare(bare_port, workdir / "bare-0", logdir, args)]
        print(f"bare: {bare_runs[0].rate:.0f}/s", flush=True)

        def paired(result: Inbound) -> Inbound:
            """`result` with its baseline: the bare app's run just before it and one run just
            after it (the machine's load drifts during a run, by twofold here)."""
            before = bare_runs[-1]
            bare_runs.append(run_bare(bare_port, workdir / f"bare-{len(bare_runs)}", logdir, args))
            print(f"bare: {bare_runs[-1].rate:.0f}/s", flush=True)
            return replace(result, bare_rate=(before.rate + bare_runs[-1].rate) / 2)

        setups: list[tuple[str, bool, int]] = [
            ("SQLite, `heard run --no-workers` alone (no turns run)", False, 0),
            ("SQLite, `heard run` (workers inside)", True, 0),
            ("SQLite, `heard run --no-workers` + 1 `heard worker`", False, 1),
        ]
        for i, (name, in_process, workers) in enumerate(setups):
            if args.only not in name:
                continue
            url = f"sqlite:///{workdir / f'heard-{i}.sqlite'}"
            env = heard_env(url, data_dir, twilio_port)
            result = paired(run_inbound(
                name, url, env, heard_port, logdir, args,
                in_process=in_process, workers=workers, first=(i + 1) * 10**6,
            ))
            inbound.append(result)
            print(f"{name}: {result.load.rate:.0f}/s", flush=True)

        pg_setups = [
            ("PostgreSQL, `heard run --no-workers` alone (no turns run)", 0),
            ("PostgreSQL, `heard run --no-workers` + 2 `heard worker`", 2),
        ]
        wanted = any(args.only in name for name, _ in pg_setups) or not args.skip_drain
        pg = fresh_database("postgresql", Path(tempfile.gettempdir())) if wanted else None
        if pg is None:
            notes.append(f"PostgreSQL skipped: cannot reach {POSTGRES_URL}")
        else:
            try:
                env = heard_env(pg, data_dir, twilio_port)
                for j, (name, workers) in enumerate(pg_setups):
                    if args.only not in name:
                        continue
                    # A database of its own: items left by the set-up before would be drained
                    # by these workers first and show as a stall.
                    own = fresh_database("postgresql", Path(tempfile.gettempdir()))
                    assert own is not None
                    try:
                        result = run_inbound(
                            name, own, heard_env(own, data_dir, twilio_port), heard_port,
                            logdir, args, in_process=False, workers=workers,
                            first=(8 + j) * 10**6,
                        )
                    finally:
                        drop_database(own)
                    result = paired(result)
                    inbound.append(result)
                    print(f"{name}: {result.load.rate:.0f}/s", flush=True)
            finally:
                drop_database(pg)
            if not args.skip_drain:
                for workers, count in ((1, args.scaling_burst), (2, args.scaling_burst),
                                       (4, args.burst)):
                    drain_url = fresh_database("postgresql", Path(tempfile.gettempdir()))
                    assert drain_url is not None
                    try:
                        env = heard_env(drain_url, data_dir, twilio_port)
                        drain = run_drain(
                            workers, count, env, drain_url, heard_port, twilio_port, logdir, args
                        )
                        drains.append(drain)
                        print(f"drain x{workers}: {drain.rate:.0f}/s ok={drain.check.ok}",
                              flush=True)
                    finally:
                        drop_database(drain_url)

    bare = Load(
        sum(b.requests for b in bare_runs), sum(b.seconds for b in bare_runs),
        [x for b in bare_runs for x in b.latencies], sum(b.failures for b in bare_runs),
    )
    lines = [
        "## Hot path (python -m bench.hotpath)",
        "",
        f"{args.messages:,} signed Twilio webhooks per set-up, {args.connections} in flight, "
        "each a new person's hello (a first turn with two replies), from a small asyncio "
        "client with keep-alive connections; every server in its own process. Bare: a "
        "Starlette app doing one SQLite INSERT per request, under the same load in the same "
        f"run, measured right before and right after each set-up; each set-up's ratio is to "
        f"the mean of those two (the bare runs ranged from "
        f"{min(b.rate for b in bare_runs):,.0f} to {max(b.rate for b in bare_runs):,.0f} "
        f"requests/s; over all of them {bare.rate:,.0f} requests/s, "
        f"p50 {bare.percentile(0.5):.1f} ms, p99 {bare.percentile(0.99):.1f} ms). The "
        "Heard set-ups' first message is handled before the burst (the workers are up).",
        "",
        "| set-up | accepted/s | bare/s | / bare | p50 ms | p99 ms | failed | turns done "
        "| turn wait p50 s | turn wait max s | longest stall s | burst drained in s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in inbound:
        lines.append(
            f"| {r.name} | {r.load.rate:,.0f} | {r.bare_rate:,.0f} | {r.ratio:.2f} "
            f"| {r.load.percentile(0.5):.1f} | {r.load.percentile(0.99):.1f} "
            f"| {r.load.failures} | {r.waits.done:,} | {r.waits.p50_s:.1f} "
            f"| {r.waits.max_s:.1f} | {r.waits.longest_stall_s:.2f} | {r.waits.drained_s:.1f} |"
        )
    if drains:
        lines += [
            "",
            "Drain (PostgreSQL): the burst is posted with only `heard run --no-workers` up; then "
            "the worker processes start together. Rate: messages over the time from the first "
            "turn's commit to the last; wall: from starting the workers to every reply sent.",
            "",
            "| workers | messages | turns/s | x one worker | wall s | all done, logged once "
            "| replies | sent once | sent twice+ | never sent |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        one = drains[0].rate
        for d in drains:
            c = d.check
            lines.append(
                f"| {d.workers} | {d.messages:,} | {d.rate:,.0f} | {d.rate / one:.2f} "
                f"| {d.wall_seconds:.1f} | {'yes' if c.items == c.done == c.logged_in else 'NO'} "
                f"| {c.outbox:,} | {c.asked_once:,} | {c.asked_twice_or_more} "
                f"| {c.never_asked} |"
            )
    lines += [""] + [f"Note: {n}." for n in notes]
    lines.append(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs "
        f"(one-minute load average at the end: {os.getloadavg()[0]:.1f})."
    )
    report = "\n".join(lines).rstrip() + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
