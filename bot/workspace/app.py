"""The workspace's routes, mounted into the one ASGI app by bot.app.create_app: the pages, the
static files (vendored htmx and Swagger UI, the style sheet) and the JSON API under `/api`.
Add a page's `Route` to `page_routes`, an API router to `API_ROUTERS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import APIRouter
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.catalogue import Catalogue
from bot.clock import Clock
from bot.config import Settings
from bot.flowspec.model import FlowSet
from bot.workspace import (
    consult_api,
    consult_pages,
    groups,
    groups_api,
    pages,
    reach_api,
    reach_pages,
    safety,
    safety_api,
    updates_pages,
    views_pages,
)
from bot.workspace import translations_pages as translations
from bot.workspace.api import create_api
from bot.workspace.updates_api import router as updates_router
from bot.workspace.views_api import router as views_router
from bot.workspace.web import STATIC, Workspace
from storage.unit_of_work import Store

API_ROUTERS: list[APIRouter] = [safety_api.router, views_router, groups_api.router]
# Who has and has not been heard.
API_ROUTERS.append(reach_api.router)
# Consultations made in the workspace.
API_ROUTERS.append(consult_api.router)
API_ROUTERS.append(updates_router)  # "you said, we did"


def page_routes() -> list[BaseRoute]:
    return [
        Route("/", pages.home, methods=["GET"]),
        Route("/sign-in", pages.sign_in_page, methods=["GET", "POST"]),
        Route("/sign-out", pages.sign_out, methods=["POST"]),
        Route("/users", pages.users_page, methods=["GET", "POST"]),
        Route("/audit", pages.audit_page, methods=["GET"]),
        Route("/views", views_pages.views_inbox, methods=["GET", "POST"]),
        Route("/views/{view_id}", views_pages.view_detail, methods=["GET", "POST"]),
        Route("/themes", views_pages.themes_page, methods=["GET", "POST"]),
        Route("/themes/{theme_id}", views_pages.theme_page, methods=["GET", "POST"]),
        Route("/export", views_pages.export_page, methods=["GET"]),
        Route("/safety", safety.safety_queue, methods=["GET"]),
        # "You said, we did"
        Route("/updates", updates_pages.updates_page, methods=["GET", "POST"]),
        Route("/updates/{update_id}", updates_pages.update_page, methods=["GET", "POST"]),
        Route("/updates/{update_id}/check", updates_pages.update_check, methods=["POST"]),
        Route("/safety/{item_id}/acknowledge", safety.acknowledge_page, methods=["POST"]),
        Route("/safety/{item_id}/reveal", safety.reveal_page, methods=["POST"]),
        # Who has and has not been heard.
        Route("/reach", reach_pages.reach_page, methods=["GET"]),
        Route("/reach.csv", reach_pages.reach_csv, methods=["GET"]),
        Route("/reach/baseline", reach_pages.reach_baseline, methods=["POST"]),
        Route("/reach/reinvite", reach_pages.reinvite_page, methods=["POST"]),
        Route("/reach/reinvite/confirm", reach_pages.reinvite_confirm, methods=["POST"]),
        # Working groups and recruitment (bot.workspace.groups).
        Route("/groups", groups.groups_page, methods=["GET", "POST"]),
        Route("/groups/{group_id}", groups.group_page, methods=["GET", "POST"]),
        Route("/groups/{group_id}/move", groups.move_page, methods=["POST"]),
        Route("/groups/{group_id}/reveal", groups.reveal_page, methods=["POST"]),
        Route("/groups/{group_id}/export.csv", groups.export_page, methods=["GET"]),
        # Consultations made in the workspace.
        Route("/consultations", consult_pages.list_page, methods=["GET", "POST"]),
        Route("/consultations/{cid}", consult_pages.edit_page, methods=["GET", "POST"]),
        Route("/consultations/{cid}/open", consult_pages.open_page, methods=["POST"]),
        # Translators' PO files of the catalogue and of consultations.
        Route("/translations", translations.translations_page, methods=["GET"]),
        Route("/translations/po/{language}", translations.download_page, methods=["GET"]),
        Route("/translations/upload", translations.upload_page, methods=["POST"]),
        Route("/translations/review", translations.review_page, methods=["POST"]),
    ]


def workspace_routes(
    settings: Settings,
    store: Store,
    clock: Clock,
    languages: Callable[[], Mapping[str, tuple[str, str]]] = dict,
    content: Callable[[], tuple[FlowSet, Catalogue]] | None = None,
) -> tuple[Workspace, list[BaseRoute]]:
    """`languages`: code -> (English name, direction), read lazily (the catalogue).
    `content`: the flows and catalogue of `flows/`, read lazily (consultations)."""
    ws = Workspace(settings, store, clock, languages, content)
    api = create_api(ws, API_ROUTERS)
    return ws, [
        *page_routes(),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
        Mount("/api", app=api, name="api"),
    ]
