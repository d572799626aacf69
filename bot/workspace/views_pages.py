"""The views pages: the inbox (filters, counts, batch actions), one view (its answer history,
themes, notes), themes (create, counts, suggestions, a theme's views across languages) and the
export page. Members see only the views shared with their groups, tag them with their groups'
themes, and see neither notes nor exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from bot.views.suggest import suggest_by_keywords, suggest_similar
from bot.workspace.views_access import (
    FilterError,
    Scope,
    filters_from,
    query_of,
    record_id,
    scope_of,
)
from bot.workspace.views_api import EXPORT_TYPES, export_response, questions_for
from bot.workspace.web import PageContext, page
from storage.records import VIEW_STATUSES, TagState, ViewFilters
from storage.repositories.themes import ThemeExists
from storage.repositories.view_inbox import BadCursor
from storage.unit_of_work import UnitOfWork

STATUS_LABELS = {"new": "New", "read": "Read", "shared": "Shared", "acted_on": "Acted on"}
LANGUAGES = {
    "en": "English", "cy": "Welsh", "pl": "Polish", "ro": "Romanian", "ur": "Urdu",
    "ar": "Arabic", "so": "Somali", "bn": "Bengali", "pa": "Punjabi", "gu": "Gujarati",
}
RTL = frozenset({"ar", "ur", "fa", "he", "ps"})

MAX_NAME = 200  # theme and working-group names (storage.models)


def _choices(uow: UnitOfWork, ctx: PageContext, scope: Scope) -> dict[str, Any]:
    questions = questions_for(ctx.ws)
    return {
        "consultations": sorted(
            set(questions.consultations()) | set(uow.view_inbox.consultations())
        ),
        "questions": questions.questions(),
        "themes": uow.themes.all(scope.group_ids),
        "groups": uow.groups.all(),
        "statuses": STATUS_LABELS,
        "languages": LANGUAGES,
        "rtl": RTL,
        "question_text": questions.text,
    }


def _batch(ctx: PageContext, uow: UnitOfWork, scope: Scope) -> str:
    """Applies the inbox's batch action to the ticked views; returns a notice."""
    ids = [v for v in ctx.form.getlist("view_id") if isinstance(v, str)] if ctx.form else []
    ids = sorted(uow.view_inbox.existing(ids, scope.filters(ViewFilters())))
    if not ids:
        return "Tick at least one view first."
    action = ctx.field("action")
    if action == "tag":
        theme_id = ctx.field("theme_id")
        theme = uow.themes.get(tid) if (tid := record_id(theme_id)) is not None else None
        if theme is None or not scope.may_use_theme(theme):
            return "Choose a theme to tag with."
        uow.themes.tag(ids, theme.theme_id, "confirmed", "person", ctx.user.email, ctx.now())
        return f"Tagged {len(ids)} view(s) with {theme.name}."
    if scope.member:
        return "Members can tag views with their group's themes."
    if action in ("read", "acted_on", "new"):
        uow.view_inbox.set_status(ids, action)  # type: ignore[arg-type]
        return f"Marked {len(ids)} view(s) as {STATUS_LABELS[action].lower()}."
    if action == "share":
        name = ctx.field("group").strip()
        if not name:
            return "Choose or name a working group to share with."
        if len(name) > MAX_NAME:
            return f"A working group's name is at most {MAX_NAME} characters."
        group = uow.groups.ensure(name, ctx.now())
        uow.groups.share(ids, group.group_id, ctx.user.email, ctx.now())
        return f"Shared {len(ids)} view(s) with {group.name}."
    return "Choose what to do with the ticked views."


