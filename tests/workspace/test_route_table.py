"""Every route of the app, walked anonymous and as each role: no route but the public ones
below answers a visitor who is not signed in, and each answers only the roles it declares.

Routes declare their role where they are defined (`page(role)` for pages, `ApiUser(role)` for
API routes), so a route added later is walked too; `EXPECTED` pins the role of the routes
known here, so a declaration cannot be weakened unnoticed. A route with no declared role
that is not in `PUBLIC` fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import create_app
from bot.config import load_settings
from bot.web.lazy import LazyRoutes
from bot.workspace.api import ApiUser
from bot.workspace.auth import RANK
from storage.records import ROLES, Role
from tests.workspace.harness import WorkspaceUnderTest

# Open to anyone, and why.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "liveness for the host; says nothing about people",
    ("POST", "/webhooks/twilio"): "Twilio's signature is the credential",
    ("POST", "/webhooks/twilio/status"): "Twilio's signature is the credential",
    ("POST", "/webhooks/telegram"): "Telegram's secret token header is the credential",
    ("GET", "/sign-in"): "the way in",
    ("POST", "/sign-in"): "the way in (CSRF-checked, throttled)",
    ("GET", "/static/{path}"): "style sheet and vendored scripts; no data",
    ("GET", "/simulator"): "development only: 404 when HEARD_ENV=production",
    ("POST", "/simulator/api/send"): "development only: 404 when HEARD_ENV=production",
    ("GET", "/simulator/api/conversation"): "development only: 404 when HEARD_ENV=production",
}

# The role each known route needs (admin > coordinator > member).
EXPECTED: dict[tuple[str, str], Role] = {
    ("GET", "/"): "member",
    ("POST", "/sign-out"): "member",
    ("GET", "/users"): "admin",
    ("POST", "/users"): "admin",
    ("GET", "/audit"): "admin",
    ("GET", "/api/me"): "member",
    ("GET", "/api/openapi.json"): "member",
    ("GET", "/api/docs"): "member",
    ("GET", "/views"): "member",
    ("POST", "/views"): "member",
    ("GET", "/views/{view_id}"): "member",
    ("POST", "/views/{view_id}"): "member",
    ("GET", "/themes"): "member",
    ("POST", "/themes"): "member",
    ("GET", "/themes/{theme_id}"): "member",
    ("POST", "/themes/{theme_id}"): "member",
    ("GET", "/export"): "coordinator",
    ("GET", "/api/views"): "member",
    ("GET", "/api/views/{view_id}"): "member",
    ("POST", "/api/views/{view_id}/status"): "coordinator",
    ("POST", "/api/views/{view_id}/themes"): "member",
    ("POST", "/api/views/{view_id}/notes"): "coordinator",
    ("POST", "/api/views/share"): "coordinator",
    ("GET", "/api/themes"): "member",
    ("POST", "/api/themes"): "coordinator",
    ("GET", "/api/export"): "coordinator",
    ("GET", "/safety"): "coordinator",
    ("POST", "/safety/{item_id}/acknowledge"): "coordinator",
    ("POST", "/safety/{item_id}/reveal"): "coordinator",
    ("GET", "/api/alerts"): "coordinator",
    ("POST", "/api/alerts/{item_id}/acknowledge"): "coordinator",
    ("POST", "/api/alerts/{item_id}/reveal"): "coordinator",
    # Who has and has not been heard.
    ("GET", "/reach"): "coordinator",
    ("GET", "/reach.csv"): "coordinator",
    ("POST", "/reach/baseline"): "coordinator",
    ("POST", "/reach/reinvite"): "coordinator",
    ("POST", "/reach/reinvite/confirm"): "coordinator",
    ("GET", "/api/reach"): "coordinator",
    ("GET", "/api/reach/baseline"): "coordinator",
    ("PUT", "/api/reach/baseline"): "coordinator",
    ("POST", "/api/reach/reinvite"): "coordinator",
    # Working groups and recruitment: a pipeline shows people's access needs.
    ("GET", "/groups"): "coordinator",
    ("POST", "/groups"): "coordinator",
    ("GET", "/groups/{group_id}"): "coordinator",
    ("POST", "/groups/{group_id}"): "coordinator",
    ("POST", "/groups/{group_id}/move"): "coordinator",
    ("POST", "/groups/{group_id}/reveal"): "coordinator",
    ("GET", "/groups/{group_id}/export.csv"): "coordinator",
    ("GET", "/api/groups"): "coordinator",
    ("POST", "/api/groups"): "coordinator",
    ("GET", "/api/groups/{group_id}"): "coordinator",
    ("PUT", "/api/groups/{group_id}"): "coordinator",
    ("GET", "/api/groups/{group_id}/pipeline"): "coordinator",
    ("POST", "/api/groups/{group_id}/pipeline/{participant_id}/move"): "coordinator",
    ("POST", "/api/groups/{group_id}/pipeline/{participant_id}/reveal"): "coordinator",
    ("GET", "/api/groups/{group_id}/export"): "coordinator",
    # Consultations made in the workspace.
    ("GET", "/consultations"): "coordinator",
    ("POST", "/consultations"): "coordinator",
    ("GET", "/consultations/{cid}"): "coordinator",
    ("POST", "/consultations/{cid}"): "coordinator",
    ("POST", "/consultations/{cid}/open"): "coordinator",
    ("GET", "/api/consultations"): "coordinator",
    ("POST", "/api/consultations"): "coordinator",
    ("GET", "/api/consultations/{cid}"): "coordinator",
    ("PUT", "/api/consultations/{cid}"): "coordinator",
    ("POST", "/api/consultations/{cid}/open"): "coordinator",
    ("POST", "/api/consultations/{cid}/close"): "coordinator",
    # "You said, we did"
    ("GET", "/updates"): "coordinator",
    ("POST", "/updates"): "coordinator",
    ("GET", "/updates/{update_id}"): "coordinator",
    ("POST", "/updates/{update_id}"): "coordinator",
    ("POST", "/updates/{update_id}/check"): "coordinator",
    ("POST", "/api/updates"): "coordinator",
    ("GET", "/api/updates/{update_id}"): "coordinator",
    ("POST", "/api/updates/{update_id}/send"): "coordinator",
    # Translators' PO files: anyone signed in reads and downloads; a coordinator uploads.
    ("GET", "/translations"): "member",
    ("GET", "/translations/po/{language}"): "member",
    ("POST", "/translations/upload"): "coordinator",
    ("POST", "/translations/review"): "coordinator",
}


@dataclass(frozen=True)
class Walked:
    method: str
    path: str
    role: Role | None  # None: declares none
    api: bool


def _api_role(dependant: Dependant) -> Role | None:
    for dep in dependant.dependencies:
        if isinstance(dep.call, ApiUser):
            return dep.call.role
        found = _api_role(dep)
        if found is not None:
            return found
    return None


def walk(
    routes: list[BaseRoute], prefix: str = "", api: bool = False, inherited: Role | None = None
) -> Iterator[Walked]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI's include_router: its routes under its prefix
            context = route.include_context  # type: ignore[attr-defined]
            role = inherited
            for dep in context.dependencies:
                if isinstance(dep.dependency, ApiUser):
                    role = dep.dependency.role
            yield from walk(included.routes, prefix + context.prefix, api, role)
        elif isinstance(route, LazyRoutes):  # the workspace, built on first use
            yield from walk(route.routes, prefix, api, inherited)
        elif isinstance(route, Mount):
            if isinstance(route.app, StaticFiles):
                yield Walked("GET", prefix + route.path + "/{path}", None, False)
            else:
                yield from walk(route.routes, prefix + route.path, api or route.path == "/api")
        elif isinstance(route, APIRoute):
            declared = (
                _api_role(route.dependant)
                or getattr(route.endpoint, "heard_role", None)
                or inherited
            )
            for method in sorted(route.methods - {"HEAD"}):
                yield Walked(method, prefix + route.path, declared, True)
        elif isinstance(route, Route):
            declared = getattr(route.endpoint, "heard_role", None)
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield Walked(method, prefix + route.path, declared, api)
        else:
            raise AssertionError(f"a route of a kind this test cannot walk: {route!r}")


def app_routes(tmp_settings_dir: str) -> list[Walked]:
    app = create_app(load_settings({"HEARD_DATA_DIR": tmp_settings_dir}), workers=False)
    return list(walk(app.routes))


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def refused_anonymous(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_every_route_declares_a_role_or_is_public(tmp_path: object) -> None:
    walked = app_routes(str(tmp_path))
    undeclared = [
        (w.method, w.path) for w in walked if w.role is None and (w.method, w.path) not in PUBLIC
    ]
    assert undeclared == [], "declare a role (page(role) / ApiUser(role)) or list it in PUBLIC"
    declared = {(w.method, w.path): w.role for w in walked}
    for key, role in EXPECTED.items():
        assert declared.get(key) == role, f"{key} should need {role}, declares {declared.get(key)}"
    for key in PUBLIC:
        assert key in declared, f"{key} is listed as public but is not a route"


def test_no_route_answers_anonymous_and_each_answers_only_its_roles(
    workspace: WorkspaceUnderTest, tmp_path: object
) -> None:
    walked = [w for w in app_routes(str(tmp_path)) if (w.method, w.path) not in PUBLIC]
    # Signing out ends the session: walk it last.
    walked.sort(key=lambda w: w.path == "/sign-out")
    anonymous = workspace.anonymous()
    web = {role: workspace.web(role) for role in ROLES}
    bearer = {role: workspace.bearer(role) for role in ROLES}
    problems: list[str] = []
    for w in walked:
        assert w.role is not None
        path = concrete(w.path)
        answer = anonymous.http.request(w.method, path)
        if not refused_anonymous(answer):
            problems.append(f"{w.method} {w.path} anonymous: {answer.status_code}")
        if w.api:  # also with a token that is not ours
            answer = httpx.request(
                w.method, workspace.url + path, headers={"Authorization": "Bearer heard_nope"}
            )
            if not refused_anonymous(answer):
                problems.append(f"{w.method} {w.path} bad token: {answer.status_code}")
        for role in ROLES:
            allowed = RANK[role] >= RANK[w.role]
            if w.api and w.path not in ("/api/docs",):
                answer = bearer[role].request(w.method, path, json={})
            elif w.method == "GET":
                answer = web[role].get(path)
            else:
                answer = web[role].post(path, {})
            status = answer.status_code
            if status >= 500:
                problems.append(f"{w.method} {w.path} as {role}: {status}")
            elif allowed and status in (401, 403):
                problems.append(f"{w.method} {w.path} as {role}: refused ({status})")
            elif not allowed and status != 403:
                problems.append(f"{w.method} {w.path} as {role}: {status}, expected 403")
    assert problems == []
