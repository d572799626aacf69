"""Request bodies are capped and timed before any handler reads them (bot.web.limits): an
oversized webhook is refused with 413 and stores nothing, a trickled body gets 408, and a client
that hangs up mid-body leaves no error in the log."""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.web.limits import BodyLimits
from storage.sql import SqlStore
from tests.fakes.live_server import live_server
from tests.web.harness import WEBHOOK_SECRET, Brains, Pipeline, pipeline

MIB = 1024 * 1024


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path) as running:
        yield running


def _raw(url: str, head: bytes, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Sends `head` and `body` on a plain socket and returns what the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        sock.sendall(head + body)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def test_an_oversized_declared_body_is_refused_before_it_is_read(heard: Pipeline) -> None:
    head = (
        b"POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 419430400\r\n\r\n"
    )
    started = time.monotonic()
    answer = _raw(heard.url, head, b"From=%2B447700900111")
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 5  # answered without waiting for 400 MB
    assert heard.inbox() == []


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/webhooks/twilio", {}, 413),
        ("/webhooks/telegram", {}, 403),  # the secret is checked before the body is read
        ("/webhooks/telegram", {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}, 413),
    ],
)
def test_an_endless_chunked_body_is_cut_off(
    heard: Pipeline, path: str, headers: dict[str, str], status: int
) -> None:
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        while sent < 400 * MIB:
            sent += MIB
            yield b"Body=" + b"x" * (MIB - 5)

    try:
        response = heard.http.post(f"{heard.url}{path}", content=endless(), headers=headers)
        assert response.status_code == status
    except httpx.TransportError:
        pass  # the server closed the connection while the client was still writing
    assert sent < 64 * MIB
    assert heard.inbox() == []


def _echo_app(read_timeout: float) -> Starlette:
    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    return Starlette(
        routes=[Route("/echo", echo, methods=["POST"])],
        middleware=[Middleware(BodyLimits, default_cap=1000, read_timeout=read_timeout)],
    )


def test_a_body_within_the_cap_reaches_the_handler() -> None:
    with live_server(_echo_app(5.0)) as url:
        assert httpx.post(f"{url}/echo", content=b"x" * 1000).text == "1000"
        assert httpx.post(f"{url}/echo", content=b"x" * 1001).status_code == 413


def test_a_trickled_body_times_out() -> None:
    with live_server(_echo_app(0.5)) as url:
        head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
        answer = _raw(url, head, b"only ten b", wait=5.0)
    assert answer.startswith(b"HTTP/1.1 408")


def _refusing_app() -> Starlette:
    async def refuse(request: Request) -> PlainTextResponse:
        return PlainTextResponse("you may not post here " * 60, status_code=403)

    return Starlette(
        routes=[Route("/refuse", refuse, methods=["POST"])],
        middleware=[Middleware(BodyLimits, default_cap=MIB)],
    )


def _read_answer(sock: socket.socket) -> bytes:
    """One whole response with a Content-Length from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_refusal_given_before_a_modest_body_is_read_keeps_the_connection() -> None:
    """A form posted to a page the user may not use is answered before the handler reads it.
    A modest body is read to its end first, so the answer never races a reset (a socket
    closed while the client is still writing is reset, which can lose the answer) and the
    connection stays open for the next request."""
    body = b"x" * 30_000
    head = b"POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    with live_server(_refusing_app()) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(head + body[:1000])
            time.sleep(0.3)  # the handler has answered by now
            sock.sendall(body[1000:])
            first = _read_answer(sock)
            sock.sendall(head + body)
            second = _read_answer(sock)
    for answer in (first, second):
        assert answer.startswith(b"HTTP/1.1 403")
        assert answer.endswith(b"you may not post here " * 60)
        assert b"connection: close" not in answer.lower()


def test_a_client_that_hangs_up_mid_body_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO), live_server(_echo_app(5.0)) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nabc")
        time.sleep(0.3)
        assert httpx.get(f"{url}/echo").status_code == 405  # still serving
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