@page("member")
def views_inbox(ctx: PageContext) -> Response:
    params = dict(ctx.request.query_params)
    notice = error = ""
    with ctx.unit_of_work() as uow:
        scope = scope_of(uow, ctx.user)
        if ctx.form is not None:
            notice = _batch(ctx, uow, scope)
            uow.commit()
        try:
            filters = scope.filters(filters_from(params))
        except FilterError as exc:
            error, filters = str(exc), scope.filters(ViewFilters())
        try:
            result = uow.view_inbox.page(filters, after=params.get("after") or None, limit=50)
        except BadCursor:
            result = uow.view_inbox.page(filters, limit=50)
        counts = uow.view_inbox.counts(filters)
        choices = _choices(uow, ctx, scope)
    query = query_of(params)
    return ctx.render(
        "views.html",
        title="Views",
        entries=result.entries,
        next_cursor=result.next_cursor,
        counts=counts,
        params=params,
        query=urlencode(query),
        status_links={
            s: urlencode({**{k: v for k, v in query.items() if k != "status"}, "status": s})
            for s in VIEW_STATUSES
        },
        all_link=urlencode({k: v for k, v in query.items() if k != "status"}),
        member=scope.member,
        notice=notice,
        error=error,
        export_types=EXPORT_TYPES,
        **choices,
    )


@page("member")
def view_detail(ctx: PageContext) -> Response:
    view_id = ctx.request.path_params["view_id"]
    notice = ""
    with ctx.unit_of_work() as uow:
        scope = scope_of(uow, ctx.user)
        entry = uow.view_inbox.get(view_id, scope.filters(ViewFilters()))
        if entry is None:
            return ctx.render("not_found.html", status_code=404, title="View not found")
        if ctx.form is not None:
            action = ctx.field("action")
            theme_id = ctx.field("theme_id")
            theme = uow.themes.get(tid) if (tid := record_id(theme_id)) is not None else None
            if action in ("confirm", "reject", "tag") and theme and scope.may_use_theme(theme):
                state: TagState = "rejected" if action == "reject" else "confirmed"
                uow.themes.tag([view_id], theme.theme_id, state, "person", ctx.user.email,
                               ctx.now())
                notice = f"{theme.name}: {'rejected' if state == 'rejected' else 'tagged'}."
            elif action == "untag" and theme and scope.may_use_theme(theme):
                uow.themes.untag(view_id, theme.theme_id)
                notice = f"{theme.name} taken off."
            elif action == "note" and not scope.member and ctx.field("note").strip():
                uow.view_inbox.add_note(view_id, ctx.user.email, ctx.field("note").strip(),
                                        ctx.now())
                notice = "Note added."
            elif action == "status" and not scope.member and ctx.field("status") in (
                VIEW_STATUSES
            ):
                uow.view_inbox.set_status([view_id], ctx.field("status"))  # type: ignore[arg-type]
                notice = f"Marked as {STATUS_LABELS[ctx.field('status')].lower()}."
            uow.commit()
            entry = uow.view_inbox.get(view_id, scope.filters(ViewFilters())) or entry
        elif not scope.member and entry.status == "new":
            uow.view_inbox.mark_read([view_id])
            uow.commit()
        history = uow.view_inbox.history(view_id)
        notes = [] if scope.member else uow.view_inbox.notes(view_id)
        choices = _choices(uow, ctx, scope)
    return ctx.render(
        "view.html",
        title="A view",
        entry=entry,
        history=history,
        notes=notes,
        member=scope.member,
        notice=notice,
        **choices,
    )


