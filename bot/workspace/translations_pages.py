"""The Translations page (`/translations`): the translators' PO files of the catalogue and of
each consultation made in the workspace, per language, with how many texts are reviewed and
how many are drafts.

Anyone signed in (a member: volunteer translators have member accounts) may read the counts
and download a PO file. Uploading one needs a coordinator: a file imported into a live
consultation changes what people are sent at once (a new version, opened when it passes the
editor's checks). A consultation's file (its header names it) is imported, all or nothing,
refused with each problem's line; a catalogue file is checked only, since the catalogue is
kept with the code (`heard catalogue import-po` applies it in the repository). "Reviewed"
imports with the signed-in user as the named reviewer (bot.translations.review's rule); "Mark
reviewed by me" marks a language's translated texts of a consultation reviewed as they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from bot.catalogue import CatalogueError
from bot.catalogue.model import BASE_LANGUAGE, text_fingerprint
from bot.translations import catalogue as catalogue_po
from bot.translations.importing import ImportResult
from bot.workspace import consult
from bot.workspace import consult_po as po
from bot.workspace.web import PageContext, page
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork

MAX_UPLOAD = 1_000_000  # bytes; a consultation's or the whole catalogue's PO file is far less
PO_MEDIA_TYPE = "text/x-gettext-translation; charset=utf-8"


@dataclass(frozen=True)
class Outcome:
    """What an upload did, for the page."""

    file: str
    target: str  # "the catalogue" or "consultation <id>"
    result: ImportResult
    applied: bool  # False: checked only (the catalogue), or refused

    @property
    def errors(self) -> int:
        return sum(1 for p in self.result.problems if p.severity == "error")


def consultation_counts(
    uow: UnitOfWork, record: ConsultationRecord, ctx: PageContext
) -> list[po.LanguageCounts]:
    """Per language, reviewed / draft / missing texts of a consultation's latest version."""
    _, catalogue = consult.content_of(ctx.ws)
    try:
        return po.review_counts(po.load(uow, record), catalogue)
    except po.ConsultationPoError:
        return []


def _sections(ctx: PageContext) -> tuple[list[Any], list[dict[str, Any]]]:
    _, catalogue = consult.content_of(ctx.ws)
    rows = [c for c in catalogue_po.review_counts(catalogue) if c.language != BASE_LANGUAGE]
    consultations: list[dict[str, Any]] = []
    with ctx.unit_of_work() as uow:
        for record in uow.consultations.all():
            try:
                loaded = po.load(uow, record)
            except po.ConsultationPoError:
                continue
            english = loaded.draft.title.get(BASE_LANGUAGE)
            consultations.append(
                {
                    "record": record,
                    "title": english.standard if english else record.keyword,
                    "counts": po.review_counts(loaded, catalogue),
                }
            )
    return rows, consultations


def _render(
    ctx: PageContext, outcome: Outcome | None = None, status: int = 200, notice: str = ""
) -> Response:
    rows, consultations = _sections(ctx)
    return ctx.render(
        "translations.html", status_code=status, title="Translations", rows=rows,
        consultations=consultations, outcome=outcome, notice=notice,
        can_upload=ctx.user.has("coordinator"),
        wanted=ctx.request.query_params.get("consultation", ""),
    )


@page("member")
def translations_page(ctx: PageContext) -> Response:
    return _render(ctx)


@page("member")
def download_page(ctx: PageContext) -> Response:
    """`/translations/po/{language}`: the catalogue's PO file in one language, or with
    `?consultation=<id>` that consultation's (its latest version)."""
    language = str(ctx.request.path_params["language"])
    wanted = ctx.request.query_params.get("consultation", "")
    flows_dir, catalogue_dir = ctx.ws.settings.flows_dir, ctx.ws.settings.catalogue_dir
    _, catalogue = consult.content_of(ctx.ws)
    try:
        if wanted:
            with ctx.unit_of_work() as uow:
                record = po.find(uow, wanted)
                if record is None:
                    raise po.ConsultationPoError("no such consultation")
                text = po.export_po(po.load(uow, record), catalogue, language, ctx.now())
            name = f"heard-{record.consultation_id}-{language}.po"
        else:
            text = catalogue_po.export_po(catalogue_dir, flows_dir, language, ctx.now())
            name = f"heard-catalogue-{language}.po"
    except (po.ConsultationPoError, CatalogueError):
        return ctx.render("not_found.html", status_code=404, title="Not found")
    return Response(
        text.encode("utf-8"),
        media_type=PO_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "no-store"},
    )


