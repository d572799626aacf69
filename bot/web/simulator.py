"""`/simulator`: text Heard as SMS or Telegram from a browser, with no provider account.

A message typed on the page becomes the same provider payload a real webhook would get (a
Twilio form, a Telegram update), is parsed by the same adapter and goes through the same
inbox -> worker -> outbox path, on the simulator's own channels (bot.delivery.channels). The
outbox hands replies to `SimulatorSender`, which keeps them in memory for the page, with each
SMS reply's encoding and segment count and each Telegram reply's buttons.

On by default; off (404) when `HEARD_ENV=production`. Conversations shown on the page live in
this process's memory only; what the person "said" is stored like any other conversation.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.channels.base import InboundMessage, SendOutcome, Sent
from bot.channels.telegram import parse_telegram_update
from bot.channels.twilio_sms import parse_twilio_inbound
from bot.clock import Clock
from bot.delivery.channels import SIMULATED, Rendering, rendering_of
from bot.delivery.outbox_worker import OutboxChannel
from bot.delivery.ratelimit import BucketSpec, ChannelLimits
from bot.delivery.rendering import telegram_keyboard
from bot.render.segments import sms_encoding_and_segments
from bot.terms import SIM_SMS, SIM_TELEGRAM
from bot.web.intake import Intake
from storage.records import OutboxMessage

PAGE = Path(__file__).with_name("simulator.html")
MAX_TEXT = 5000
MAX_ADDRESS = 32
SIM_BOT_ID = 1  # provider keys of simulated Telegram updates: "1:<update id>"
# The simulator is for one person at a keyboard; these limits only keep a runaway page civil.
SIM_LIMITS = ChannelLimits(overall=BucketSpec(100, 100), per_address=BucketSpec(20, 20))



@dataclass(frozen=True)
class Bubble:
    seq: int
    who: str  # "person" | "heard"
    text: str
    encoding: str | None = None  # SMS replies: "GSM-7" | "UCS-2"
    segments: int | None = None
    buttons: list[list[str]] = field(default_factory=list)  # Telegram replies

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SimulatorHub:
    """Transcripts by (rendering, address), shared by the routes and the sender. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._transcripts: dict[tuple[str, str], list[Bubble]] = {}

    def add(self, kind: str, address: str, **fields: Any) -> Bubble:
        with self._lock:
            self._seq += 1
            bubble = Bubble(self._seq, **fields)
            self._transcripts.setdefault((kind, address), []).append(bubble)
            return bubble

    def transcript(self, kind: str, address: str, after: int = 0) -> list[Bubble]:
        with self._lock:
            return [b for b in self._transcripts.get((kind, address), []) if b.seq > after]


class SimulatorSender:
    """Delivers a simulator channel's outbox messages into the hub."""

    def __init__(self, hub: SimulatorHub, channel: str) -> None:
        self._hub = hub
        self._channel = channel
        self._kind: Rendering = rendering_of(channel)

    async def deliver(self, message: OutboxMessage, address: str) -> SendOutcome:
        if self._kind == "sms":
            size = sms_encoding_and_segments(message.text)
            self._hub.add(
                "sms", address, who="heard", text=message.text,
                encoding=size.encoding, segments=size.segments,
            )
        else:
            rows = telegram_keyboard(message.choices) or ()
            self._hub.add(
                "telegram", address, who="heard", text=message.text,
                buttons=[list(row) for row in rows],
            )
        return Sent(f"sim-{message.message_id}")

    def outbox_channel(self) -> OutboxChannel:
        return OutboxChannel(self._channel, self.deliver, max_in_flight=16)


def simulator_channels(hub: SimulatorHub) -> dict[str, OutboxChannel]:
    return {c: SimulatorSender(hub, c).outbox_channel() for c in (SIM_SMS, SIM_TELEGRAM)}


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
    def __init__(self, hub: SimulatorHub, intake: Intake, clock: Clock, enabled: bool) -> None:
        self._hub = hub
        self._intake = intake
        self._clock = clock
        self._enabled = enabled

    def routes(self) -> list[Route]:
        return [
            Route("/simulator", self.page, methods=["GET"]),
            Route("/simulator/api/send", self.send, methods=["POST"]),
            Route("/simulator/api/conversation", self.conversation, methods=["GET"]),
        ]

    async def page(self, request: Request) -> Response:
        if not self._enabled:
            return Response("not found", status_code=404)
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    async def send(self, request: Request) -> Response:
        if not self._enabled:
            return Response("not found", status_code=404)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "send JSON"}, status_code=400)
        problem, kind, address, text = _check(body)
        if problem:
            return JSONResponse({"error": problem}, status_code=400)
        inbound = simulated_inbound(kind, address, text, self._clock())
        self._hub.add(kind, address, who="person", text=text)
        await self._intake.record(inbound)
        return JSONResponse({"ok": True}, status_code=202)

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
