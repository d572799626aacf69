"""The ASGI app: health check now; webhook routes and the simulator mount here.

Wiring only: no conversation logic lives in request handlers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import __version__
from bot.config import Settings, load_settings
from bot.runtime import Runtime

log = logging.getLogger("heard.app")


def create_app(settings: Settings | None = None, *, telegram_polling: bool = False) -> Starlette:
    settings = settings or load_settings()
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for note in settings.notes:
            log.info(note)
        # Fail at start-up, not on the first message: flows, catalogue and database are checked.
        runtime.engine  # noqa: B018
        runtime.store  # noqa: B018
        yield

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

    app = Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)
    app.state.runtime = runtime
    return app
