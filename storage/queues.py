"""Rules the inbox and outbox follow in every store: lease arithmetic, the order delivery
statuses progress in, and the length of stored error text."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.text import storable

ERROR_MAX = 500

# Provider status callbacks can arrive out of order (Twilio: queued, sent, delivered); a status
# never replaces one further along. Unknown statuses rank with "sent".
_DELIVERY_RANK = {
    "accepted": 0,
    "queued": 0,
    "scheduled": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "read": 4,
}


def short_error(error: str) -> str:
    """Error text as stored: one line, at most ERROR_MAX characters."""
    return storable(" ".join(error.split()))[:ERROR_MAX]


def lease_expired_before(at: datetime, lease_seconds: float) -> datetime:
    """A claim made at or before this moment has run out of its lease."""
    return at - timedelta(seconds=lease_seconds)


def lease_until(at: datetime, lease_seconds: float) -> datetime:
    return at + timedelta(seconds=lease_seconds)


def delivery_advances(current: str | None, new: str) -> bool:
    if current is None:
        return True
    return _DELIVERY_RANK.get(new.lower(), 2) >= _DELIVERY_RANK.get(current.lower(), 2)
