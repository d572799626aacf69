"""Recording an inbound message in the inbox, the one thing a webhook does after verifying.

The insert is committed before the webhook answers, so an acknowledged message is never lost;
the provider's key makes a repeated delivery a no-op (`False`). Workers do the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.channels.base import InboundMessage
from bot.inbox.payload import to_payload
from storage.unit_of_work import Store


class Intake:
    def __init__(self, store: Store, on_added: Callable[[], None] | None = None) -> None:
        """`on_added` runs in the event loop after a new item is committed (wakes a worker)."""
        self._store = store
        self._on_added = on_added

    def record_now(self, inbound: InboundMessage) -> bool:
        with self._store.unit_of_work() as uow:
            added = uow.inbox.add(
                inbound.channel,
                inbound.provider_key,
                to_payload(inbound),
                inbound.at,
                sender=inbound.address,
            )
            uow.commit()
        return added

    async def record(self, inbound: InboundMessage) -> bool:
        added = await asyncio.to_thread(self.record_now, inbound)
        if added and self._on_added is not None:
            self._on_added()
        return added
