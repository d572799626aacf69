"""Autouse fixtures for tests that drive the real channel libraries against fakes on loopback
(imported by the conftest files of tests/channels, tests/web, tests/delivery and tests/crash)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.netguard import NetworkGuard


@pytest.fixture(autouse=True)
def ptb_durations_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As deployments run: python-telegram-bot 22 otherwise raises a deprecation warning (an
    error under pytest) while building every flood-control error."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Every test fails if anything tried to reach a host other than this machine."""
    guard = NetworkGuard()
    with guard.installed(monkeypatch):
        yield guard
    assert not guard.refused, f"tried to reach the network: {guard.refused}"
