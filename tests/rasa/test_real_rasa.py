"""Heard against a real Rasa server (`make rasa`, or `HEARD_RASA_HOLDOUT=1 make rasa` for CI).

Skipped when no server answers at RASA_URL (default http://127.0.0.1:5005); under CI=true a
missing server fails instead. Accuracy is only measured when the server serves the model that
`scripts/rasa-service.sh` trains on the training part of the held-out split of the current
nlu_data/: any other model has seen the held-out examples, or other data.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rasa_fakes import FakeClock, KeywordNLU
from tcp_proxy import TcpProxy

from bot.nlu.base import INTENTS
from bot.nlu.breaker import CircuitBreaker
from bot.nlu.rasa import RasaNLU, read_token
from bot.nlu.split import split
from bot.nlu.training_data import load_directory
from tests.support.services import require_server

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rasa-service.sh"
DATA_DIR = Path(os.environ.get("HEARD_NLU_DATA", ROOT / "nlu_data"))
RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")
HOW_TO_FIX = "start it with `HEARD_RASA_HOLDOUT=1 make rasa`, or set RASA_URL"
# Accuracy floors on the held-out split (nlu_fallback counts as wrong), all languages together
# and per language. Measured with 3,290 examples (2,669 trained, 621 held out): 0.71 overall,
# lowest ar 0.51; the embedded classifier scores about the same. The floors catch a broken or
# badly regressed model (chance is under 0.1), not small changes.
FLOOR_ALL = 0.60
FLOOR_LANGUAGE = 0.40
IN_CI = os.environ.get("CI", "").lower() == "true"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/", timeout=3.0).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def token() -> str | None:
    require_server("Rasa at " + RASA_URL, _answers(RASA_URL), HOW_TO_FIX)
    return read_token(os.environ, ROOT / "var" / "rasa-token")


@pytest.fixture(scope="module")
def served_model(token: str | None) -> str:
    params = {"token": token} if token else {}
    response = httpx.get(RASA_URL + "/status", params=params, timeout=5.0)
    assert response.status_code == httpx.codes.OK, "GET /status refused: wrong RASA_TOKEN?"
    return str(response.json()["model_file"]).removesuffix(".tar.gz")


def _model_name(holdout: bool) -> str:
    env = {**os.environ, "HEARD_RASA_HOLDOUT": "1" if holdout else "0"}
    done = subprocess.run(
        [str(SCRIPT), "model-name"], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _require_model(served: str, wanted: set[str], what: str) -> None:
    if served in wanted:
        return
    message = (
        f"Rasa serves {served}, not {what} ({' or '.join(sorted(wanted))}): "
        "run `HEARD_RASA_HOLDOUT=1 make rasa` (it restarts Rasa with that model)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def rasa(token: str | None) -> Iterator[RasaNLU]:
    with RasaNLU(RASA_URL, token=token, timeout=10.0) as nlu:
        yield nlu


def test_model_parse_contract(token: str | None) -> None:
    params = {"token": token} if token else {}
    response = httpx.post(
        RASA_URL + "/model/parse", params=params, json={"text": "hello"}, timeout=10.0
    )
    assert response.status_code == httpx.codes.OK
    body = response.json()
    assert body["text"] == "hello"
    assert body["intent"]["name"] in {*INTENTS, "nlu_fallback"}
    assert 0.0 <= body["intent"]["confidence"] <= 1.0
    ranking = body["intent_ranking"]
    assert ranking, "intent_ranking is empty"
    confidences = [item["confidence"] for item in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert {item["name"] for item in ranking} <= {*INTENTS, "nlu_fallback"}


def test_rasa_requires_the_token(token: str | None) -> None:
    if not token:
        pytest.skip("this Rasa runs without --auth-token")
    response = httpx.post(RASA_URL + "/model/parse", json={"text": "hello"}, timeout=10.0)
    assert response.status_code == httpx.codes.UNAUTHORIZED


def test_held_out_accuracy(served_model: str, rasa: RasaNLU) -> None:
    _require_model(served_model, {_model_name(holdout=True)}, "the held-out model of nlu_data/")
    held_out = split(load_directory(DATA_DIR)).held_out
    assert len(held_out) >= 50, "too few held-out examples to measure anything"
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for example in held_out:
        result = rasa.parse(example.text, example.language)
        assert result.backend == "rasa"
        total[example.language] += 1
        if result.intent is not None and result.intent.name == example.intent:
            right[example.language] += 1
    per_language = {lang: right[lang] / total[lang] for lang in sorted(total)}
    overall = sum(right.values()) / sum(total.values())
    print(f"held-out accuracy {overall:.3f} on {len(held_out)} examples; {per_language}")
    assert overall >= FLOOR_ALL, per_language
    weak = {lang: acc for lang, acc in per_language.items() if acc < FLOOR_LANGUAGE}
    assert not weak, f"languages under {FLOOR_LANGUAGE}: {weak}"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello", "greet"),
        ("yes", "affirm"),
        ("STOP", "stop"),
        ("helo", "greet"),  # cy
        ("ie", "affirm"),  # cy
        ("dim mwy", "stop"),  # cy
        ("cześć", "greet"),  # pl
        ("tak", "affirm"),  # pl
        ("koniec", "stop"),  # pl
        ("ہاں", "affirm"),  # ur
        ("salaan", "greet"),  # so
        ("haa", "affirm"),  # so
        ("jooji", "stop"),  # so
        ("bună ziua", "greet"),  # ro
        ("da", "affirm"),  # ro
        ("مرحبا", "greet"),  # ar
        ("نعم", "affirm"),  # ar
    ],
)
def test_everyday_words(served_model: str, rasa: RasaNLU, text: str, intent: str) -> None:
    wanted = {_model_name(holdout=True), _model_name(holdout=False)}
    _require_model(served_model, wanted, "a model of the current nlu_data/")
    result = rasa.parse(text)
    assert result.intent is not None, f"{text!r}: nothing understood"
    assert result.intent.name == intent


def test_rasa_going_away_falls_back_and_comes_back(token: str | None) -> None:
    target = httpx.URL(RASA_URL)
    proxy = TcpProxy(target.host, target.port or 80)
    proxy.start()
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)
    embedded = KeywordNLU()
    try:
        with RasaNLU(
            proxy.url, token=token, timeout=10.0, fallback=embedded, breaker=breaker
        ) as nlu:
            assert nlu.parse("hello").backend == "rasa"
            proxy.stop()
            assert [nlu.parse("yes").backend for _ in range(4)] == ["embedded-fallback"] * 4
            assert len(embedded.calls) == 4
            proxy.start()
            clock.advance(30.0)
            assert nlu.parse("hello").backend == "rasa"
    finally:
        proxy.stop()
