"""The shape a Telegram update must have before python-telegram-bot or the inbox sees it.

The secret token says an update came from Telegram (or someone holding the secret); it says
nothing about its content. `checked_update` refuses what Telegram never sends in the fields
Heard reads (a non-integer id, a date outside 32 bits, a chat that is not an object, text that
is not a string) and replaces lone surrogates in every string, which JSON allows
(`"\\ud800"`) but no database or encoder can store. Everything else PTB parses is caught at
the call site: an update it cannot read is refused with 400, never a server error.
"""

from __future__ import annotations

from typing import Any

MAX_ID = 2**53  # Telegram's ids fit in a double
MAX_DATE = 2**32


class MalformedUpdate(ValueError):
    """Not an update Telegram would send; the message names the field, never its value."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    if isinstance(value, dict):
        return {str(_clean(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _int(value: Any, field: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise MalformedUpdate(field)


def checked_update(data: Any) -> dict[str, Any]:
    """`data` with lone surrogates replaced, or `MalformedUpdate`."""
    if not isinstance(data, dict):
        raise MalformedUpdate("update")
    _int(data.get("update_id"), "update_id", 0, MAX_ID)
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in data:
            _check_message(data[key], key)
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


def _check_message(message: Any, field: str) -> None:
    if not isinstance(message, dict):
        raise MalformedUpdate(field)
    _int(message.get("message_id"), f"{field}.message_id", -MAX_ID, MAX_ID)
    _int(message.get("date"), f"{field}.date", 0, MAX_DATE)
    chat = message.get("chat")
    if not isinstance(chat, dict) or not isinstance(chat.get("type"), str):
        raise MalformedUpdate(f"{field}.chat")
    _int(chat.get("id"), f"{field}.chat.id", -MAX_ID, MAX_ID)
    sender = message.get("from")
    if sender is not None:
        if not isinstance(sender, dict) or not isinstance(sender.get("is_bot"), bool):
            raise MalformedUpdate(f"{field}.from")
        _int(sender.get("id"), f"{field}.from.id", -MAX_ID, MAX_ID)
        if not isinstance(sender.get("first_name", ""), str):
            raise MalformedUpdate(f"{field}.from.first_name")
    for text_field in ("text", "caption"):
        if text_field in message and not isinstance(message[text_field], str):
            raise MalformedUpdate(f"{field}.{text_field}")
