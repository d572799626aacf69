"""Working groups in a real Chromium: a coordinator creates a group with its support, sees a
person who joined by SMS as interested with their access needs, moves them to contacted with an
invitation, and after the person's YES sees them joined. axe-core (vendored) checks the pages
for serious problems. Needs Chromium and Playwright: skipped without them on a user's machine,
a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.browser import axe_problems, chromium, shot
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, email_of
from tests.workspace.test_groups import JOIN_IN_POLISH, NUMBER, say, texts_to


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_create_a_group_invite_a_volunteer_and_see_them_join(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    url = workspace.url
    tab = browser.new_context(bypass_csp=True).new_page()
    tab.set_default_timeout(20_000)
    tab.goto(url + "/groups")
    tab.get_by_label("Email").fill(email_of("coordinator"))
    tab.get_by_label("Password").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(url + "/groups")
    problems: dict[str, list[str]] = {"groups": axe_problems(tab)}

    tab.get_by_label("Name").fill("Day services panel")
    tab.get_by_label("Purpose: what the group is for").fill("Shape day centres")
    tab.get_by_label("Day services").check()
    tab.get_by_label("Interpreter", exact=True).check()
    tab.get_by_label("Step-free venue").check()
    tab.get_by_label("Online and in person").check()
    tab.get_by_role("button", name="Create group").click()
    tab.wait_for_url("**/groups/*")
    assert "Group created." in tab.locator(".notice").inner_text()
    group_path = tab.url.split("?")[0]

    say(workspace, NUMBER, *JOIN_IN_POLISH)
    tab.goto(group_path)
    card = tab.locator("article.card").first
    assert "Interested (1)" in tab.locator("#stage-interested-h").inner_text()
    assert "Text message" in card.inner_text() and "Polish" in card.inner_text()
    assert NUMBER[-9:] not in tab.content()
    problems["pipeline"] = axe_problems(tab)
    shot(tab, "group-pipeline")

    card.get_by_label("Move to").select_option("contacted")
    card.get_by_label("Send an invitation").check()
    card.get_by_label("Meeting date").fill("2099-12-09")
    card.get_by_role("button", name="Move").click()
    tab.wait_for_url("**moved=**")
    assert "Contacted (1)" in tab.locator("#stage-contacted-h").inner_text()
    # Playwright's sync API runs an event loop in this thread: the outbox drains in another.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(workspace.heard.run_all).result()
    assert "2099-12-09" in texts_to(workspace, NUMBER)[-1]

    say(workspace, NUMBER, "tak")
    tab.reload()
    assert "Joined (1)" in tab.locator("#stage-joined-h").inner_text()
    problems["joined"] = axe_problems(tab)
    shot(tab, "group-joined")
    assert problems == {"groups": [], "pipeline": [], "joined": []}
