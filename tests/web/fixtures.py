"""Fixtures shared by the web, delivery and crash tests (imported by their conftest files)."""

from __future__ import annotations

import pytest

from tests.support.fixtures import network_guard, ptb_durations_as_timedelta
from tests.web.harness import Brains, shared_brains


@pytest.fixture(scope="session")
def brains(tmp_path_factory: pytest.TempPathFactory) -> Brains:
    return shared_brains(tmp_path_factory.mktemp("brains"))


__all__ = ["brains", "network_guard", "ptb_durations_as_timedelta"]