@page("member")
def themes_page(ctx: PageContext) -> Response:
    notice = error = ""
    with ctx.unit_of_work() as uow:
        scope = scope_of(uow, ctx.user)
        if ctx.form is not None:
            if scope.member:
                error = "Coordinators create themes."
            elif max(len(ctx.field("name").strip()), len(ctx.field("group").strip())) > MAX_NAME:
                error = f"A theme's and a working group's names are at most {MAX_NAME} characters."
            else:
                keywords = {
                    lang: [w for w in ctx.field(f"keywords_{lang}").split(",") if w.strip()]
                    for lang in LANGUAGES
                }
                group_name = ctx.field("group").strip()
                group = uow.groups.ensure(group_name, ctx.now()) if group_name else None
                try:
                    theme = uow.themes.create(
                        ctx.field("name"), ctx.now(), ctx.field("description"), keywords,
                        group.group_id if group else None,
                    )
                    made = suggest_by_keywords(uow, theme.theme_id, ctx.now())
                    uow.commit()
                    notice = f"Theme {theme.name} created; {made} view(s) suggested by keyword."
                except (ThemeExists, ValueError) as exc:
                    uow.rollback()
                    error = (
                        "A theme of that name exists." if isinstance(exc, ThemeExists)
                        else "A theme needs a name."
                    )
        counts = uow.themes.counts(scope.group_ids)
        groups = {g.group_id: g.name for g in uow.groups.all()}
    return ctx.render(
        "themes.html", title="Themes", counts=counts, groups=groups, member=scope.member,
        notice=notice, error=error, languages=LANGUAGES,
    )


@page("member")
def theme_page(ctx: PageContext) -> Response:
    raw_id = str(ctx.request.path_params["theme_id"])
    found_id = record_id(raw_id)
    if found_id is None:
        return ctx.render("not_found.html", status_code=404, title="Theme not found")
    theme_id = found_id
    notice = ""
    with ctx.unit_of_work() as uow:
        scope = scope_of(uow, ctx.user)
        theme = uow.themes.get(theme_id)
        if theme is None or not scope.may_use_theme(theme):
            return ctx.render("not_found.html", status_code=404, title="Theme not found")
        if ctx.form is not None:
            action = ctx.field("action")
            if action == "suggest" and not scope.member:
                made = suggest_by_keywords(uow, theme_id, ctx.now())
                made += suggest_similar(uow, theme_id, ctx.now())
                notice = f"{made} new suggestion(s)."
            elif action in ("confirm", "reject"):
                view_id = ctx.field("view_id")
                if uow.view_inbox.existing([view_id], scope.filters(ViewFilters())):
                    decided: TagState = "confirmed" if action == "confirm" else "rejected"
                    uow.themes.tag([view_id], theme_id, decided, "person", ctx.user.email,
                                   ctx.now())
                    notice = "Suggestion confirmed." if decided == "confirmed" else (
                        "Suggestion rejected: it will not be suggested again."
                    )
            uow.commit()
        tagged = scope.filters(ViewFilters(theme_id=theme_id))
        entries = uow.view_inbox.page(tagged, limit=200).entries
        suggested_ids = set(uow.themes.tagged(theme_id, "suggested", limit=200))
        suggested = [
            e for e in (uow.view_inbox.get(v, scope.filters(ViewFilters())) for v in
                        sorted(suggested_ids)) if e is not None
        ]
        by_language: dict[str, list[object]] = {}
        for entry in entries:
            by_language.setdefault(entry.view.language, []).append(entry)
        choices = _choices(uow, ctx, scope)
    return ctx.render(
        "theme.html", title=theme.name, theme=theme, by_language=by_language,
        suggested=suggested, member=scope.member, notice=notice, total=len(entries), **choices,
    )


@page("coordinator")
def export_page(ctx: PageContext) -> Response:
    params = dict(ctx.request.query_params)
    error = ""
    if params.get("format") in EXPORT_TYPES:
        try:
            filters = filters_from(params)
            return export_response(
                ctx.request, params["format"], filters, params.get("questions_in") or "en"
            )
        except ValueError as exc:  # FilterError, ExportError
            error = str(exc)
    with ctx.unit_of_work() as uow:
        scope = scope_of(uow, ctx.user)
        try:
            count = uow.view_inbox.counts(filters_from(params)).total
        except ValueError:
            count = None
        choices = _choices(uow, ctx, scope)
    return ctx.render(
        "export.html", title="Export views", params=params, error=error, count=count,
        export_types=EXPORT_TYPES, status_code=422 if error else 200, **choices,
    )
