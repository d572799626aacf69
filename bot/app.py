"""The ASGI app: `/healthz`, provider webhooks, the simulator, the coordinators' workspace
(pages and the JSON API under `/api`, bot.workspace), and (in `heard run`) the workers.

Wiring only: no conversation logic lives in request handlers. Each channel contributes its
`Inbound`s and their body cap (bot.channels.base.Webhook), each served by the one generic route
(bot.channels.inbound), which records inbound messages in the inbox; the inbox and outbox
workers (bot.workers) run as tasks of the app's lifespan unless
`workers=False` (when `heard worker` processes run them instead).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot import __version__
from bot.channels.base import Webhook
from bot.channels.inbound import inbound_route
from bot.channels.simulator.channel import simulator_channels
from bot.channels.simulator.hub import SimulatorHub
from bot.channels.simulator.routes import Simulator
from bot.channels.telegram.routes import TelegramWebhook
from bot.channels.twilio_sms.routes import TwilioWebhook
from bot.clock import Clock, utcnow
from bot.config import Settings, load_settings
from bot.inbox.intake import Intake
from bot.outbox.statuses import StatusBook
from bot.runtime import Runtime
from bot.web.lazy import LazyRoutes
from bot.web.limits import BodyLimits
from bot.workers import Workers
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("heard.app")

# A sign-in form is an email and a password (the webhooks' caps come from their channels).
SIGN_IN_CAP = {"/sign-in": 16 * 1024}


class _RuntimeStore:
    """Opens the runtime's store on first use, so building the app touches no database."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def unit_of_work(self) -> UnitOfWork:
        return self._runtime.store.unit_of_work()

    def reading(self) -> UnitOfWork:
        return self._runtime.store.reading()


def create_app(
    settings: Settings | None = None,
    *,
    telegram_polling: bool = False,
    workers: bool = True,
    clock: Clock = utcnow,
    runtime: Runtime | None = None,
) -> Starlette:
    """`runtime` (built from the same settings) lets a host share loaded flows and NLU."""
    settings = settings or load_settings()
    runtime = runtime if runtime is not None else Runtime(settings)
    store = _RuntimeStore(runtime)
    hub = SimulatorHub()
    wakers: list[Callable[[], None]] = []

    def wake_workers() -> None:
        for wake in wakers:
            wake()

    intake = Intake(store, on_added=wake_workers)
    telegram = TelegramWebhook(
        settings, intake, polling=telegram_polling, catalogue=runtime.catalogue
    )
    webhooks: list[Webhook] = [
        TwilioWebhook(settings, clock),
        telegram,
        Simulator(hub, clock, enabled=not settings.production),
    ]
    statuses = StatusBook(store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for note in (*settings.notes, *(n for w in webhooks for n in w.notes())):
            log.info(note)
        # Fail at start-up, not on the first message: flows, catalogue and database are checked.
        runtime.engine  # noqa: B018
        runtime.store  # noqa: B018
        for webhook in webhooks:
            await webhook.start()
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if workers:
            running = Workers(
                runtime, extra_channels=simulator_channels(hub), web_load=intake.load
            )
            wakers.append(running.wake)
            tasks.append(asyncio.create_task(running.run(stop)))
        else:
            log.info("workers are off here: run `heard worker` to process messages")
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            wakers.clear()
            for webhook in webhooks:
                await webhook.stop()
            runtime.store.engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "env": settings.env,
                "channels": {
                    "sms": settings.twilio is not None,
                    "telegram": settings.telegram is not None,
                },
            }
        )

    def workspace_pages() -> list[BaseRoute]:
        # Built at the workspace's first request (bot.web.lazy): /healthz and the webhooks
        # never import its web stack (FastAPI, Pydantic, Jinja), so the service starts sooner.
        from bot.workspace.app import workspace_routes

        workspace, pages = workspace_routes(
            settings,
            store,
            clock,
            functools.cache(
                lambda: {
                    code: (info.english_name, info.direction)
                    for code, info in runtime.catalogue.languages.items()
                }
            ),
            lambda: (runtime.flows, runtime.catalogue),
        )
        app.state.workspace = workspace  # read by the workspace's handlers
        return pages

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            *(inbound_route(i, intake, statuses) for w in webhooks for i in w.inbound()),
            *(r for w in webhooks for r in w.pages()),
            LazyRoutes(workspace_pages),
        ],
        # Inside Starlette's error middleware, so a refused body is a 413, never a 500.
        middleware=[
            Middleware(BodyLimits, caps={w.prefix: w.body_cap for w in webhooks} | SIGN_IN_CAP)
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.simulator = hub
    app.state.telegram = telegram
    return app
