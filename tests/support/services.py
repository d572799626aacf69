"""Tests that need a real server (PostgreSQL, Rasa) call `require_server` first.

On a developer's machine a missing server skips the test with the reason and the fix; under
`CI=true` it fails, so a CI run can never pass by skipping what it was meant to check.
"""

from __future__ import annotations

import os

import pytest


def require_server(name: str, reachable: bool, how_to_fix: str) -> None:
    if reachable:
        return
    message = f"{name} is not reachable: {how_to_fix}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: a missing server is a failure, not a skip)")
    pytest.skip(message)
