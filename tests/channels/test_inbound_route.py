"""The generic webhook route (bot/channels/inbound.py) drives any channel's `Inbound` the same
way: refused requests change nothing, a channel that signs only headers is refused before its
body is read, addresses are normalised before they are recorded. Over real HTTP on loopback,
with a small channel written against the contract, as a new channel folder would be."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette

from bot.channels.base import (
    Answer,
    DeliveryStatus,
    InboundMessage,
    Malformed,
    NotReady,
    Received,
    WebhookRequest,
)
from bot.channels.inbound import inbound_route
from tests.fakes.live_server import live_server


@dataclass
class HeaderSigned:
    """A channel whose secret is a header; its body is a number and a text, or "later"."""

    channel: str = "example"
    path: str = "/webhooks/example"
    verifies_body: bool = False
    bodies_seen: list[bytes] = field(default_factory=list)

    def unavailable(self) -> Answer | None:
        return None

    def verify(self, request: WebhookRequest) -> str | None:
        self.bodies_seen.append(request.body)
        return None if request.headers.get("X-Secret") == "s3cret" else "missing signature"

    async def parse(self, request: WebhookRequest) -> Received:
        text = request.body.decode()
        if text == "later":
            raise NotReady("not yet")
        if text == "status":
            return DeliveryStatus("P1", "delivered", None, "m1")
        number, _, words = text.partition(":")
        if not words:
            raise Malformed("no words")
        return InboundMessage("example", number, words, f"k-{number}", datetime.now(UTC))

    def normalise_address(self, address: str) -> str:
        return address.replace(" ", "")

    def malformed(self, reason: str) -> Answer:
        return Answer(400, "not an example message")

    def accepted(self, received: Received) -> Answer:
        return Answer(200, "ok")


class Recorded:
    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []
        self.statuses: list[DeliveryStatus] = []

    async def record(self, inbound: InboundMessage) -> bool:
        self.messages.append(inbound)
        return True

    async def record_status(self, status: DeliveryStatus) -> None:
        self.statuses.append(status)


def test_the_route_verifies_parses_normalises_and_records_in_that_order() -> None:
    channel, recorded = HeaderSigned(), Recorded()
    app = Starlette(routes=[inbound_route(channel, recorded, recorded)])
    signed = {"X-Secret": "s3cret"}
    with live_server(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        unsigned = http.post(channel.path, content=b"+44 7700 900123:hello")
        wrong = http.post(channel.path, content=b"x", headers={"X-Secret": "guess"})
        malformed = http.post(channel.path, content=b"+447700900123", headers=signed)
        later = http.post(channel.path, content=b"later", headers=signed)
        good = http.post(channel.path, content=b"+44 7700 900123:hello", headers=signed)
        status = http.post(channel.path, content=b"status", headers=signed)
    assert [r.status_code for r in (unsigned, wrong, malformed, later, good, status)] == [
        403, 403, 400, 503, 200, 200,
    ]
    assert later.headers["Retry-After"].isdigit()
    # Signed by a header only: verified before any body was read.
    assert channel.bodies_seen == [b""] * 6
    assert [(m.address, m.text) for m in recorded.messages] == [("+447700900123", "hello")]
    assert recorded.statuses == [DeliveryStatus("P1", "delivered", None, "m1")]
