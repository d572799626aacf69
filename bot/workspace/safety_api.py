"""`/api/alerts`: the safety queue for programs (the same actions as the pages, in
bot.workspace.safety). Ids are `alert-<n>` (safeguarding alerts) and `request-<n>` (requests to
talk to a person)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from bot.workspace import safety
from bot.workspace.api import ApiUser, unit_of_work, workspace
from bot.workspace.auth import Principal
from storage.records import SafetyItem
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["safety queue"])


class AlertOut(BaseModel):
    id: str = Field(description="`alert-<n>` or `request-<n>`")
    type: Literal["alert", "request"]
    reason: str = Field(description="alerts: the risk kind; requests: asked | help | safeguarding")
    level: str | None = Field(description="alerts: clear | check")
    words: str | None = Field(description="what the person wrote (alerts; gone after erasure)")
    language: str
    channel: str
    at: datetime
    waiting_seconds: int | None = Field(description="how long it has waited; null once done")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    outcome: str | None
    anonymised: bool = Field(description="the person was erased: no words, no contact")


class AcknowledgeIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=safety.MAX_NOTE, description="what was done")


class RevealIn(BaseModel):
    reason: str = Field(
        min_length=safety.MIN_REASON, max_length=safety.MAX_NOTE,
        description="why you need the person's contact details (kept in the audit log)",
    )


class ContactOut(BaseModel):
    id: str
    channel: str
    address: str = Field(description="the phone number or Telegram chat id")


def _out(item: SafetyItem, now: datetime) -> AlertOut:
    return AlertOut(
        id=item.item_id, type=item.type, reason=item.reason, level=item.level, words=item.words,
        language=item.language, channel=item.channel, at=item.at,
        waiting_seconds=int((now - item.at).total_seconds()) if item.waiting else None,
        acknowledged_at=item.acknowledged_at, acknowledged_by=item.acknowledged_by,
        outcome=item.outcome, anonymised=item.anonymised,
    )


@router.get("/alerts", summary="The safety queue, oldest first")
def list_alerts(
    request: Request,
    state: Literal["waiting", "acknowledged", "all"] = Query("waiting"),
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> list[AlertOut]:
    waiting = {"waiting": True, "acknowledged": False, "all": None}[state]
    now = workspace(request).now()
    return [_out(item, now) for item in uow.safety.queue(waiting=waiting)]


@router.post("/alerts/{item_id}/acknowledge", summary="Mark an alert or request as dealt with")
def acknowledge_alert(
    item_id: str,
    body: AcknowledgeIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> AlertOut:
    now = workspace(request).now()
    try:
        done = safety.acknowledge(uow, item_id, body.outcome, user.user, now)
    except safety.SafetyError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    uow.commit()
    return _out(done, now)


@router.post(
    "/alerts/{item_id}/reveal",
    summary="The person's number or chat id, for a stated reason (written to the audit log)",
)
def reveal(
    item_id: str,
    body: RevealIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ContactOut:
    now = workspace(request).now()
    try:
        revealed = safety.reveal_contact(uow, item_id, body.reason, user.user, now)
    except safety.SafetyError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    uow.commit()
    return ContactOut(id=item_id, channel=revealed.channel, address=revealed.address)
