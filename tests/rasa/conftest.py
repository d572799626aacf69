"""Fixtures for the Rasa backend tests (the fakes live in rasa_fakes.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_fakes import FakeClock, FakeRasa, KeywordNLU


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    server = FakeRasa()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def embedded() -> KeywordNLU:
    return KeywordNLU()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
