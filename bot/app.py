"""The ASGI app: `/healthz`, provider webhooks, the simulator, the coordinators' workspace
(pages and the JSON API under `/api`, bot.workspace), and (in `heard run`) the workers.

Wiring only: no conversation logic lives in request handlers. Webhooks record inbound messages
in the inbox; the inbox and outbox workers (bot.delivery) run as tasks of the app's lifespan
unless `workers=False` (when `heard worker` processes run them instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import __version__
from bot.clock import Clock, utcnow
from bot.config import Settings, load_settings
from bot.delivery.workers import Workers
from bot.runtime import Runtime
from bot.web.intake import Intake
from bot.web.limits import BodyLimits
from bot.web.simulator import SIM_LIMITS, Simulator, SimulatorHub, simulator_channels
from bot.web.webhooks import Webhooks
from bot.workspace.app import workspace_routes
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("heard.app")

# Bytes a request body may have, by path prefix. A Twilio form is a few kilobytes at most (a
# 1,600-character body, percent-encoded); a Telegram update rarely passes 10 KB.
# A sign-in form is an email and a password.
BODY_CAPS = {"/webhooks/twilio": 64 * 1024, "/simulator/api": 64 * 1024, "/sign-in": 16 * 1024}




class _RuntimeStore:
    """Opens the runtime's store on first use, so building the app touches no database."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def unit_of_work(self) -> UnitOfWork:
        return self._runtime.store.unit_of_work()


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
    webhooks = Webhooks(settings, intake, store, clock)
    simulator = Simulator(hub, intake, clock, enabled=not settings.production)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for note in (*settings.notes, *webhooks.notes()):
            log.info(note)
        # Fail at start-up, not on the first message: flows, catalogue and database are checked.
        runtime.engine  # noqa: B018
        runtime.store  # noqa: B018
        await webhooks.start()
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if workers:
            running = Workers(
                runtime,
                extra_channels=simulator_channels(hub),
                extra_limits=dict.fromkeys(simulator_channels(hub), SIM_LIMITS),
            )
            wakers.append(running.wake)
            tasks.append(asyncio.create_task(running.run(stop)))
        else:
            log.info("workers are off here: run `heard worker` to process messages")
        poller: asyncio.Task[None] | None = None
        if telegram_polling:
            if settings.telegram is None:
                log.info("Telegram polling is off: set TELEGRAM_BOT_TOKEN")
            else:
                from bot.web.telegram_polling import poll_updates

                poller = asyncio.create_task(
                    poll_updates(settings.telegram, intake, stop, catalogue=runtime.catalogue)
                )
        try:
            yield
        finally:
            stop.set()
            if poller is not None:
                poller.cancel()  # a long poll would otherwise hold shut-down for its timeout
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            await asyncio.gather(*tasks, return_exceptions=True)
            wakers.clear()
            await webhooks.stop()
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

    workspace, workspace_pages = workspace_routes(
        settings,
        store,
        clock,
        functools.cache(
            lambda: {
                code: (info.english_name, info.direction)
                for code, info in runtime.catalogue.languages.items()
            }
        ),
    )
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            *webhooks.routes(),
            *simulator.routes(),
            *workspace_pages,
        ],
        # Inside Starlette's error middleware, so a refused body is a 413, never a 500.
        middleware=[Middleware(BodyLimits, caps=BODY_CAPS)],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.simulator = hub
    app.state.webhooks = webhooks
    app.state.workspace = workspace
    return app
