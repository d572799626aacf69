"""Providers' delivery statuses (Twilio's status callbacks) recorded on their outbox rows: the
`StatusRecorder` the app gives the webhook routes."""

from __future__ import annotations

import asyncio

from bot.channels.base import DeliveryStatus
from storage.unit_of_work import Store


class StatusBook:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record_status(self, status: DeliveryStatus) -> None:
        await asyncio.to_thread(self._record, status)

    def _record(self, status: DeliveryStatus) -> None:
        with self._store.unit_of_work() as uow:
            uow.outbox.status_update(
                status.provider_message_id,
                status.status,
                status.error_code,
                message_id=status.message_id,
            )
            uow.commit()
