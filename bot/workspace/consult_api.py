"""`/api/consultations`: consultations made in the workspace, for programs (the same actions as
the pages, bot.workspace.consult_pages; coordinators only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.catalogue import Catalogue
from bot.flowspec.model import FlowSet
from bot.workspace import consult
from bot.workspace.api import ApiUser, commit_change, unit_of_work, workspace
from bot.workspace.auth import Principal
from bot.workspace.consult import ConsultationIn, ConsultError, Issue
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["consultations"])


class IssueOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    severity: Literal["error", "warning", "info"]
    where: str = Field(description="Title, Question <n>, Question <n>, choice <value>, Keyword")
    language: str | None
    text_register: str | None = Field(
        alias="register", serialization_alias="register", description="standard | easy"
    )
    rule: str = Field(description="the rule of `heard lint` (ER-xx, FLOW-xx) or KEYWORD, DATES")
    reason: str


class ConsultationOut(BaseModel):
    id: str = Field(description="stored with every view")
    keyword: str
    status: Literal["draft", "scheduled", "open", "closed"]
    live_version: int | None = Field(description="the version people are given; null: never")
    latest_version: int
    opens_at: datetime | None
    closes_at: datetime | None
    sms_keyword: str = Field(description="what people text to start it")
    sms_number: str | None
    telegram_link: str | None = Field(description="null until TELEGRAM_BOT_USERNAME is set")
    can_open: bool = Field(description="the latest version passes every check")
    issues: list[IssueOut] = Field(description="the latest version's problems")
    draft: ConsultationIn | None = Field(description="the latest version as written")


def _issue(issue: Issue) -> IssueOut:
    return IssueOut.model_validate(
        {
            "severity": issue.severity,
            "where": issue.where,
            "language": issue.language,
            "register": issue.register,
            "rule": issue.rule,
            "reason": issue.reason,
        }
    )


def _out(request: Request, uow: UnitOfWork, record: ConsultationRecord) -> ConsultationOut:
    ws = workspace(request)
    flows, catalogue = consult.content_of(ws)
    s = consult.summary(uow, record, ws.settings, flows, catalogue, ws.now())
    return ConsultationOut(
        id=record.consultation_id,
        keyword=record.keyword,
        status=s.status,
        live_version=record.live_version,
        latest_version=record.latest_version,
        opens_at=record.opens_at,
        closes_at=record.closes_at,
        sms_keyword=s.sms_keyword,
        sms_number=s.sms_number,
        telegram_link=s.telegram_link,
        can_open=not consult.errors(s.issues),
        issues=[_issue(i) for i in s.issues],
        draft=s.draft,
    )


def _refused(exc: ConsultError) -> HTTPException:
    detail = {
        "message": str(exc),
        "issues": [_issue(i).model_dump(by_alias=True) for i in exc.issues],
    }
    return HTTPException(exc.status, detail)


def _apply(
    request: Request,
    uow: UnitOfWork,
    change: Callable[[datetime, FlowSet, Catalogue], ConsultationRecord],
) -> ConsultationOut:
    """Runs one change with the deployment's flows and catalogue, commits it, and answers with
    the consultation as it now is; a refused change is the HTTP error it names."""
    ws = workspace(request)
    flows, catalogue = consult.content_of(ws)
    return commit_change(
        uow,
        lambda: change(ws.now(), flows, catalogue),
        lambda record: _out(request, uow, record),
        ConsultError,
        _refused,
    )


@router.get("/consultations", summary="Consultations made in the workspace, newest first")
def list_consultations(
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> list[ConsultationOut]:
    return [_out(request, uow, record) for record in uow.consultations.all()]


@router.post(
    "/consultations",
    status_code=201,
    summary="Create a consultation (version 1, not open); its problems come back with it",
    responses={
        409: {"description": "the keyword is taken"},
        422: {"description": "no usable keyword, or it closes before it opens"},
    },
)
def create_consultation(
    body: ConsultationIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ConsultationOut:
    return _apply(
        request,
        uow,
        lambda at, flows, catalogue: consult.create(
            uow, body, user.user.email, at, flows, catalogue
        ),
    )


@router.get("/consultations/{cid}", summary="One consultation, its links and problems")
def get_consultation(
    cid: str,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ConsultationOut:
    record = uow.consultations.get(cid)
    if record is None:
        raise HTTPException(404, "no such consultation")
    return _out(request, uow, record)


@router.put(
    "/consultations/{cid}",
    summary="Edit a consultation: once a version was open, the edit is a new version",
)
def edit_consultation(
    cid: str,
    body: ConsultationIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ConsultationOut:
    return _apply(
        request,
        uow,
        lambda at, flows, catalogue: consult.update(
            uow, cid, body, user.user.email, at, flows, catalogue
        ),
    )


@router.post(
    "/consultations/{cid}/open",
    summary="Open the latest version to SMS and Telegram (refused while it has an error)",
    responses={409: {"description": "it has problems: they are listed"}},
)
def open_consultation(
    cid: str,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ConsultationOut:
    return _apply(
        request,
        uow,
        lambda at, flows, catalogue: consult.open_latest(uow, cid, at, flows, catalogue),
    )


@router.post("/consultations/{cid}/close", summary="Close the consultation from now on")
def close_consultation(
    cid: str,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ConsultationOut:
    return commit_change(
        uow,
        lambda: consult.close_now(uow, cid, workspace(request).now()),
        lambda record: _out(request, uow, record),
        ConsultError,
        _refused,
    )
