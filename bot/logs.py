"""Log set-up for every `heard` command: one place, so no command forgets a rule.

Two lines of defence keep phone numbers, chat ids, bot tokens and message text out of logs:

1. Library loggers are capped (`LIBRARY_CAPS`): at DEBUG or INFO the twilio client logs every
   request's query (`To=+44...`), httpx and urllib3 log each URL (Telegram's carry the bot
   token), python-telegram-bot logs whole updates (the person's words), SQLAlchemy logs
   statements with their parameters, and python-multipart logs form fields. Whatever
   HEARD_LOG_LEVEL says, they log warnings and errors only.
2. A `RedactingFilter` on the root handler rewrites every record that reaches it, from any
   logger, tracebacks included: bot tokens, phone numbers and long digit runs (chat ids) are
   replaced. It cannot recognise message text; that is what the caps and Heard's own rule
   (log types and ids, never values) are for.

uvicorn is run without its own logging configuration (`UVICORN_LOG_CONFIG`), so its access and
error lines reach the root handler and its filter too.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Logger name -> the lowest level it may log at.
LIBRARY_CAPS: dict[str, int] = {
    "twilio": logging.WARNING,
    "twilio.http_client": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "urllib3": logging.WARNING,
    "requests": logging.WARNING,
    "telegram": logging.WARNING,
    "apscheduler": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "multipart": logging.WARNING,
    "python_multipart": logging.WARNING,
    "hpack": logging.WARNING,
}

# Telegram bot tokens (`123456789:AA...`, 35 characters after the colon; shorter ones in tests).
_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# Phone numbers: E.164 or national, digits with single spaces, dots or dashes between, URL
# encoded or not (`%2B447700900123`); and any other run of 7 or more digits (chat ids).
_PHONE = re.compile(r"(?<![\w.])(?:\+|%2[Bb]|00)?\d(?:[ .\-]?\d){6,15}(?![\w])")
TOKEN_MARK = "[token]"
NUMBER_MARK = "[number]"


def redact(text: str) -> str:
    return _PHONE.sub(NUMBER_MARK, _TOKEN.sub(TOKEN_MARK, text))


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and traceback with `redact` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template only
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def level_of(name: str) -> int:
    level = logging.getLevelName(name.strip().upper())
    return level if isinstance(level, int) else logging.INFO


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Replaces the root handlers with one redacting stream handler at `level` and caps the
    libraries. Safe to call again (tests do)."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    chosen = level_of(level)
    root.setLevel(chosen)
    cap_libraries(chosen)
    return handler


def cap_libraries(level: int) -> None:
    for name, cap in LIBRARY_CAPS.items():
        logging.getLogger(name).setLevel(max(level, cap))


# For `uvicorn.run(log_config=...)`: None leaves logging to `configure_logging`; uvicorn's own
# loggers then propagate to the root handler.
UVICORN_LOG_CONFIG: dict[str, Any] | None = None
