"""Limits on what a request may cost before any handler reads it.

`BodyLimits` is ASGI middleware in front of every route:
* a declared `Content-Length` over the path's cap is refused with 413 before a byte of the body
  is read; a body sent without one (chunked) is counted as it arrives and refused the same way
  as soon as it passes the cap, so an unsigned 400 MB request costs the server nothing;
* each chunk of the body must arrive within `read_timeout` seconds, so a client that trickles
  its body cannot hold a connection and a worker thread for ever (408);
* a response given before the body was read (a refused signature, a page the user may not
  post to) closes the connection, so the server does not go on draining what the client sends.
  A declared body of at most `DRAIN_LIMIT` bytes is read to its end first: closing a socket
  with unread bytes in it makes the kernel send a reset, which can destroy the answer before
  the client has read it;
* a client that goes away mid-body ends the request quietly: that is the client's doing, not
  an error of Heard's, and it logs one line at INFO, not a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("heard.web")

DEFAULT_CAP = 1024 * 1024  # 1 MiB: larger than any update or form a provider sends
READ_TIMEOUT = 15.0
DRAIN_LIMIT = 64 * 1024  # cheaper to read than to risk a reset that loses the answer


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _Gone(Exception):
    pass


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        caps: Mapping[str, int] | None = None,
        default_cap: int = DEFAULT_CAP,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        """`caps` maps a path prefix to its own cap in bytes (the longest prefix wins)."""
        self._app = app
        self._caps = sorted((caps or {}).items(), key=lambda kv: -len(kv[0]))
        self._default = default_cap
        self._timeout = read_timeout

    def cap_for(self, path: str) -> int:
        return next((cap for prefix, cap in self._caps if path.startswith(prefix)), self._default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        cap = self.cap_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _answer(send, 413, "request body too large")
            return
        received = 0
        started = False
        body_done = scope.get("method") in ("GET", "HEAD") or declared == 0

        async def limited_receive() -> Message:
            nonlocal received, body_done
            try:
                message = await asyncio.wait_for(receive(), self._timeout)
            except TimeoutError as exc:
                raise _TooSlow from exc
            if message["type"] == "http.disconnect":
                raise _Gone
            received += len(message.get("body", b""))
            if received > cap:
                raise _TooLarge
            if not message.get("more_body", False):
                body_done = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body_done and declared is not None and declared - received <= DRAIN_LIMIT:
                    with contextlib.suppress(_TooSlow, _TooLarge):
                        while not body_done:
                            await limited_receive()
                if not body_done:
                    # Answered without reading the body (a refused signature): close the
                    # connection rather than let the server drain whatever the client sends.
                    headers = [*message.get("headers", []), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self._app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if not started:
                await _answer(send, 413, "request body too large")
        except _TooSlow:
            log.info("request body too slow; answered 408")
            if not started:
                await _answer(send, 408, "request body too slow")
        except _Gone:
            log.info("client went away before its request was read")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