def _refusal(name: str, reason: str) -> Outcome:
    return Outcome(name, "", ImportResult().refuse(reason), False)


@page("coordinator")
def upload_page(ctx: PageContext) -> Response:
    """Imports (a consultation's) or checks (the catalogue's) one uploaded PO file."""
    upload = ctx.form.get("file") if ctx.form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _render(ctx, _refusal("", "choose a PO file to upload"), 422)
    name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _render(ctx, _refusal(name, "the file is larger than 1 MB"), 422)
    reviewer = ctx.user.email if ctx.field("reviewed") == "yes" else None
    flows, catalogue = consult.content_of(ctx.ws)
    cid = po.consultation_of(data)
    expected = ctx.field("consultation")
    if expected and cid != expected:
        found = f"consultation {cid}" if cid else "the catalogue"
        return _render(ctx, _refusal(name, f"this file is for {found}, not {expected}"), 422)
    if cid is None:
        settings = ctx.ws.settings
        result = catalogue_po.import_po(
            settings.catalogue_dir, settings.flows_dir, data, reviewed_by=reviewer, write=False
        )
        outcome = Outcome(name, "the catalogue", result, False)
        return _render(ctx, outcome, 422 if result.refused else 200)
    # The unit of work ends before the page is rendered (it opens its own).
    with ctx.unit_of_work() as uow:
        record = po.find(uow, cid)
        if record is None:
            result = ImportResult().refuse(f"no consultation {cid!r}")
        else:
            try:
                result = po.import_po(
                    uow, record, flows, catalogue, data, by=ctx.user.email, at=ctx.now(),
                    reviewed_by=reviewer,
                )
            except (po.ConsultationPoError, consult.ConsultError) as exc:
                result = ImportResult().refuse(str(exc))
            if not result.refused:
                uow.commit()
    outcome = Outcome(name, f"consultation {cid}", result, result.written)
    return _render(ctx, outcome, 422 if result.refused else 200)


@page("coordinator")
def review_page(ctx: PageContext) -> Response:
    """Marks every translated text of one language of a consultation reviewed by the signed-in
    user, texts unchanged (the edit `heard catalogue review` makes in the catalogue): the
    reviewer has read them on the page or in the simulator. Texts with an empty register stay
    drafts. Stored as an edit (a new version once one has been open)."""
    cid, language = ctx.field("consultation"), ctx.field("language")
    flows, catalogue = consult.content_of(ctx.ws)
    marked: list[str] = []
    problem = ""
    with ctx.unit_of_work() as uow:
        record = po.find(uow, cid) if cid else None
        if record is None or language == BASE_LANGUAGE or language not in catalogue.codes:
            problem = "no such consultation or language"
        else:
            loaded = po.load(uow, record)
            reviews = {lang: dict(by_key) for lang, by_key in loaded.reviews.items()}
            mine = reviews.setdefault(language, {})
            for text in loaded.texts:
                wording = text.wordings.get(language)
                if not wording or not (wording["standard"].strip() and wording["easy"].strip()):
                    continue
                if not po.is_reviewed(loaded.reviews, language, text):
                    mine[text.key] = {
                        "by": ctx.user.email,
                        "text": text_fingerprint(wording["standard"], wording["easy"]),
                    }
                    marked.append(text.key)
            if marked:
                consult.update(uow, record.consultation_id, loaded.draft, ctx.user.email,
                               ctx.now(), flows, catalogue, reviews=reviews)
                uow.commit()
    if problem:
        return _render(ctx, _refusal("", problem), 422)
    done = f"{len(marked)} text(s) of {cid} ({language}) marked reviewed by {ctx.user.email}."
    return _render(ctx, notice=done)
