"""The consultation pages (coordinators): `/consultations` (the list and a new one),
`/consultations/{cid}` (its links, problems, edit, close) and `/consultations/{cid}/open`.
What they do is in bot.workspace.consult, shared with the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from bot.workspace import consult
from bot.workspace.consult import ConsultationIn, ConsultError, Issue
from bot.workspace.web import PageContext, page
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork


def _local(at: datetime | None) -> str:
    """A time for a datetime-local field (UTC)."""
    return at.strftime("%Y-%m-%dT%H:%M") if at is not None else ""


def _draft(ctx: PageContext) -> tuple[ConsultationIn | None, list[Issue]]:
    return consult.parse_yaml_draft(
        ctx.field("keyword"), ctx.field("opens_at"), ctx.field("closes_at"), ctx.field("document")
    )


def _title(draft: ConsultationIn | None) -> str:
    if draft is None:
        return ""
    english = draft.title.get("en")
    return english.standard if english else ""


@page("coordinator")
def list_page(ctx: PageContext) -> Response:
    flows, catalogue = consult.content_of(ctx.ws)
    issues: list[Issue] = []
    form: dict[str, str] = {}
    if ctx.form is not None:
        form = {k: ctx.field(k) for k in ("keyword", "opens_at", "closes_at", "document")}
        draft, issues = _draft(ctx)
        if draft is not None:
            with ctx.unit_of_work() as uow:
                try:
                    record = consult.create(
                        uow, draft, ctx.user.user.email, ctx.now(), flows, catalogue
                    )
                except ConsultError as exc:
                    issues = exc.issues or [
                        Issue("error", "Consultation", None, None, "STORE", str(exc))
                    ]
                else:
                    uow.commit()
                    return ctx.redirect(f"/consultations/{record.consultation_id}")
    with ctx.unit_of_work() as uow:
        rows = [_row(ctx, uow, r) for r in uow.consultations.all()]
    if not form:
        form = {"keyword": "", "opens_at": "", "closes_at": "",
                "document": consult.to_yaml(consult.example(catalogue))}
    return ctx.render(
        "consultations.html", status_code=422 if issues else 200, title="Consultations",
        rows=rows, issues=issues, form=form,
    )


def _row(ctx: PageContext, uow: UnitOfWork, record: ConsultationRecord) -> dict[str, Any]:
    flows, catalogue = consult.content_of(ctx.ws)
    s = consult.summary(uow, record, ctx.ws.settings, flows, catalogue, ctx.now())
    return {"s": s, "title": _title(s.draft), "errors": len(consult.errors(s.issues))}


def _detail(
    ctx: PageContext, cid: str, issues: list[Issue] | None = None,
    form: dict[str, str] | None = None, notice: str = "", status: int = 200,
) -> Response:
    flows, catalogue = consult.content_of(ctx.ws)
    with ctx.unit_of_work() as uow:
        record = uow.consultations.get(cid)
        if record is None:
            return ctx.render("not_found.html", status_code=404, title="Not found")
        s = consult.summary(uow, record, ctx.ws.settings, flows, catalogue, ctx.now())
    if form is None:
        form = {
            "keyword": record.keyword,
            "opens_at": _local(record.opens_at),
            "closes_at": _local(record.closes_at),
            "document": consult.to_yaml(s.draft) if s.draft else "",
        }
    return ctx.render(
        "consultation.html", status_code=status, title=_title(s.draft) or record.keyword,
        s=s, record=record, refused=issues or [], form=form, notice=notice,
        can_open=not consult.errors(s.issues),
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
    form = {k: ctx.field(k) for k in ("keyword", "opens_at", "closes_at", "document")}
    draft, issues = _draft(ctx)
    if draft is None:
        return _detail(ctx, cid, issues, form, status=422)
    flows, catalogue = consult.content_of(ctx.ws)
    with ctx.unit_of_work() as uow:
        try:
            consult.update(uow, cid, draft, ctx.user.user.email, ctx.now(), flows, catalogue)
            uow.commit()
            failed = None
        except ConsultError as exc:
            failed = exc
    if failed is not None:
        return _detail(ctx, cid, failed.issues, form, status=failed.status)
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
