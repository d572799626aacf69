"""Mirroring a provider's "this person cannot be messaged" into Heard's own records.

Twilio refuses a number that texted STOP to the sender (error 21610) and Telegram a chat that
blocked the bot (403). The person said so to the provider, not to Heard, yet Heard must act on
it: the participant is marked opted out, the consent record gets a withdrawal for the
`messages` purpose, and the session is set to opted out so the engine says nothing more until
the person sends START. Nothing is recorded twice for someone already opted out.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from bot.engine.session import Session, SessionFormatError
from bot.service.conversation import MESSAGES_PURPOSE
from storage.records import ConsentEntry
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("heard.outbox")

PROVIDER_OPT_OUT_TEXT_ID = "provider.opted_out"


def mirror_opt_out(
    uow: UnitOfWork,
    participant_id: str | None,
    channel: str,
    language: str | None,
    at: datetime,
) -> bool:
    """True when something was recorded (the person was not already opted out)."""
    if participant_id is None:
        return False  # a reply after erasure: nobody is left to record it against
    participant = uow.people.get(participant_id)
    if participant is None or participant.opted_out:
        return False
    uow.people.update(participant_id, opted_out=True)
    uow.consent.record(
        ConsentEntry(
            participant_id,
            MESSAGES_PURPOSE,
            False,
            PROVIDER_OPT_OUT_TEXT_ID,
            language or participant.language or "en",
            channel,
            at,
        )
    )
    raw = uow.sessions.load(participant_id)
    if raw is not None:
        try:
            session = Session.from_json(raw)
        except SessionFormatError:
            log.warning("stored session unreadable; opt-out recorded without it")
        else:
            stopped = dataclasses.replace(session, status="opted_out")
            uow.sessions.save(participant_id, stopped.to_json(), at)
    return True
