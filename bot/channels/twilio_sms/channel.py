"""SMS through Twilio as the outbox drives it (`bot.channels.base.ChannelAdapter`)."""

from __future__ import annotations

from bot.catalogue import Catalogue
from bot.channels.base import (
    BucketSpec,
    Capabilities,
    ChannelLimits,
    Known,
    Rendered,
    SendOutcome,
    in_flight_for,
)
from bot.channels.twilio_sms.render import render
from bot.channels.twilio_sms.send import OutboxTwilioSender
from bot.config import TwilioConfig
from bot.engine.events import MessageCreated
from bot.terms import SMS
from storage.records import OutboxMessage

CAPABILITIES = Capabilities(
    numbered_choices=True,
    keyboards=False,
    markup=False,
    max_chars=None,
    max_segments=2,  # a budget: longer texts cost more and arrive out of order on some phones
    cost_by_segments=True,
)


def sms_limits(
    segments_per_second: float = 1.0, seconds_between_messages: float = 2.0
) -> ChannelLimits:
    """A UK long-code number sends about 1 segment a second (a messaging service or short code
    more: configure it); a few seconds between one person's messages keeps them in order."""
    return ChannelLimits(
        overall=BucketSpec(segments_per_second, max(1.0, segments_per_second)),
        per_address=BucketSpec(1 / seconds_between_messages, 1),
    )


class TwilioSmsChannel:
    name = SMS
    capabilities = CAPABILITIES
    reconciles = True

    def __init__(self, config: TwilioConfig, public_url: str | None, timeout: float) -> None:
        """`public_url` None: no status callbacks (reconciliation relies on the list alone)."""
        self._sender = OutboxTwilioSender(
            config.account_sid,
            config.auth_token,
            public_url=public_url,
            from_number=config.from_number,
            messaging_service_sid=config.messaging_service_sid,
            api_base_url=config.api_base_url,
            timeout=timeout,
        )
        self.limits = sms_limits(config.messages_per_second)
        self.max_in_flight = in_flight_for(config.messages_per_second)

    def render(self, message: MessageCreated, catalogue: Catalogue) -> Rendered:
        return render(message, catalogue)

    async def deliver(self, message: OutboxMessage, address: str) -> SendOutcome:
        return await self._sender.send(address, message.text, message.choices, message.message_id)

    async def reconcile(self, message: OutboxMessage, address: str, known: Known) -> str | None:
        return await self._sender.find_accepted(address, message.text, message.created_at, known)

    async def aclose(self) -> None:
        await self._sender.aclose()
