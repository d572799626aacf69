"""Heard's whole pipeline for tests: the real app served by uvicorn on loopback, the fake Twilio
and Telegram APIs as real HTTP servers, and the inbox and outbox workers driven step by step.

Loading flows, catalogue and NLU takes seconds, so one set (`Brains`) is shared by every
pipeline in a test session; each pipeline has its own database and fakes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from starlette.types import ASGIApp
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.channels.registry import provider_wiring
from bot.config import Settings, load_settings
from bot.inbox.worker import InboxWorker
from bot.outbox.ratelimit import BucketSpec, ChannelLimits, RateLimiter
from bot.outbox.retry import RetryPolicy
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime
from storage import models as m
from storage.records import InboxItem, OutboxMessage
from storage.sql import SqlStore
from tests.fakes.live_server import live_server
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi, inbound_form
from tests.support.keys import TEST_SECRET

ACCOUNT = "AC" + "e" * 32
AUTH_TOKEN = "test-auth-token-not-real"
HEARD_NUMBER = "+447700900001"
PUBLIC_URL = "https://heard.example.org"
BOT_ID = 7700900000
BOT_TOKEN = f"{BOT_ID}:TEST-bot-token-not-real"
WEBHOOK_SECRET = "heard-test-webhook-secret"
SEND_TIMEOUT = 1.0
FAST = ChannelLimits(overall=BucketSpec(1000, 1000), per_address=BucketSpec(1000, 1000))


class Brains:
    """Flows, catalogue, engine and NLU, loaded once per process (`shared_brains`)."""

    def __init__(self, tmp: Path) -> None:
        self.runtime = Runtime(load_settings({"HEARD_DATA_DIR": str(tmp)}))
        self.runtime.conversation  # noqa: B018
        self.runtime.catalogue  # noqa: B018

    def runtime_for(self, settings: Settings) -> Runtime:
        runtime = Runtime(settings)
        runtime.catalogue = self.runtime.catalogue
        if settings.deployment != self.runtime.settings.deployment:
            # What the deployment promises differs (e.g. HEARD_SENDS_UPDATES): the engine and
            # the host are built for it; the trained NLU is shared.
            runtime.flows = self.runtime.flows
            runtime.understander = self.runtime.understander
            return runtime
        runtime.engine = self.runtime.engine
        runtime.conversation = self.runtime.conversation
        return runtime


_BRAINS: list[Brains] = []


def shared_brains(tmp: Path) -> Brains:
    if not _BRAINS:
        _BRAINS.append(Brains(tmp))
    return _BRAINS[0]


def heard_env(
    data_dir: Path,
    database_url: str,
    twilio_url: str | None = None,
    telegram_url: str | None = None,
    **extra: str,
) -> dict[str, str]:
    env = {
        "HEARD_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "HEARD_SECRET_KEY": TEST_SECRET,
        "HEARD_PUBLIC_URL": PUBLIC_URL,
        "HEARD_LOG_LEVEL": "WARNING",
    }
    if twilio_url is not None:
        env |= {
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": HEARD_NUMBER,
            "TWILIO_API_BASE_URL": twilio_url,
            "TWILIO_MESSAGES_PER_SECOND": "500",
        }
    if telegram_url is not None:
        env |= {
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
        }
    return env | extra


def database_url_of(store: SqlStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@contextmanager
def serve(app: ASGIApp, lifespan: bool = True, timeout: float = 30.0) -> Iterator[str]:
    """The app on a real uvicorn server on loopback (with its lifespan), in a thread."""
    with live_server(app, timeout, lifespan=lifespan) as url:
        yield url


def twilio_signature(path: str, form: Mapping[str, str]) -> str:
    signature: str = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, dict(form))
    return signature


def wait_until(check: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Pipeline:
    """A served app (webhooks; workers off) plus workers the test drives."""

    url: str
    runtime: Runtime
    store: SqlStore
    http: httpx.Client
    twilio: FakeTwilioApi | None
    telegram: FakeTelegramApi | None
    retry: RetryPolicy

    # --- inbound
    def post_sms(
        self,
        sender: str,
        body: str,
        *,
        sign: bool = True,
        signature: str | None = None,
        **fields: Any,
    ) -> tuple[httpx.Response, dict[str, str]]:
        form = inbound_form(ACCOUNT, sender, body, to=HEARD_NUMBER, **fields)
        return self.repost_sms(form, sign=sign, signature=signature), form

    def repost_sms(
        self, form: Mapping[str, str], *, sign: bool = True, signature: str | None = None
    ) -> httpx.Response:
        headers = {}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        elif sign:
            headers["X-Twilio-Signature"] = twilio_signature("/webhooks/twilio", form)
        return self.http.post(f"{self.url}/webhooks/twilio", data=dict(form), headers=headers)

    def post_telegram(self, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> Any:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return self.http.post(f"{self.url}/webhooks/telegram", json=update, headers=headers)

    # --- workers
    def process_inbox(self) -> int:
        worker = InboxWorker(self.store, self.runtime.conversation, self.runtime.catalogue)
        total = 0
        while (claimed := worker.run_once()) > 0:
            total += claimed
        return total

    def send_outbox(self, timeout: float = 20.0, lease_seconds: float = 60.0) -> None:
        async def drain() -> None:
            wiring = provider_wiring(self.runtime.settings, timeout=SEND_TIMEOUT)
            limits = dict.fromkeys(wiring.channels, FAST)
            worker = OutboxWorker(
                self.store,
                wiring.channels,
                RateLimiter(time.monotonic, limits),
                self.retry,
                lease_seconds=lease_seconds,
                poll_seconds=0.02,
            )
            deadline = time.monotonic() + timeout
            try:
                while True:  # retries wait for their time: drain until none is left
                    await worker.drain(timeout)
                    if not any(m.status in ("pending", "sending") for m in self.outbox()):
                        return
                    if time.monotonic() > deadline:
                        raise AssertionError("the outbox still has unsent messages")
                    await asyncio.sleep(0.05)
            finally:
                await wiring.aclose()

        asyncio.run(drain())

    def run_all(self) -> None:
        """Inbox, then outbox, until both are quiet."""
        self.process_inbox()
        self.send_outbox()

    # --- what is stored
    def inbox(self) -> list[InboxItem]:
        return stored_inbox(self.store)

    def outbox(self) -> list[OutboxMessage]:
        return stored_outbox(self.store)


def stored_inbox(store: SqlStore) -> list[InboxItem]:
    with store.engine.connect() as connection:
        ids = list(connection.scalars(select(m.InboxRow.id).order_by(m.InboxRow.id)))
    with store.unit_of_work() as uow:
        return [item for i in ids if (item := uow.inbox.get(i)) is not None]


def stored_outbox(store: SqlStore) -> list[OutboxMessage]:
    with store.engine.connect() as connection:
        ids = list(connection.scalars(select(m.OutboxRow.id).order_by(m.OutboxRow.seq)))
    with store.unit_of_work() as uow:
        return [msg for i in ids if (msg := uow.outbox.get(i)) is not None]


@contextmanager
def pipeline(
    brains: Brains,
    store: SqlStore,
    data_dir: Path,
    *,
    twilio: bool = True,
    telegram: bool = True,
    env: Mapping[str, str] | None = None,
    workers: bool = False,
    retry: RetryPolicy | None = None,
) -> Iterator[Pipeline]:
    from tests.fakes.live_server import live_server

    fake_twilio = FakeTwilioApi(ACCOUNT, AUTH_TOKEN) if twilio else None
    fake_telegram = FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID) if telegram else None
    with (
        live_server(fake_twilio.app) if fake_twilio else _none() as twilio_url,
        live_server(fake_telegram.app) if fake_telegram else _none() as telegram_url,
    ):
        settings = load_settings(
            heard_env(
                data_dir, database_url_of(store), twilio_url, telegram_url, **dict(env or {})
            )
        )
        runtime = brains.runtime_for(settings)
        app = create_app(settings, workers=workers, runtime=runtime)
        with serve(app) as url, httpx.Client(timeout=30) as http:
            yield Pipeline(
                url,
                runtime,
                store,
                http,
                fake_twilio,
                fake_telegram,
                retry or RetryPolicy(max_attempts=4, base=0.05, cap=0.2, seed=1),
            )


@contextmanager
def _none() -> Iterator[None]:
    yield None


def now() -> datetime:
    return datetime.now(UTC)
