"""The reach pages: `/reach` (reach by dimension against the baseline, charts, the baseline
upload, re-invitations), `/reach.csv` (the same published numbers), `/reach/reinvite` (the
confirmation step: how many people will get it) and `/reach/reinvite/confirm`. Coordinators
only."""

from __future__ import annotations

import csv
import io

from starlette.datastructures import UploadFile
from starlette.responses import Response

from bot.views.reach import DIMENSIONS, MAX_BASELINE_BYTES, STATUS_TEXT, report_rows, shown_people
from bot.workspace import reach
from bot.workspace.web import PageContext, page

SAMPLE = "docs/baselines/cardiff-census-2011.csv"


def _render(ctx: PageContext, status_code: int = 200, **extra: object) -> Response:
    with ctx.unit_of_work() as uow:
        report = reach.report_of(uow, ctx.ws)
        recent = uow.reinvitations.recent(5)
    return ctx.render(
        "reach.html",
        status_code=status_code,
        title="Who has been heard",
        report=report,
        recent=recent,
        status_text=STATUS_TEXT,
        shown_people=shown_people,
        sample=SAMPLE,
        **extra,
    )


@page("coordinator")
def reach_page(ctx: PageContext) -> Response:
    notice = ""
    params = ctx.request.query_params
    if params.get("uploaded"):
        notice = "The baseline was replaced."
    return _render(ctx, notice=notice, reinvited=params.get("reinvited", ""))


@page("coordinator")
def reach_baseline(ctx: PageContext) -> Response:
    upload = ctx.form.get("baseline") if ctx.form is not None else None
    if isinstance(upload, UploadFile):
        try:
            data = upload.file.read(MAX_BASELINE_BYTES + 1)
        finally:
            upload.file.close()  # the spooled temporary file, now rather than at collection
    else:
        data = ctx.field("csv").encode("utf-8")
    if not data.strip():
        return _render(ctx, 422, errors=["Choose a CSV file to upload."])
    with ctx.unit_of_work() as uow:
        checked = reach.upload_baseline(
            uow, ctx.ws, data, ctx.field("source"), ctx.user.email, ctx.now()
        )
        if not checked.ok:
            return _render(ctx, 422, errors=list(checked.errors) or ["The file has no shares."])
        uow.commit()
    return ctx.redirect("/reach?uploaded=1")


@page("coordinator")
def reach_csv(ctx: PageContext) -> Response:
    with ctx.unit_of_work() as uow:
        report = reach.report_of(uow, ctx.ws)
    out = io.StringIO()
    csv.writer(out).writerows(report_rows(report))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="reach.csv"',
            "Cache-Control": "no-store",
        },
    )


@page("coordinator")
def reinvite_page(ctx: PageContext) -> Response:
    dimension = ctx.field("dimension")
    if dimension not in DIMENSIONS:
        return _render(ctx, 422, errors=["Choose a dimension to re-invite."])
    with ctx.unit_of_work() as uow:
        plan = reach.plan_reinvite(uow, ctx.ws, dimension)
    return ctx.render(
        "reach_confirm.html",
        title="Re-invite under-heard groups",
        plan=plan,
        dimension_label=DIMENSIONS[dimension],
        will_receive=shown_people(plan.people),
    )


@page("coordinator")
def reinvite_confirm(ctx: PageContext) -> Response:
    dimension = ctx.field("dimension")
    key = ctx.field("key")
    if dimension not in DIMENSIONS or not key or len(key) > 64:
        return _render(ctx, 422, errors=["That confirmation is not valid: start again."])
    with ctx.unit_of_work() as uow:
        done = reach.queue_reinvite(uow, ctx.ws, dimension, key, ctx.user.email, ctx.now())
        uow.commit()
    return ctx.redirect(f"/reach?reinvited={done.reinvitation_id}")
