"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright (which
cannot download browsers here). Without either, a test skips with a reason; under CI=true
it fails (tests.support.services)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.services import require_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# WCAG 2.0, 2.1 and 2.2 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright `Browser`), closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require_server(
        "a browser (Chromium and Playwright)",
        CHROMIUM is not None and sync_playwright is not None,
        "apt-get install chromium; pip install playwright (in the dev extras)",
    )
    assert sync_playwright is not None and CHROMIUM is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield launched
        finally:
            launched.close()
