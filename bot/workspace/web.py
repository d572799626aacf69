"""What every workspace page shares: the `Workspace` (store, settings, clock, templates), the
`page(role)` decorator that signs the visitor in, checks the role and the CSRF token, and
`PageContext.render` (the base template's nav, the CSRF field, security headers).

A page is a plain function run in a worker thread, so it may use the store directly:

    @page("coordinator")
    def safety_queue(ctx: PageContext) -> Response:
        with ctx.unit_of_work() as uow:
            items = ...
        return ctx.render("safety.html", title="Safety queue", items=items)

and is listed in `bot.workspace.app` with `Route("/safety", safety_queue)`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.catalogue import Catalogue
from bot.clock import Clock
from bot.config import Settings
from bot.flowspec.model import FlowSet
from bot.workspace.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Principal,
    csrf_ok,
    principal_from_session,
)
from storage.records import Role
from storage.unit_of_work import Store, UnitOfWork

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Pages carry people's words and contact details: never cached, never framed, scripts and
# styles from this origin only.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
}


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    role: Role


# The nav, in order; each item shows only to users with its role. Add an area's page here.
NAV: list[NavItem] = [
    NavItem("/", "Home", "member"),
    NavItem("/safety", "Safety queue", "coordinator"),
    NavItem("/views", "Views", "member"),
    NavItem("/themes", "Themes", "member"),
    NavItem("/updates", "Updates", "coordinator"),
    NavItem("/export", "Export", "coordinator"),
    NavItem("/reach", "Who has been heard", "coordinator"),
    NavItem("/groups", "Working groups", "coordinator"),
    NavItem("/consultations", "Consultations", "coordinator"),
    NavItem("/translations", "Translations", "member"),
    NavItem("/users", "Users", "admin"),
    NavItem("/audit", "Audit log", "admin"),
    NavItem("/api/docs", "API", "member"),
]


@dataclass
class Workspace:
    settings: Settings
    store: Store
    clock: Clock
    # Language code -> (English name, "ltr" | "rtl"), read when first needed (the catalogue).
    languages: Callable[[], Mapping[str, tuple[str, str]]] = dict
    # The flows and catalogue of `flows/`, read when first needed: consultations made in the
    # workspace are checked against them (bot.workspace.consult).
    content: Callable[[], tuple[FlowSet, Catalogue]] | None = None
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(("html",)),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["ago"] = ago_filter(self.clock)
        self.templates.filters["when"] = when
        self.templates.filters["language_name"] = self._language_name
        self.templates.filters["direction"] = self._direction

    def _language_name(self, code: str) -> str:
        known = self.languages().get(code)
        return f"{known[0]} ({code})" if known else code

    def _direction(self, code: str) -> str:
        known = self.languages().get(code)
        return known[1] if known else "auto"

    @property
    def session_length(self) -> timedelta:
        return timedelta(hours=self.settings.workspace_session_hours)

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere but development (plain http on loopback)."""
        return self.settings.production

    def unit_of_work(self) -> UnitOfWork:
        return self.store.unit_of_work()

    def now(self) -> datetime:
        return self.clock()

    def render(
        self,
        request: Request,
        template: str,
        *,
        user: Principal | None = None,
        csrf_token: str | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        token = csrf_token or (user.csrf_token if user else None) or ""
        html = self.templates.get_template(template).render(
            user=user,
            nav=[item for item in NAV if user is not None and user.has(item.role)],
            path=request.url.path,
            csrf_token=token,
            csrf_field=lambda: Markup(
                f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'
            ),
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def workspace_of(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


@dataclass
class PageContext:
    """One request to a page: who asked, the submitted form (POST), and the workspace."""

    request: Request
    user: Principal
    ws: Workspace
    form: FormData | None = None

    def unit_of_work(self) -> UnitOfWork:
        return self.ws.unit_of_work()

    def now(self) -> datetime:
        return self.ws.now()

    def field(self, name: str, default: str = "") -> str:
        """A submitted form field as text (files and missing fields give `default`)."""
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return self.ws.render(
            self.request, template, user=self.user, status_code=status_code, **context
        )

    def redirect(self, path: str) -> RedirectResponse:
        """After a POST: see the result with a GET (303)."""
        return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


PageHandler = Callable[[PageContext], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(
        f"/sign-in?next={quote(target, safe='/')}",
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )


async def current_user(request: Request) -> Principal | None:
    ws = workspace_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None

    def find() -> Principal | None:
        with ws.unit_of_work() as uow:
            found = principal_from_session(uow, cookie, ws.now())
            uow.commit()  # last_seen_at
            return found

    return await run_in_threadpool(find)


def page(role: Role) -> Callable[[PageHandler], Endpoint]:
    """Makes a page handler an endpoint that needs a signed-in user with `role` or above.

    Signed out: a redirect to the sign-in page (which comes back here). Role too low: 403, a
    page saying so. POST (any unsafe method): the form's CSRF field, or the `X-CSRF-Token`
    header, must match the session's token, else 403. The handler then runs in a worker thread.
    The role is kept on the endpoint (`heard_role`) for the route-table test.
    """

    def decorate(handler: PageHandler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            ws = workspace_of(request)
            user = await current_user(request)
            if user is None:
                return sign_in_redirect(request)
            if not user.has(role):
                return ws.render(
                    request, "refused.html", user=user, status_code=403, needed=role,
                    title="Not for your role",
                )
            form: FormData | None = None
            try:
                if request.method not in SAFE_METHODS:
                    form = await request.form()
                    given = form.get(CSRF_FIELD)
                    if not isinstance(given, str):
                        given = request.headers.get(CSRF_HEADER)
                    if not csrf_ok(user.csrf_token, given):
                        return ws.render(
                            request, "refused.html", user=user, status_code=403, csrf=True,
                            title="Form expired",
                        )
                ctx = PageContext(request, user, ws, form)
                return await run_in_threadpool(handler, ctx)
            finally:
                if form is not None:  # uploaded files' temporary files, refused ones too
                    await form.close()

        endpoint.heard_role = role  # type: ignore[attr-defined]
        return endpoint

    return decorate


def ago_filter(clock: Clock) -> Callable[[datetime | None], str]:
    def ago(value: datetime | None) -> str:
        """How long ago, in words a coordinator reads at a glance: "3 hours 5 minutes"."""
        if value is None:
            return ""
        seconds = max(int((clock() - value).total_seconds()), 0)
        if seconds < 60:
            return "less than a minute"
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts: list[str] = []
        if days:
            parts.append(f"{days} day{'s' if days != 1 else ''}")
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if not days and (minutes or not parts):
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        return " ".join(parts[:2])

    return ago


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%-d %b %Y %H:%M UTC")


def query_flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "") in ("1", "yes", "true", "on")
