"""\"You said, we did\" in the JSON API: write an update (texts per language and register),
send it, read it back with its checks and delivery counts. Coordinators only."""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from bot.catalogue import Catalogue, load_catalogue
from bot.terms import Register
from bot.updates.compose import check, missing_texts
from bot.workspace.api import ApiUser, unit_of_work, workspace
from bot.workspace.auth import Principal
from bot.workspace.web import Workspace
from storage.records import UpdateRecord
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["updates"])
Coordinator = Annotated[Principal, Depends(ApiUser("coordinator"))]
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Ws = Annotated[Workspace, Depends(workspace)]


@functools.cache
def _catalogue(catalogue_dir: Path) -> Catalogue:
    return load_catalogue(catalogue_dir)


def catalogue_for(ws: Workspace) -> Catalogue:
    return _catalogue(ws.settings.catalogue_dir)


class UpdateTextIn(BaseModel):
    language: str = Field(min_length=2, max_length=8)
    language_register: Literal["standard", "easy"] = Field(description="standard or easy read")
    text: str = Field(max_length=1600)


class UpdateIn(BaseModel):
    theme_id: int
    title: str = Field(min_length=1, max_length=200)
    texts: list[UpdateTextIn] = Field(default_factory=list, max_length=40)


class FindingOut(BaseModel):
    severity: str
    rule: str
    message: str


class UpdateTextOut(BaseModel):
    language: str
    language_register: str
    text: str
    encoding: str = Field(description="GSM-7 or UCS-2 (as sent by SMS)")
    segments: int
    cost: float | None = Field(description="segments x HEARD_SMS_SEGMENT_PRICE")
    findings: list[FindingOut] = Field(description="the easy-read and SMS lint of heard lint")


class MissingOut(BaseModel):
    language: str
    language_register: str
    people: int = Field(description="held back until a text is written")


class DeliveryOut(BaseModel):
    language: str
    channel: str
    queued: int
    sent: int
    delivered: int
    failed: int
    opted_out: int
    held_back: int


class UpdateOut(BaseModel):
    update_id: int
    theme_id: int
    title: str
    status: str = Field(description="draft, sending or sent")
    created_at: datetime
    currency: str
    texts: list[UpdateTextOut]
    missing: list[MissingOut]
    delivery: list[DeliveryOut]


def update_out(ws: Workspace, uow: UnitOfWork, update: UpdateRecord) -> UpdateOut:
    catalogue = catalogue_for(ws)
    price = ws.settings.sms_segment_price
    texts = []
    for (language, register), text in sorted(update.texts.items()):
        checked = check(text, language, _register(register), catalogue, price)
        texts.append(
            UpdateTextOut(
                language=language, language_register=register, text=text,
                encoding=checked.encoding, segments=checked.segments, cost=checked.cost,
                findings=[FindingOut(**asdict(f)) for f in checked.findings],
            )
        )
    audience = uow.updates.audience_counts(update.theme_id)
    return UpdateOut(
        update_id=update.update_id, theme_id=update.theme_id, title=update.title,
        status=update.status, created_at=update.created_at,
        currency=ws.settings.sms_price_currency, texts=texts,
        missing=[
            MissingOut(language=m.language, language_register=m.register, people=m.people)
            for m in missing_texts(update.texts, audience)
        ],
        delivery=[DeliveryOut(**asdict(d)) for d in uow.updates.delivery(update.update_id)],
    )


def _register(value: str) -> Register:
    return "easy" if value == "easy" else "standard"


def check_language(ws: Workspace, language: str) -> None:
    if language not in catalogue_for(ws).languages:
        raise HTTPException(422, f"unknown language {language!r}")


@router.post("/updates", status_code=201)
def create_update(body: UpdateIn, user: Coordinator, uow: Uow, ws: Ws) -> UpdateOut:
    if uow.themes.get(body.theme_id) is None:
        raise HTTPException(404, "no such theme")
    for text in body.texts:
        check_language(ws, text.language)
    now = ws.now()
    try:
        update = uow.updates.create(body.theme_id, body.title, user.email, now)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    for text in body.texts:
        uow.updates.set_text(
            update.update_id, text.language, text.language_register, text.text, now
        )
    uow.commit()
    found = uow.updates.get(update.update_id)
    assert found is not None
    return update_out(ws, uow, found)


@router.get("/updates/{update_id}")
def get_update(update_id: int, user: Coordinator, uow: Uow, ws: Ws) -> UpdateOut:
    found = uow.updates.get(update_id)
    if found is None:
        raise HTTPException(404, "no such update")
    return update_out(ws, uow, found)


@router.post("/updates/{update_id}/send", status_code=202)
def send_update(update_id: int, user: Coordinator, uow: Uow, ws: Ws) -> UpdateOut:
    """Starts sending (the workers fan it out to the outbox in batches). Sending again after
    adding a translation sends it to the people held back for want of it."""
    found = uow.updates.get(update_id)
    if found is None:
        raise HTTPException(404, "no such update")
    if not found.texts:
        raise HTTPException(409, "the update has no text yet")
    uow.updates.request_send(update_id, ws.now())
    uow.commit()
    sending = uow.updates.get(update_id)
    assert sending is not None
    return update_out(ws, uow, sending)
