"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright (which
cannot download browsers here). Without either, a test skips with a reason; under CI=true
it fails (tests.support.services)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.services import require_server

REPOSITORY = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = REPOSITORY / "tests" / "workspace" / "vendor" / "axe-4.14.1.min.js"
# Where screenshots go: `HEARD_SCREENSHOTS=docs/screenshots` refreshes the README's.
SCREENSHOTS = Path(os.environ.get("HEARD_SCREENSHOTS") or REPOSITORY / "var" / "screenshots")
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


def shot(tab: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_problems(tab: Any) -> list[str]:
    """axe-core's serious and critical violations on the page (vendored; added as a script tag,
    so the tab needs `bypass_csp`)."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    assert len(result["passes"]) > 10, "axe ran its checks"
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
