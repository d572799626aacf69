"""The safety queue: safeguarding alerts and requests to talk to a person, oldest first, with
what the person wrote, how long each has waited, acknowledgement with an outcome note, and
revealing the person's number or chat id with a stated reason (written to the audit log).

The pages are here; the API routes (`/api/alerts`) in bot.workspace.safety_api; both use the
functions below, so a page and the API always do the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.responses import Response

from bot.workspace.accounts import audit
from bot.workspace.notify import KIND_LABELS
from bot.workspace.web import PageContext, page
from storage.records import SafetyItem, UserRecord
from storage.unit_of_work import UnitOfWork

MIN_REASON = 10
MAX_NOTE = 2000

REQUEST_LABELS = {
    "asked": "Asked to talk to a person",
    "help": "Asked for help",
    "safeguarding": "Wants help after a safety check-in",
}
CHANNEL_LABELS = {
    "sms": "SMS",
    "telegram": "Telegram",
    "sim-sms": "SMS (simulator)",
    "sim-telegram": "Telegram (simulator)",
}


def title_of(item: SafetyItem) -> str:
    if item.type == "request":
        return REQUEST_LABELS.get(item.reason, "Asked to talk to a person")
    kind = KIND_LABELS.get(item.reason, item.reason)
    return f"Safeguarding alert: {kind}"


def level_of(item: SafetyItem) -> str:
    if item.level == "clear":
        return "Clear sign: help lines were sent"
    if item.level == "check":
        return "Possible sign: they were asked if they want help now"
    return ""


class SafetyError(ValueError):
    """A refused action, with words fit to show the coordinator; `status` for the API."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def acknowledge(
    uow: UnitOfWork, item_id: str, outcome: str, actor: UserRecord, at: datetime
) -> SafetyItem:
    outcome = outcome.strip()
    if not outcome:
        raise SafetyError("Write what was done (the outcome) before acknowledging.")
    if len(outcome) > MAX_NOTE:
        raise SafetyError(f"The outcome note may have at most {MAX_NOTE} characters.")
    found = uow.safety.item(item_id)
    if found is None:
        raise SafetyError("There is no such alert or request.", 404)
    if not uow.safety.acknowledge(item_id, actor.email, outcome, at):
        raise SafetyError(
            f"{found.acknowledged_by or 'Someone'} already acknowledged this.", 409
        )
    audit(uow, actor, "acknowledged", item_id, at)
    done = uow.safety.item(item_id)
    assert done is not None
    return done


@dataclass(frozen=True)
class Revealed:
    item: SafetyItem
    channel: str
    address: str  # the person's number or chat id: shown once, never logged


def reveal_contact(
    uow: UnitOfWork, item_id: str, reason: str, actor: UserRecord, at: datetime
) -> Revealed:
    """Decrypts the person's number or chat id for a coordinator who stated why; every reveal
    is an audit record (who, which item, when, the reason)."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise SafetyError(
            f"Say why you need their contact details (at least {MIN_REASON} characters)."
        )
    if len(reason) > MAX_NOTE:
        raise SafetyError(f"The reason may have at most {MAX_NOTE} characters.")
    found = uow.safety.item(item_id)
    if found is None:
        raise SafetyError("There is no such alert or request.", 404)
    if found.participant_id is None:
        raise SafetyError(
            "This person asked us to delete their data: their contact details are gone.", 410
        )
    address = uow.people.address_of(found.participant_id, found.channel)
    if address is None:
        raise SafetyError("No contact details are stored for this person.", 404)
    audit(uow, actor, "reveal_contact", item_id, at, reason)
    return Revealed(found, found.channel, address)


# --- pages


def _queue_page(ctx: PageContext, status_code: int = 200, **extra: object) -> Response:
    with ctx.unit_of_work() as uow:
        waiting = uow.safety.queue(waiting=True)
        done = uow.safety.queue(waiting=False, limit=20)
    return ctx.render(
        "safety.html", status_code=status_code, title="Safety queue", waiting=waiting,
        done=done, title_of=title_of, level_of=level_of, channels=CHANNEL_LABELS,
        min_reason=MIN_REASON, **extra,
    )


@page("coordinator")
def safety_queue(ctx: PageContext) -> Response:
    return _queue_page(ctx, acknowledged=bool(ctx.request.query_params.get("done")))


@page("coordinator")
def acknowledge_page(ctx: PageContext) -> Response:
    item_id = ctx.request.path_params["item_id"]
    with ctx.unit_of_work() as uow:
        try:
            acknowledge(uow, item_id, ctx.field("outcome"), ctx.user.user, ctx.now())
        except SafetyError as exc:
            return _queue_page(ctx, status_code=exc.status, error=str(exc), failed=item_id)
        uow.commit()
    return ctx.redirect(f"/safety?done={item_id}")


@page("coordinator")
def reveal_page(ctx: PageContext) -> Response:
    item_id = ctx.request.path_params["item_id"]
    with ctx.unit_of_work() as uow:
        try:
            revealed = reveal_contact(uow, item_id, ctx.field("reason"), ctx.user.user, ctx.now())
        except SafetyError as exc:
            return _queue_page(ctx, status_code=exc.status, error=str(exc), failed=item_id)
        uow.commit()
    return ctx.render(
        "contact.html", title="Contact details", revealed=revealed, title_of=title_of,
        channels=CHANNEL_LABELS,
    )
