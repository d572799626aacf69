"""The views pages in a real Chromium: a coordinator filters the inbox, shares a view with a
working group, creates a theme whose keyword suggests a view and confirms it, adds a note and
downloads an export; the group's member then sees that view and nothing else and tags it with
the group's theme. axe-core (vendored) checks every page for serious problems.

Screenshots are saved to $HEARD_SCREENSHOTS (default var/screenshots; the README's with
HEARD_SCREENSHOTS=docs/screenshots). Needs Chromium and Playwright: skipped without them on a
user's machine, a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.records import Role
from tests.support.browser import axe_problems, chromium, shot
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, email_of
from tests.workspace.test_views_api import NUMBERS, _seed


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def signed_in(browser: Any, url: str, role: Role) -> Any:
    # axe is added as a script tag: the pages' Content-Security-Policy would refuse it.
    tab = browser.new_context(bypass_csp=True, accept_downloads=True).new_page()
    tab.set_default_timeout(20_000)
    tab.goto(url + "/views")
    assert "/sign-in" in tab.url
    tab.get_by_label("Email").fill(email_of(role))
    tab.get_by_label("Password").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(url + "/views")
    return tab




def test_filter_share_tag_export_and_the_member_sees_the_shared_view(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    _seed(workspace.store)
    made = workspace.bearer("coordinator").post(
        "/api/themes", json={"name": "Care at home", "group": "carers"}
    )
    assert made.status_code == 201
    tab = signed_in(browser, workspace.url, "coordinator")
    problems: dict[str, list[str]] = {}

    # Filter: Polish views only.
    tab.get_by_label("Language").select_option("pl")
    tab.get_by_role("button", name="Apply filters").click()
    tab.wait_for_url("**language=pl**")
    assert tab.locator("#count").inner_text().startswith("1 view")
    assert tab.locator(".words").all_inner_texts() == ["Autobus się spóźnia"]
    problems["views"] = axe_problems(tab)
    shot(tab, "views-inbox")

    # Share it with the carers group.
    tab.get_by_label("Choose the view").first.check()
    tab.get_by_label("Do", exact=True).select_option("share")
    tab.get_by_label("Working group").fill("carers")
    tab.get_by_role("button", name="Apply", exact=True).click()
    assert "Shared 1 view(s) with carers" in tab.locator(".notice").inner_text()

    # A theme whose Polish keyword suggests the view; confirm the suggestion.
    tab.click("nav >> text=Themes")
    tab.get_by_label("Name").fill("Transport")
    tab.get_by_label("Polish").fill("autobus")
    tab.get_by_role("button", name="Create theme").click()
    assert "1 view(s) suggested by keyword" in tab.locator(".notice").inner_text()
    problems["themes"] = axe_problems(tab)
    shot(tab, "themes")
    tab.get_by_role("link", name="Transport").click()
    tab.get_by_role("button", name="Confirm").click()
    assert "Suggestion confirmed" in tab.locator(".notice").inner_text()
    assert tab.locator("section h3").all_inner_texts() == ["Polish (1)"]
    problems["theme"] = axe_problems(tab)
    shot(tab, "theme")

    # The view: its answer history and a note.
    tab.goto(workspace.url + "/views/v4")
    assert "answered this question 2 times" in tab.content()
    tab.get_by_label("Add a note").fill("Ask the care provider about weekends")
    tab.get_by_role("button", name="Add note").click()
    assert "Ask the care provider" in tab.content()
    problems["view"] = axe_problems(tab)
    shot(tab, "view")

    # Export the Polish views as CSV.
    tab.goto(workspace.url + "/export?language=pl")
    problems["export"] = axe_problems(tab)
    shot(tab, "export")
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Autobus się spóźnia" in text and "Lepszy" not in text
    assert not any(n in text or n[1:] in text for n in NUMBERS)

    # The member sees the shared view only, and tags it with the group's theme.
    member = signed_in(browser, workspace.url, "member")
    assert member.locator(".words").all_inner_texts() == ["Autobus się spóźnia"]
    member.get_by_label("Choose the view").first.check()
    member.get_by_label("Theme", exact=True).last.select_option(label="Care at home")
    member.get_by_role("button", name="Apply", exact=True).click()
    assert "Tagged 1 view(s) with Care at home" in member.locator(".notice").inner_text()
    assert "Care at home" in member.locator("ol.views").inner_text()
    problems["member views"] = axe_problems(member)
    shot(member, "member-views")
    assert "Export" not in member.get_by_role("navigation", name="Main").inner_text()
    member.goto(workspace.url + "/export")
    assert "Not for your role" in member.title()

    assert problems == {name: [] for name in problems}
