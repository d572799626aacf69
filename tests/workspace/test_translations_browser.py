"""Translations in a real Chromium: a coordinator opens the Translations page, downloads a
consultation's Welsh PO file, uploads it with a translation that breaks a rule and sees the
problem by line, nothing changed; uploads a good one marked reviewed and sees the counts move.
axe-core checks the page in each state.

Needs Chromium and Playwright: skipped without them on a user's machine, a failure under
CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.consult.drafts import buses
from tests.support.browser import axe_problems, chromium, shot
from tests.translations.test_consultation_po import set_translation
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, email_of


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_upload_a_refused_file_then_a_reviewed_one(
    workspace: WorkspaceUnderTest, browser: Any, tmp_path: Path
) -> None:
    api = workspace.bearer("coordinator")
    assert api.post("/api/consultations", json=buses()).status_code == 201
    assert api.post("/api/consultations/buses/open").status_code == 200
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.goto(workspace.url + "/translations")
    tab.get_by_label("Email").fill(email_of("coordinator"))
    tab.get_by_label("Password").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(workspace.url + "/translations")
    problems: dict[str, list[str]] = {"translations": axe_problems(tab)}
    shot(tab, "translations")

    with tab.expect_download() as waiting:
        tab.get_by_role("link", name="Download Welsh (cy): buses").click()
    exported = Path(waiting.value.path()).read_text(encoding="utf-8")
    assert 'msgctxt "q1|standard"' in exported

    bad = set_translation(exported, "q1|standard", "Beth am {name}?")
    line = bad.split("\n").index('msgctxt "q1|standard"') + 2
    bad_file = tmp_path / "buses-cy.po"
    bad_file.write_text(bad, encoding="utf-8")
    tab.get_by_label("PO file").set_input_files(str(bad_file))
    tab.get_by_role("button", name="Upload and import").click()
    tab.wait_for_load_state()
    assert "nothing was changed" in tab.get_by_role("alert").inner_text()
    row = tab.locator("#problems tbody tr").first
    assert row.locator("td").first.inner_text() == str(line)
    assert "placeholders ['name'] differ from English" in row.inner_text()
    problems["refused upload"] = axe_problems(tab)
    shot(tab, "translations-refused")
    assert api.get("/api/consultations/buses").json()["latest_version"] == 1

    good = set_translation(exported, "q1|standard", "Beth fyddai'n gwella'r bws i chi?")
    good = set_translation(good, "q1|easy", "Sut gall y bws fod yn well?")
    good_file = tmp_path / "buses-cy-good.po"
    good_file.write_text(good, encoding="utf-8")
    tab.get_by_label("PO file").set_input_files(str(good_file))
    tab.get_by_label("I have reviewed it", exact=False).check()
    tab.get_by_role("button", name="Upload and import").click()
    tab.wait_for_load_state()
    assert "1 now reviewed" in tab.get_by_role("status").inner_text()
    cells = tab.locator("#counts-buses tr", has_text="(cy)").locator("td")
    assert [cells.nth(i).inner_text() for i in (1, 2)] == ["1", "4"]
    problems["imported"] = axe_problems(tab)
    assert api.get("/api/consultations/buses").json()["latest_version"] == 2
    assert problems == {k: [] for k in problems}
