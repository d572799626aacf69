"""`/simulator`: text Heard as SMS or Telegram from a browser, with no provider account.

A message typed on the page becomes the same provider payload a real webhook would get (a
Twilio form, a Telegram update), is parsed by the same adapter and goes through the same
inbox -> worker -> outbox path, on the simulator's own channels (bot.channels.names). The
outbox hands replies to `SimulatorChannel` (channel.py), which keeps them in memory for the
page (hub.py), with each SMS reply's encoding and segment count and each Telegram reply's
buttons.

On by default; off (404) when `HEARD_ENV=production`. Conversations shown on the page live in
this process's memory only; what the person "said" is stored like any other conversation.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import (
    Answer,
    Inbound,
    InboundMessage,
    Malformed,
    Received,
    WebhookRequest,
)
from bot.channels.names import SIMULATED, Rendering, rendering_of
from bot.channels.simulator.hub import SimulatorHub
from bot.channels.telegram.webhook import parse_telegram_update
from bot.channels.twilio_sms.webhook import parse_twilio_inbound
from bot.clock import Clock

PAGE = Path(__file__).with_name("simulator.html")
MAX_TEXT = 5000
MAX_ADDRESS = 32
SIM_BOT_ID = 1  # provider keys of simulated Telegram updates: "1:<update id>"
BODY_CAP = 64 * 1024



def simulated_inbound(kind: Rendering, address: str, text: str, at: datetime) -> InboundMessage:
    """What the provider would have posted, through the same parser, on the simulator's
    channel."""
    if kind == "sms":
        form = {"MessageSid": "SMsim" + secrets.token_hex(14), "From": address, "Body": text}
        inbound = parse_twilio_inbound(form, at=at)
    else:
        update_id = secrets.randbelow(2**31)
        chat = {"id": 1, "type": "private", "first_name": "Simulator"}
        update = {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "from": {"id": 1, "is_bot": False, "first_name": "Simulator"},
                "chat": chat,
                "date": int(at.timestamp()),
                "text": text,
            },
        }
        parsed = parse_telegram_update(update, None, SIM_BOT_ID)
        assert parsed is not None  # a private text message always makes a turn
        inbound = dataclasses.replace(parsed, address=address, at=at)
    return dataclasses.replace(inbound, channel=SIMULATED[kind])


class Simulator:
    """The simulator's page and API (a `bot.channels.base.Webhook`); `POST /simulator/api/send`
    is its `Inbound`: no signature (it is a page for people at the deployment's own browser, off
    in production), a JSON body of the page's shape, a person's bubble shown once recorded."""

    body_cap = BODY_CAP
    prefix = "/simulator"
    path = "/simulator/api/send"
    channel = "simulator"
    verifies_body = False

    def __init__(self, hub: SimulatorHub, clock: Clock, enabled: bool) -> None:
        self._hub = hub
        self._clock = clock
        self._enabled = enabled

    def notes(self) -> list[str]:
        return []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def inbound(self) -> Sequence[Inbound]:
        return [self]

    def pages(self) -> Sequence[BaseRoute]:
        return [
            Route("/simulator", self.page, methods=["GET"]),
            Route("/simulator/api/conversation", self.conversation, methods=["GET"]),
        ]

    # The `Inbound` contract (bot.channels.base).

    def unavailable(self) -> Answer | None:
        return None if self._enabled else Answer(404, "not found")

    def verify(self, request: WebhookRequest) -> str | None:
        return None

    async def parse(self, request: WebhookRequest) -> Received:
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError) as exc:
            raise Malformed("send JSON") from exc
        problem, kind, address, text = _check(body)
        if problem:
            raise Malformed(problem)
        return simulated_inbound(kind, address, text, self._clock())

    def normalise_address(self, address: str) -> str:
        return address.strip()

    def malformed(self, reason: str) -> Answer:
        return Answer(400, json.dumps({"error": reason}), media_type="application/json")

    def accepted(self, received: Received) -> Answer:
        if isinstance(received, InboundMessage):
            # After the commit; the reply reaches the hub later, through the outbox.
            kind = rendering_of(received.channel)
            self._hub.add(kind, received.address, who="person", text=received.text)
        return Answer(202, json.dumps({"ok": True}), media_type="application/json")

    async def page(self, request: Request) -> Response:
        if not self._enabled:
            return Response("not found", status_code=404)
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    async def conversation(self, request: Request) -> Response:
        if not self._enabled:
            return Response("not found", status_code=404)
        kind = request.query_params.get("channel", "")
        address = request.query_params.get("from", "")
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            after = 0
        if kind not in SIMULATED:
            return JSONResponse({"error": "channel is sms or telegram"}, status_code=400)
        bubbles = self._hub.transcript(kind, address, after)
        return JSONResponse({"messages": [b.as_json() for b in bubbles]})


def _check(body: Any) -> tuple[str | None, Rendering, str, str]:
    if not isinstance(body, dict):
        return "send a JSON object", "sms", "", ""
    kind, address, text = body.get("channel"), body.get("from"), body.get("text")
    if kind not in ("sms", "telegram"):
        return "channel is sms or telegram", "sms", "", ""
    if not isinstance(address, str) or not 0 < len(address.strip()) <= MAX_ADDRESS:
        return f"from is 1 to {MAX_ADDRESS} characters", kind, "", ""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return f"text is at most {MAX_TEXT} characters", kind, "", ""
    return None, kind, address.strip(), text
