"""The simulator's channels (`sim-sms`, `sim-telegram`) as the outbox drives them: each renders
exactly like the channel it imitates, and delivering puts the reply on the page (the hub)."""

from __future__ import annotations

from bot.catalogue import Catalogue
from bot.channels.base import (
    BucketSpec,
    Capabilities,
    ChannelLimits,
    Known,
    Rendered,
    SendOutcome,
    Sent,
)
from bot.channels.names import Rendering, rendering_of
from bot.channels.simulator.hub import SimulatorHub
from bot.channels.telegram import channel as telegram
from bot.channels.telegram.render import keyboard_of
from bot.channels.telegram.render import render as telegram_render
from bot.channels.twilio_sms import channel as twilio_sms
from bot.channels.twilio_sms.render import render as sms_render
from bot.engine.events import MessageCreated
from bot.render.segments import sms_encoding_and_segments
from bot.terms import SIM_SMS, SIM_TELEGRAM
from storage.records import OutboxMessage

# The simulator is for one person at a keyboard; these limits only keep a runaway page civil.
SIM_LIMITS = ChannelLimits(overall=BucketSpec(100, 100), per_address=BucketSpec(20, 20))
IMITATES: dict[Rendering, Capabilities] = {
    "sms": twilio_sms.CAPABILITIES,
    "telegram": telegram.CAPABILITIES,
}


class SimulatorChannel:
    reconciles = False
    limits = SIM_LIMITS
    max_in_flight = 16

    def __init__(self, hub: SimulatorHub, name: str) -> None:
        self._hub = hub
        self.name = name
        self._kind: Rendering = rendering_of(name)
        self.capabilities = IMITATES[self._kind]

    def render(self, message: MessageCreated, catalogue: Catalogue) -> Rendered:
        if self._kind == "sms":
            return sms_render(message, catalogue)
        return telegram_render(message, catalogue)

    async def deliver(self, message: OutboxMessage, address: str) -> SendOutcome:
        if self._kind == "sms":
            size = sms_encoding_and_segments(message.text)
            self._hub.add(
                "sms", address, who="heard", text=message.text,
                encoding=size.encoding, segments=size.segments,
            )
        else:
            rows = keyboard_of(message.choices) or ()
            self._hub.add(
                "telegram", address, who="heard", text=message.text,
                buttons=[list(row) for row in rows],
            )
        return Sent(f"sim-{message.message_id}")

    async def reconcile(self, message: OutboxMessage, address: str, known: Known) -> str | None:
        return None

    async def aclose(self) -> None:
        return None


def simulator_channels(hub: SimulatorHub) -> dict[str, SimulatorChannel]:
    return {name: SimulatorChannel(hub, name) for name in (SIM_SMS, SIM_TELEGRAM)}
