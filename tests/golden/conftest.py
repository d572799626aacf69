"""Shared parts for golden transcripts: the shipped flows and catalogue, the real embedded NLU
trained once, and the `--update-golden` flag that rewrites the files instead of comparing.
Every transcript is played on SQLite and on PostgreSQL (`sql_store`) and must come out the
same, byte for byte."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.catalogue import Catalogue, default_catalogue_dir, load_catalogue
from bot.config import default_deployment
from bot.engine.engine import Engine
from bot.engine.ids import counting_ids
from bot.engine.settings import EngineSettings
from bot.flowspec.loader import load_flows
from bot.flowspec.model import FlowSet
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.keywords import default_matcher
from bot.nlu.langid import HeardLanguageGuesser, catalogue_vocabulary
from bot.service.understanding import Understander
from storage.sql import SqlStore
from tests.golden.harness import Harness


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/transcripts/ from the current code instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    return load_flows()


@pytest.fixture(scope="session")
def understander(catalogue: Catalogue) -> Understander:
    nlu = EmbeddedNLU.from_directory(default_catalogue_dir().parents[1] / "nlu_data")
    guesser = HeardLanguageGuesser(
        catalogue.codes, catalogue_vocabulary(catalogue), catalogue.word_lists
    )
    return Understander(nlu, guesser, default_matcher())


@pytest.fixture
def harness(
    catalogue: Catalogue, flows: FlowSet, understander: Understander, sql_store: SqlStore
) -> Harness:
    engine = Engine(
        flows,
        catalogue,
        # As production runs: a contact is required there (HEARD_CONTACT); no promises set.
        EngineSettings(
            session_timeout=timedelta(hours=24),
            deployment=replace(default_deployment(), contact="heard@example.org"),
        ),
        counting_ids("msg"),
    )
    return Harness(engine, flows, catalogue, understander, sql_store)
