"""The views inbox, themes, working groups and exports in the JSON API (under `/api`).

Members get the same routes narrowed to the views shared with their groups and their groups'
themes; they cannot change a view's status, share, create themes or export (403).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from bot.catalogue import load_catalogue
from bot.export import ExportError, ExportRequest, check_request, text_chunks, write_export
from bot.flowspec.loader import load_flows
from bot.views.questions import QuestionTexts
from bot.workspace.api import ApiUser, unit_of_work, workspace
from bot.workspace.auth import Principal
from bot.workspace.views_access import FilterError, Scope, filters_from, scope_of
from bot.workspace.web import Workspace
from storage.records import InboxEntry, ThemeCount, ViewFilters
from storage.repositories.themes import ThemeExists
from storage.repositories.view_inbox import BadCursor
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["views"])
Member = Annotated[Principal, Depends(ApiUser("member"))]
Coordinator = Annotated[Principal, Depends(ApiUser("coordinator"))]
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
StatusName = Literal["new", "read", "shared", "acted_on"]


class ThemeTagOut(BaseModel):
    theme_id: int
    name: str
    state: str
    source: str


class ViewOut(BaseModel):
    view_id: str
    consultation: str | None
    question_id: str
    question: str = Field(description="the question in the coordinator's language")
    question_as_asked: str
    answer_value: str
    original_text: str = Field(description="the person's own words")
    language: str
    language_register: str = Field(description="standard or easy (easy read)")
    channel: str
    at: datetime
    status: str
    themes: list[ThemeTagOut]
    earlier_answers: int = Field(description="earlier answers to the same question")
    groups: list[str]


class ViewsPage(BaseModel):
    views: list[ViewOut]
    total: int
    by_status: dict[str, int]
    next_cursor: str | None


class ViewDetail(ViewOut):
    history: list[ViewOut]
    notes: list[dict[str, Any]]


class ThemeOut(BaseModel):
    theme_id: int
    name: str
    description: str
    keywords: dict[str, list[str]]
    group: str | None
    confirmed: int
    suggested: int


class ThemeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    keywords: dict[str, list[str]] = Field(
        default_factory=dict, description="keyword rules per language code"
    )
    group: str | None = Field(
        default=None, max_length=200, description="a working group's own theme"
    )


class TagIn(BaseModel):
    theme_id: int = Field(ge=1, le=2**31 - 1)  # the database's INTEGER keys
    state: Literal["confirmed", "rejected"] = "confirmed"


class StatusIn(BaseModel):
    status: StatusName


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class ShareIn(BaseModel):
    view_ids: list[str] = Field(min_length=1, max_length=1000)
    group: str = Field(min_length=1, max_length=200)


class Changed(BaseModel):
    changed: int


@functools.cache
def _questions(flows_dir: Path, catalogue_dir: Path) -> QuestionTexts:
    return QuestionTexts(load_flows(flows_dir), load_catalogue(catalogue_dir))


def questions_for(ws: Workspace) -> QuestionTexts:
    """Views' questions in a coordinator's language, loaded once per flows directory."""
    return _questions(ws.settings.flows_dir, ws.settings.catalogue_dir)


def questions_of(request: Request) -> QuestionTexts:
    return questions_for(workspace(request))


def view_out(entry: InboxEntry, questions: QuestionTexts) -> ViewOut:
    v = entry.view
    return ViewOut(
        view_id=v.view_id,
        consultation=v.consultation,
        question_id=v.question_id,
        question=questions.text(v.flow, v.question_id) or v.question_text,
        question_as_asked=v.question_text,
        answer_value=v.answer_value,
        original_text=v.original_text,
        language=v.language,
        language_register=v.register,
        channel=v.channel,
        at=v.at,
        status=entry.status,
        themes=[ThemeTagOut(**t.__dict__) for t in entry.themes],
        earlier_answers=entry.earlier,
        groups=list(entry.groups),
    )


def _filters(request: Request) -> ViewFilters:
    try:
        return filters_from(request.query_params)
    except FilterError as exc:
        raise HTTPException(422, str(exc)) from exc


def _visible(uow: UnitOfWork, scope: Scope, view_id: str) -> InboxEntry:
    entry = uow.view_inbox.get(view_id, scope.filters(ViewFilters()))
    if entry is None:
        raise HTTPException(404, "no such view")
    return entry


@router.get(
    "/views",
    summary="The views inbox",
    description=(
        "Listed views (each person's latest answer to a question), newest first. Filters: "
        "consultation, question, language, register, channel, since and until (days, until "
        "included), theme (id), status. Pages: pass `next_cursor` as `after`."
    ),
)
def list_views(
    request: Request,
    user: Member,
    uow: Uow,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    consultation: str | None = None,
    question: str | None = None,
    language: str | None = None,
    register: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
    theme: int | None = None,
    status: StatusName | None = None,
) -> ViewsPage:
    del consultation, question, language, register, channel, since, until, theme, status
    scope = scope_of(uow, user)
    filters = scope.filters(_filters(request))
    try:
        page = uow.view_inbox.page(filters, after=after, limit=limit)
    except BadCursor as exc:
        raise HTTPException(422, "after: not a cursor from this inbox") from exc
    counts = uow.view_inbox.counts(filters)
    questions = questions_of(request)
    return ViewsPage(
        views=[view_out(e, questions) for e in page.entries],
        total=counts.total,
        by_status=counts.by_status,
        next_cursor=page.next_cursor,
    )


@router.get("/views/{view_id}", summary="One view with its answer history and notes")
def get_view(request: Request, view_id: str, user: Member, uow: Uow) -> ViewDetail:
    scope = scope_of(uow, user)
    entry = _visible(uow, scope, view_id)
    questions = questions_of(request)
    history = [view_out(e, questions) for e in uow.view_inbox.history(view_id)]
    notes = [] if scope.member else [
        {"author": n.author, "text": n.text, "at": n.at.isoformat()}
        for n in uow.view_inbox.notes(view_id)
    ]
    return ViewDetail(**view_out(entry, questions).model_dump(), history=history, notes=notes)


@router.post("/views/{view_id}/status", summary="Set a view's status")
def set_status(view_id: str, body: StatusIn, user: Coordinator, uow: Uow) -> Changed:
    _visible(uow, scope_of(uow, user), view_id)
    changed = uow.view_inbox.set_status([view_id], body.status)
    uow.commit()
    return Changed(changed=changed)


@router.post(
    "/views/{view_id}/themes",
    summary="Tag a view with a theme, or confirm or reject a suggestion",
)
def tag_view(
    request: Request, view_id: str, body: TagIn, user: Member, uow: Uow
) -> Changed:
    scope = scope_of(uow, user)
    _visible(uow, scope, view_id)
    theme = uow.themes.get(body.theme_id)
    if theme is None:
        raise HTTPException(404, "no such theme")
    if not scope.may_use_theme(theme):
        raise HTTPException(403, "members tag with their own group's themes")
    changed = uow.themes.tag(
        [view_id], theme.theme_id, body.state, "person", user.email, workspace(request).now()
    )
    uow.commit()
    return Changed(changed=changed)


@router.post("/views/{view_id}/notes", summary="Add a note to a view")
def add_note(
    request: Request, view_id: str, body: NoteIn, user: Coordinator, uow: Uow
) -> Changed:
    _visible(uow, scope_of(uow, user), view_id)
    uow.view_inbox.add_note(view_id, user.email, body.text, workspace(request).now())
    uow.commit()
    return Changed(changed=1)


@router.post("/views/share", summary="Share views with a working group")
def share_views(request: Request, body: ShareIn, user: Coordinator, uow: Uow) -> Changed:
    ids = sorted(uow.view_inbox.existing(body.view_ids))
    if not ids:
        raise HTTPException(404, "none of those views")
    group = uow.groups.ensure(body.group, workspace(request).now())
    changed = uow.groups.share(ids, group.group_id, user.email, workspace(request).now())
    uow.commit()
    return Changed(changed=changed)


def theme_out(count: ThemeCount, groups: dict[int, str]) -> ThemeOut:
    t = count.theme
    return ThemeOut(
        theme_id=t.theme_id,
        name=t.name,
        description=t.description,
        keywords={k: list(v) for k, v in t.keywords.items()},
        group=groups.get(t.group_id) if t.group_id is not None else None,
        confirmed=count.confirmed,
        suggested=count.suggested,
    )


@router.get("/themes", summary="Themes with how many views carry each")
def list_themes(user: Member, uow: Uow) -> list[ThemeOut]:
    scope = scope_of(uow, user)
    groups = {g.group_id: g.name for g in uow.groups.all()}
    return [theme_out(c, groups) for c in uow.themes.counts(scope.group_ids)]


@router.post("/themes", summary="Create a theme", status_code=201)
def create_theme(request: Request, body: ThemeIn, user: Coordinator, uow: Uow) -> ThemeOut:
    now = workspace(request).now()
    group_id = uow.groups.ensure(body.group, now).group_id if body.group else None
    try:
        theme = uow.themes.create(body.name, now, body.description, body.keywords, group_id)
    except ThemeExists as exc:
        raise HTTPException(409, "a theme of that name exists") from exc
    uow.commit()
    names = {group_id: body.group} if group_id is not None and body.group else {}
    return theme_out(ThemeCount(theme, 0, 0), names)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(
    request: Request, fmt: str, filters: ViewFilters, language: str = "en"
) -> StreamingResponse:
    """The download of an export: CSV and JSON Lines streamed as the rows are read (the unit of
    work stays open while the response streams), XLSX written to a temporary file first (a
    workbook is a zip) and deleted once sent. Raises ExportError before anything is sent."""
    ws = workspace(request)
    questions = questions_for(ws)
    export_request = ExportRequest(filters, fmt, language)
    stamp = ws.now().strftime("%Y%m%d-%H%M")
    name = f"heard-views-{stamp}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    }
    with ws.unit_of_work() as uow:
        check_request(uow, questions, export_request)
    if fmt == "xlsx":
        # An unnamed temporary file: gone when closed (after the last chunk), or when the
        # process ends, whatever happens to the response.
        book = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the last chunk)
        try:
            with ws.unit_of_work() as uow:
                write_export(uow.view_inbox.stream(filters), questions, export_request, book)
            book.seek(0)
        except BaseException:
            book.close()
            raise

        def sent() -> Iterator[bytes]:
            with book:
                while chunk := book.read(256 * 1024):
                    yield chunk

        return StreamingResponse(sent(), media_type=EXPORT_TYPES[fmt], headers=headers)

    def chunks() -> Iterator[str]:
        with ws.unit_of_work() as uow:
            yield from text_chunks(uow.view_inbox.stream(filters), questions, export_request)

    return StreamingResponse(chunks(), media_type=EXPORT_TYPES[fmt], headers=headers)


@router.get(
    "/export",
    summary="Download views (CSV, XLSX or JSON Lines) with the inbox's filters",
    response_model=None,
)
def download_export(
    request: Request,
    user: Coordinator,
    format: Literal["csv", "xlsx", "jsonl"] = "csv",
    questions_in: str = "en",
) -> StreamingResponse:
    filters = _filters(request)
    try:
        return export_response(request, format, filters, questions_in)
    except ExportError as exc:
        raise HTTPException(422, str(exc)) from exc
