"""Engine test fixtures: the shipped flows and catalogue, the fixture catalogue (en, pl, ar) and
flows, and a fresh `Chat`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.flowspec import FlowSet, load_flows
from tests.engine.chat import FIXTURES, Chat, make_engine


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped catalogue (flows/catalogue/)."""
    return load_catalogue()


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    """The shipped flows (flows/)."""
    return load_flows()


@pytest.fixture(scope="session")
def fixture_catalogue() -> Catalogue:
    return load_catalogue(FIXTURES / "catalogue")


@pytest.fixture(scope="session")
def fixture_flows() -> FlowSet:
    return load_flows(FIXTURES / "flows")


@pytest.fixture
def new_chat(fixture_flows: FlowSet, fixture_catalogue: Catalogue) -> Callable[..., Chat]:
    def build(**settings: Any) -> Chat:
        return Chat(make_engine(fixture_flows, fixture_catalogue, **settings))

    return build


@pytest.fixture
def chat(new_chat: Callable[..., Chat]) -> Chat:
    return new_chat()
