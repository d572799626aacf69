"""The Rasa backend: intents from a Rasa server's `/model/parse`, with a fallback NLU.

A slow or missing Rasa server must never hold up a reply to a person: each call has a short
timeout, and after repeated failures a circuit breaker sends calls straight to the fallback
(normally the embedded classifier) until the server answers again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bot.nlu.base import INTENTS, NLU, IntentScore, ParseResult
from bot.nlu.breaker import CircuitBreaker

log = logging.getLogger(__name__)

_KNOWN_INTENTS = frozenset(INTENTS)


class _HideToken(logging.Filter):
    """httpx logs every request URL at INFO; Rasa's token travels in the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_hide_token(arg) for arg in record.args)
        return True


def _hide_token(arg: object) -> object:
    if isinstance(arg, httpx.URL) and "token" in arg.params:
        return arg.copy_set_param("token", "hidden")
    return arg


def _install_token_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _HideToken) for f in httpx_log.filters):
        httpx_log.addFilter(_HideToken())


_install_token_filter()


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully and there is no fallback to ask instead."""


class RasaAnswerError(ValueError):
    """The server answered, but not in the `/model/parse` shape."""


class RasaNLU:
    """`NLU` over HTTP. Results say `backend="rasa"`, or `"embedded-fallback"` when the
    fallback answered. Intents Heard does not know (for example Rasa's `nlu_fallback`) come
    back as no intent: the engine then treats the message as not understood."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 0.5,
        fallback: NLU | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.fallback = fallback
        self.breaker = breaker if breaker is not None else CircuitBreaker(name="rasa")
        self._params = {"token": token} if token else {}
        # One pooled client: keep-alive saves a TCP handshake on every message.
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        if not self.breaker.allow():
            return self._fall_back(text, language)
        try:
            result = self._parse_remote(text)
        except (httpx.HTTPError, RasaAnswerError) as exc:
            self.breaker.record_failure()
            # The exception's own message may carry the URL with its token: log the type only.
            log.debug("rasa parse failed: %s", type(exc).__name__)
            return self._fall_back(text, language)
        self.breaker.record_success()
        return result

    def _parse_remote(self, text: str) -> ParseResult:
        response = self._client.post("/model/parse", params=self._params, json={"text": text})
        if response.status_code != httpx.codes.OK:
            raise RasaAnswerError(f"status {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise RasaAnswerError("not JSON") from exc
        return parse_result_from_rasa(text, body)

    def _fall_back(self, text: str, language: str | None) -> ParseResult:
        if self.fallback is None:
            raise RasaUnavailable(f"no answer from Rasa at {self.url}")
        result = self.fallback.parse(text, language)
        return ParseResult(
            text=result.text,
            intent=result.intent,
            ranking=result.ranking,
            backend="embedded-fallback",
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RasaNLU:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _score(item: Any) -> IntentScore | None:
    if not isinstance(item, Mapping):
        raise RasaAnswerError("an intent is not an object")
    name = item.get("name")
    confidence = item.get("confidence", 0.0)
    if not isinstance(confidence, int | float) or isinstance(confidence, bool):
        raise RasaAnswerError("a confidence is not a number")
    if name not in _KNOWN_INTENTS:
        return None
    return IntentScore(name=str(name), confidence=float(confidence))


def parse_result_from_rasa(text: str, body: Any) -> ParseResult:
    """Maps a `/model/parse` answer to a `ParseResult(backend="rasa")`."""
    if not isinstance(body, Mapping):
        raise RasaAnswerError("the answer is not an object")
    intent = body.get("intent")
    top = _score(intent) if intent is not None else None
    raw_ranking = body.get("intent_ranking") or []
    if not isinstance(raw_ranking, list):
        raise RasaAnswerError("intent_ranking is not a list")
    ranking = tuple(s for s in (_score(item) for item in raw_ranking) if s is not None)
    return ParseResult(text=text, intent=top, ranking=ranking, backend="rasa")


def read_token(env: Mapping[str, str], token_file: Path) -> str | None:
    """`RASA_TOKEN`, else the token `scripts/rasa-service.sh` generated into var/rasa-token."""
    token = env.get("RASA_TOKEN", "").strip()
    if token:
        return token
    try:
        return token_file.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def nlu_from_env(
    embedded: NLU,
    env: Mapping[str, str],
    token_file: Path,
) -> NLU:
    """`RASA_URL` set: Rasa, falling back to `embedded`. Unset or empty: `embedded` alone.
    `env` holds the settings by their environment names (bot.config reads the environment)."""
    url = env.get("RASA_URL", "").strip()
    if not url:
        return embedded
    return RasaNLU(url, token=read_token(env, token_file), fallback=embedded)
