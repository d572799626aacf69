"""The Rasa backend against a real local HTTP server that speaks `/model/parse`."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from rasa_fakes import Behaviour, FakeClock, FakeRasa, KeywordNLU, rasa_answer

from bot.nlu.base import IntentScore
from bot.nlu.breaker import BreakerState, CircuitBreaker
from bot.nlu.rasa import RasaNLU, RasaUnavailable, nlu_from_env

TIMEOUT = 0.2


def state_of(breaker: CircuitBreaker) -> BreakerState:
    """Read afresh each time (the state changes between calls)."""
    return breaker.state


@pytest.mark.parametrize(
    ("ranking", "intent", "names"),
    [
        (
            [("affirm", 0.91), ("deny", 0.05), ("stop", 0.04)],
            ("affirm", 0.91),
            ["affirm", "deny", "stop"],
        ),
        (
            [("risk_to_self", 0.6), ("dont_know", 0.4)],
            ("risk_to_self", 0.6),
            ["risk_to_self", "dont_know"],
        ),
        # Rasa's FallbackClassifier: not one of Heard's intents, so nothing was understood.
        ([("nlu_fallback", 0.7), ("greet", 0.2)], None, ["greet"]),
        ([("something_new", 0.9), ("thanks", 0.1)], None, ["thanks"]),
        ([], None, []),
    ],
)
def test_parse_maps_rasa_answer(
    fake_rasa: FakeRasa,
    ranking: list[tuple[str, float]],
    intent: tuple[str, float] | None,
    names: list[str],
) -> None:
    fake_rasa.behaviour = Behaviour(body=rasa_answer("tak", ranking))
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT) as nlu:
        result = nlu.parse("tak", "pl")
    assert result.backend == "rasa"
    assert result.text == "tak"
    assert result.intent == (IntentScore(*intent) if intent else None)
    assert [s.name for s in result.ranking] == names
    assert [s.confidence for s in result.ranking] == [c for n, c in ranking if n in names]


def test_sends_text_and_token_to_model_parse(fake_rasa: FakeRasa) -> None:
    with RasaNLU(fake_rasa.url + "/", token="fake-token-123", timeout=TIMEOUT) as nlu:
        nlu.parse("dw i ddim yn gwybod")
    (seen,) = fake_rasa.seen
    assert seen.path == "/model/parse"
    assert seen.query == {"token": ["fake-token-123"]}
    assert seen.json == {"text": "dw i ddim yn gwybod"}


def test_token_never_reaches_the_logs(
    fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with RasaNLU(fake_rasa.url, token="fake-token-456", timeout=TIMEOUT) as nlu:
        nlu.parse("hello")
    assert fake_rasa.seen[0].query == {"token": ["fake-token-456"]}
    assert caplog.records  # httpx did log the request
    assert all("fake-token-456" not in r.getMessage() for r in caplog.records)


def test_connection_is_kept_alive_between_messages(fake_rasa: FakeRasa) -> None:
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT) as nlu:
        for text in ["hi", "yes", "stop", "help"]:
            assert nlu.parse(text).backend == "rasa"
    assert len({s.client_port for s in fake_rasa.seen}) == 1


@pytest.mark.parametrize(
    "behaviour",
    [
        Behaviour(delay=5.0),
        Behaviour(status=500, raw=b'{"error": "boom"}'),
        Behaviour(status=401, raw=b'{"message": "not authorised"}'),
        Behaviour(raw=b"<html>proxy error</html>"),
        Behaviour(raw=b'["not", "an", "object"]'),
        Behaviour(body={"intent": {"name": "greet", "confidence": "high"}}),
    ],
    ids=["timeout", "server-error", "bad-token", "not-json", "not-object", "bad-confidence"],
)
def test_a_failed_call_answers_from_the_fallback(
    fake_rasa: FakeRasa, embedded: KeywordNLU, behaviour: Behaviour
) -> None:
    fake_rasa.behaviour = behaviour
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT, fallback=embedded) as nlu:
        started = time.monotonic()
        result = nlu.parse("yes", "en")
        elapsed = time.monotonic() - started
    assert result.backend == "embedded-fallback"
    assert result.intent == IntentScore("affirm", 0.8)
    assert embedded.calls == [("yes", "en")]
    assert elapsed < 2.0  # never the slow server's 5 s


def test_no_fallback_raises(fake_rasa: FakeRasa) -> None:
    fake_rasa.stop()
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT) as nlu, pytest.raises(RasaUnavailable):
        nlu.parse("hello")


def test_open_breaker_skips_the_network(
    fake_rasa: FakeRasa, embedded: KeywordNLU, clock: FakeClock
) -> None:
    fake_rasa.behaviour = Behaviour(delay=5.0)
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT, fallback=embedded, breaker=breaker) as nlu:
        for _ in range(3):
            assert nlu.parse("yes").backend == "embedded-fallback"
        assert state_of(breaker) is BreakerState.OPEN
        started = time.monotonic()
        for _ in range(20):
            assert nlu.parse("yes").backend == "embedded-fallback"
        elapsed = time.monotonic() - started
    assert fake_rasa.requests() == 3
    assert elapsed < TIMEOUT  # twenty answers in less than one timeout


def test_server_down_then_back(
    fake_rasa: FakeRasa,
    embedded: KeywordNLU,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)
    secret_text = "my neighbour on +447700900123 hits me"
    caplog.set_level(logging.DEBUG)
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT, fallback=embedded, breaker=breaker) as nlu:
        assert nlu.parse("hello").backend == "rasa"
        fake_rasa.stop()
        backends = [nlu.parse(secret_text).backend for _ in range(4)]
        assert backends == ["embedded-fallback"] * 4
        assert state_of(breaker) is BreakerState.OPEN

        fake_rasa.start()
        clock.advance(29.0)
        assert nlu.parse("hello").backend == "embedded-fallback"  # still cooling down
        clock.advance(1.0)
        assert nlu.parse("hello").backend == "rasa"  # the trial call
        assert state_of(breaker) is BreakerState.CLOSED
        assert nlu.parse("hello").backend == "rasa"

    messages = [r.getMessage() for r in caplog.records if r.name == "bot.nlu.breaker"]
    assert [("opened" in m, "closed" in m) for m in messages] == [(True, False), (False, True)]
    assert all(secret_text not in r.getMessage() for r in caplog.records)
    assert all("+4477" not in r.getMessage() for r in caplog.records)


def test_failed_trial_reopens_for_another_cool_down(
    fake_rasa: FakeRasa, embedded: KeywordNLU, clock: FakeClock
) -> None:
    breaker = CircuitBreaker(failure_threshold=2, cool_down=10.0, clock=clock)
    fake_rasa.stop()
    with RasaNLU(fake_rasa.url, timeout=TIMEOUT, fallback=embedded, breaker=breaker) as nlu:
        nlu.parse("a")
        nlu.parse("b")
        clock.advance(10.0)
        assert state_of(breaker) is BreakerState.HALF_OPEN
        assert nlu.parse("c").backend == "embedded-fallback"
        assert state_of(breaker) is BreakerState.OPEN
        fake_rasa.start()
        clock.advance(9.0)
        assert nlu.parse("d").backend == "embedded-fallback"
        assert fake_rasa.requests() == 0
        clock.advance(1.0)
        assert nlu.parse("e").backend == "rasa"


@pytest.mark.parametrize(
    ("env", "token_file_text", "expected_token"),
    [
        (
            {"RASA_URL": "{url}", "RASA_TOKEN": "fake-env-token"},
            "fake-file-token",
            ["fake-env-token"],
        ),
        ({"RASA_URL": "{url}"}, "fake-file-token\n", ["fake-file-token"]),
        ({"RASA_URL": "{url}"}, None, None),
    ],
    ids=["token-from-env", "token-from-file", "no-token"],
)
def test_nlu_from_env_uses_rasa_when_url_is_set(
    fake_rasa: FakeRasa,
    embedded: KeywordNLU,
    tmp_path: Path,
    env: dict[str, str],
    token_file_text: str | None,
    expected_token: list[str] | None,
) -> None:
    token_file = tmp_path / "rasa-token"
    if token_file_text is not None:
        token_file.write_text(token_file_text)
    env = {k: v.format(url=fake_rasa.url) for k, v in env.items()}
    nlu = nlu_from_env(embedded, env=env, token_file=token_file)
    assert isinstance(nlu, RasaNLU)
    with nlu:
        assert nlu.parse("hi").backend == "rasa"
        fake_rasa.stop()
        assert nlu.parse("yes").backend == "embedded-fallback"
    assert fake_rasa.seen[0].query.get("token") == expected_token


@pytest.mark.parametrize("env", [{}, {"RASA_URL": ""}, {"RASA_URL": "  ", "RASA_TOKEN": "x"}])
def test_nlu_from_env_without_url_is_the_embedded_nlu(
    embedded: KeywordNLU, env: dict[str, Any], tmp_path: Path
) -> None:
    assert nlu_from_env(embedded, env=env, token_file=tmp_path / "rasa-token") is embedded
