"""The consultation pages (coordinators): `/consultations` (the list and a new one),
`/consultations/{cid}` (its links, problems, edit, close) and `/consultations/{cid}/open`.
The editor has a field per text, language and register (bot.workspace.consult_form); "Add a
question" and "Add a choice" show the form again with a blank slot and store nothing. What
the pages do is in bot.workspace.consult, shared with the API."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot.workspace import consult, consult_form, translations_pages
from bot.workspace.consult import ConsultationIn, ConsultError, Issue
from bot.workspace.web import PageContext, page
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork


def _posted(ctx: PageContext) -> dict[str, str]:
    if ctx.form is None:
        return {}
    return {k: v for k, v in ctx.form.multi_items() if isinstance(v, str)}


def _title(draft: ConsultationIn | None) -> str:
    if draft is None:
        return ""
    english = draft.title.get("en")
    return english.standard if english else ""


def _editor(values: dict[str, str], codes: tuple[str, ...]) -> dict[str, Any]:
    return {"form": values, "layout": consult_form.layout(values), "codes": codes}


def _slot(ctx: PageContext, codes: tuple[str, ...]) -> dict[str, str] | None:
    """For "Add a question" / "Add a choice": the form again with a blank slot, else None."""
    action = ctx.field("action")
    if not action.startswith("add_"):
        return None
    posted = consult_form.body(_posted(ctx), codes)
    return consult_form.fields(consult_form.with_slot(posted, action))


@page("coordinator")
def list_page(ctx: PageContext) -> Response:
    flows, catalogue = consult.content_of(ctx.ws)
    codes = catalogue.codes
    issues: list[Issue] = []
    values: dict[str, str] | None = None
    if ctx.form is not None:
        values = _slot(ctx, codes)
        if values is None:
            values = _posted(ctx)
            draft, issues = consult_form.draft(values, codes)
            if draft is not None:
                with ctx.unit_of_work() as uow:
                    try:
                        record = consult.create(
                            uow, draft, ctx.user.user.email, ctx.now(), flows, catalogue
                        )
                        uow.commit()
                        return ctx.redirect(f"/consultations/{record.consultation_id}")
                    except ConsultError as exc:
                        issues = exc.issues or [
                            Issue("error", "Consultation", None, None, "STORE", str(exc))
                        ]
    with ctx.unit_of_work() as uow:
        rows = [_row(ctx, uow, r) for r in uow.consultations.all()]
    if values is None:
        values = consult_form.fields(consult.example(catalogue).model_dump())
        values["keyword"] = ""
    return ctx.render(
        "consultations.html", status_code=422 if issues else 200, title="Consultations",
        rows=rows, issues=issues, **_editor(values, codes),
    )


def _row(ctx: PageContext, uow: UnitOfWork, record: ConsultationRecord) -> dict[str, Any]:
    flows, catalogue = consult.content_of(ctx.ws)
    s = consult.summary(uow, record, ctx.ws.settings, flows, catalogue, ctx.now())
    return {"s": s, "title": _title(s.draft), "errors": len(consult.errors(s.issues))}


def _detail(
    ctx: PageContext, cid: str, issues: list[Issue] | None = None,
    values: dict[str, str] | None = None, notice: str = "", status: int = 200,
) -> Response:
    flows, catalogue = consult.content_of(ctx.ws)
    with ctx.unit_of_work() as uow:
        record = uow.consultations.get(cid)
        if record is None:
            return ctx.render("not_found.html", status_code=404, title="Not found")
        s = consult.summary(uow, record, ctx.ws.settings, flows, catalogue, ctx.now())
        translations = translations_pages.consultation_counts(uow, record, ctx)
    if values is None:
        values = consult_form.fields(s.draft.model_dump()) if s.draft else {}
    return ctx.render(
        "consultation.html", status_code=status, title=_title(s.draft) or record.keyword,
        s=s, record=record, refused=issues or [], notice=notice,
        can_open=not consult.errors(s.issues), translations=translations,
        **_editor(values, catalogue.codes),
    )


@page("coordinator")
def edit_page(ctx: PageContext) -> Response:
    cid = str(ctx.request.path_params["cid"])
    if ctx.form is None:
        return _detail(ctx, cid, notice=ctx.request.query_params.get("notice", ""))
    # Each unit of work ends before a page is rendered: the page opens its own (on SQLite a
    # second one inside the first would wait for ever on the write lock).
    if ctx.field("action") == "close":
        with ctx.unit_of_work() as uow:
            try:
                consult.close_now(uow, cid, ctx.now())
                uow.commit()
                failed = None
            except ConsultError as exc:
                failed = exc
        if failed is not None:
            return _detail(ctx, cid, status=failed.status)
        return ctx.redirect(f"/consultations/{cid}?notice=closed")
    flows, catalogue = consult.content_of(ctx.ws)
    slot = _slot(ctx, catalogue.codes)
    if slot is not None:
        return _detail(ctx, cid, values=slot)
    values = _posted(ctx)
    draft, issues = consult_form.draft(values, catalogue.codes)
    if draft is None:
        return _detail(ctx, cid, issues, values, status=422)
    with ctx.unit_of_work() as uow:
        try:
            consult.update(uow, cid, draft, ctx.user.user.email, ctx.now(), flows, catalogue)
            uow.commit()
            failed = None
        except ConsultError as exc:
            failed = exc
    if failed is not None:
        return _detail(ctx, cid, failed.issues, values, status=failed.status)
    return ctx.redirect(f"/consultations/{cid}?notice=saved")


@page("coordinator")
def open_page(ctx: PageContext) -> Response:
    cid = str(ctx.request.path_params["cid"])
    flows, catalogue = consult.content_of(ctx.ws)
    with ctx.unit_of_work() as uow:
        try:
            consult.open_latest(uow, cid, ctx.now(), flows, catalogue)
            uow.commit()
            failed = None
        except ConsultError as exc:
            failed = exc
    if failed is not None:
        return _detail(ctx, cid, failed.issues, status=failed.status)
    return ctx.redirect(f"/consultations/{cid}?notice=opened")
