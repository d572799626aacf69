"""A real HTTP server on loopback that speaks Rasa's `/model/parse` contract, and other fakes.

The server is `http.server` in a thread: the Rasa backend is tested over real sockets, with
the server's answers, delays and outages under the test's control.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.nlu.base import IntentScore, ParseResult


def rasa_answer(text: str, ranking: Sequence[tuple[str | None, float]]) -> dict[str, Any]:
    """A `/model/parse` body as Rasa 3.6 sends it (ids and entities included)."""
    top = ranking[0] if ranking else (None, 0.0)
    return {
        "text": text,
        "intent": {"name": top[0], "confidence": top[1], "id": 1},
        "entities": [],
        "text_tokens": [],
        "intent_ranking": [
            {"name": name, "confidence": conf, "id": i} for i, (name, conf) in enumerate(ranking)
        ],
    }


@dataclass
class Behaviour:
    """What the fake server does next. `body=None` answers with `rasa_answer` for greet."""

    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None
    body: dict[str, Any] | None = None


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    json: Any
    client_port: int


@dataclass
class FakeRasa:
    behaviour: Behaviour = field(default_factory=Behaviour)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _release: threading.Event = field(default_factory=threading.Event)
    _connections: set[socket.socket] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Starts (or restarts, on the same port) the server."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Rasa's server does

            def setup(self) -> None:
                super().setup()
                fake._connections.add(self.connection)

            def finish(self) -> None:
                fake._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                split = urlsplit(self.path)
                fake.seen.append(
                    Seen(split.path, parse_qs(split.query), json.loads(raw), self.client_address[1])
                )
                b = fake.behaviour
                if b.delay and fake._release.wait(b.delay):
                    return
                if b.raw is not None:
                    payload = b.raw
                else:
                    text = json.loads(raw).get("text", "")
                    body = b.body if b.body is not None else rasa_answer(text, [("greet", 0.97)])
                    payload = json.dumps(body).encode()
                self.send_response(b.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up on a slow answer is expected here

        self._release.clear()
        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops listening and drops open connections, as when Rasa's process ends."""
        if self._server is None:
            return
        self._release.set()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None

    def requests(self) -> int:
        return len(self.seen)


class KeywordNLU:
    """A stand-in for the embedded classifier: "yes" is affirm, anything else is dont_know."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        self.calls.append((text, language))
        name = "affirm" if text.strip().lower() == "yes" else "dont_know"
        score = IntentScore(name, 0.8)
        return ParseResult(text=text, intent=score, ranking=(score,), backend="embedded")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
