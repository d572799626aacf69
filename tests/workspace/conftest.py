"""Fixtures for the workspace tests: `workspace` is the real app served on loopback over a
SQLite file, with one account per role (`workspace.web(role)`: a signed-in browser client with
CSRF handled; `workspace.bearer(role)`: an API client with that account's token), and the
signed Twilio webhook (`workspace.heard.post_sms`) to raise alerts through a conversation."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import make_engine
from storage.sql import SqlStore
from tests.web.fixtures import brains, network_guard, ptb_durations_as_timedelta
from tests.web.harness import Brains
from tests.workspace.harness import WorkspaceUnderTest, running_workspace


@pytest.fixture
def sqlite_store(
    migrated_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory, cipher: object
) -> Iterator[SqlStore]:
    """An empty, migrated SQLite file of this test's own."""
    from storage.crypto import AddressCipher

    assert isinstance(cipher, AddressCipher)
    path = tmp_path_factory.mktemp("workspace-db") / "heard.sqlite"
    shutil.copyfile(migrated_sqlite_file, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield SqlStore(engine, cipher)
    finally:
        engine.dispose()


@pytest.fixture
def workspace(
    brains: Brains, sqlite_store: SqlStore, tmp_path: Path
) -> Iterator[WorkspaceUnderTest]:
    with running_workspace(brains, sqlite_store, tmp_path) as under_test:
        yield under_test


__all__ = ["brains", "network_guard", "ptb_durations_as_timedelta", "sqlite_store", "workspace"]
