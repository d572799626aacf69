"""The workspace's JSON API under `/api` (FastAPI, mounted in the Starlette app by
bot.workspace.app). Every route needs a user: a bearer token from `heard users token`, or a
signed-in browser session (whose unsafe requests must carry the `X-CSRF-Token` header).

An API route declares its role with `Depends(ApiUser(role))` and opens the store with
`Depends(unit_of_work)`; sync route functions run in a worker thread:

    @router.get("/alerts")
    def alerts(user: Principal = Depends(ApiUser("coordinator")),
               uow: UnitOfWork = Depends(unit_of_work)) -> list[AlertOut]: ...

Routers are included in `create_api`. The OpenAPI document (`/api/openapi.json`) and Swagger UI
(`/api/docs`, assets vendored in bot/workspace/static/vendor/swagger-ui) need a user too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from bot import __version__
from bot.workspace.auth import (
    CSRF_HEADER,
    SESSION_COOKIE,
    Principal,
    csrf_ok,
    principal_from_session,
    principal_from_token,
)
from bot.workspace.web import SAFE_METHODS, Workspace, sign_in_redirect
from storage.records import Role
from storage.unit_of_work import UnitOfWork

_bearer = HTTPBearer(auto_error=False, description="a token from `heard users token EMAIL`")


def workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """A unit of work for one request; the route commits what it changes."""
    with workspace(request).unit_of_work() as uow:
        yield uow


Made = TypeVar("Made")
Answer = TypeVar("Answer")
Refusal = TypeVar("Refusal", bound=Exception)


def commit_change(
    uow: UnitOfWork,
    change: Callable[[], Made],
    answer: Callable[[Made], Answer],
    refusal: type[Refusal],
    refused: Callable[[Refusal], HTTPException],
) -> Answer:
    """Runs one change, commits it, and answers with what it made. A change that raises
    `refusal` commits nothing and is the HTTP error `refused` makes of it."""
    try:
        made = change()
    except refusal as exc:
        raise refused(exc) from exc
    uow.commit()
    return answer(made)


def _identify(request: Request, token: str | None) -> Principal | None:
    ws = workspace(request)
    with ws.unit_of_work() as uow:
        if token is not None:
            found = principal_from_token(uow, token, ws.now())
        else:
            found = principal_from_session(uow, request.cookies.get(SESSION_COOKIE), ws.now())
        uow.commit()  # last use
        return found


class ApiUser:
    """The dependency that admits a user with `role` or above: 401 without valid credentials,
    403 with too low a role, 403 for a browser session's unsafe request without its CSRF
    header. `role` stays readable for the route-table test."""

    def __init__(self, role: Role) -> None:
        self.role: Role = role

    async def __call__(
        self,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    ) -> Principal:
        token = credentials.credentials if credentials is not None else None
        user = await run_in_threadpool(_identify, request, token)
        if user is None:
            raise HTTPException(
                401, "sign in, or send a bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        if not user.has(self.role):
            raise HTTPException(403, f"this needs the {self.role} role")
        if (
            user.via == "session"
            and request.method not in SAFE_METHODS
            and not csrf_ok(user.csrf_token, request.headers.get(CSRF_HEADER))
        ):
            raise HTTPException(403, "missing or wrong X-CSRF-Token header")
        return user


class Me(BaseModel):
    email: str
    role: Role
    groups: list[str]


core = APIRouter()


@core.get("/me", summary="Who the credentials belong to")
def me(user: Principal = Depends(ApiUser("member"))) -> Me:  # noqa: B008
    return Me(email=user.email, role=user.role, groups=list(user.user.groups))


def create_api(ws: Workspace, routers: list[APIRouter] | None = None) -> FastAPI:
    api = FastAPI(
        title="Heard workspace API",
        version=__version__,
        description=(
            "Coordinators' actions on what people told Heard. Authenticate with "
            "`Authorization: Bearer <token>` (a token from `heard users token EMAIL`)."
        ),
        openapi_url=None,  # served below, behind sign-in
        docs_url=None,
        redoc_url=None,
        servers=[{"url": "/api"}],
    )
    api.state.workspace = ws
    api.include_router(core)
    for router in routers or []:
        api.include_router(router)

    @api.get("/openapi.json", include_in_schema=False)
    def openapi(user: Principal = Depends(ApiUser("member"))) -> JSONResponse:  # noqa: B008
        return JSONResponse(api.openapi(), headers={"Cache-Control": "no-store"})

    @api.get("/docs", include_in_schema=False, response_model=None)
    async def docs(request: Request) -> Any:
        user = await run_in_threadpool(_identify, request, None)
        if user is None:
            return sign_in_redirect(request)
        page: HTMLResponse = get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Heard workspace API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )
        page.headers["Cache-Control"] = "no-store"
        return page

    docs.heard_role = "member"  # type: ignore[attr-defined]
    return api


__all__ = ["ApiUser", "RedirectResponse", "create_api", "unit_of_work", "workspace"]
