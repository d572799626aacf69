"""Fixtures shared by the web, delivery and crash tests (imported by their conftest files)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.netguard import NetworkGuard
from tests.web.harness import Brains, shared_brains


@pytest.fixture(autouse=True)
def ptb_durations_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As deployments run: python-telegram-bot 22 otherwise warns (an error under pytest)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Every test fails if anything tried to reach a host other than this machine."""
    guard = NetworkGuard()
    with guard.installed(monkeypatch):
        yield guard
    assert not guard.refused, f"tried to reach the network: {guard.refused}"


@pytest.fixture(scope="session")
def brains(tmp_path_factory: pytest.TempPathFactory) -> Brains:
    return shared_brains(tmp_path_factory.mktemp("brains"))
