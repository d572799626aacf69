"""Who has been heard, in a real Chromium: a coordinator uploads the sample Cardiff baseline
from the repository, sees the under-heard groups named in words and marked by shape (the
chart and the table), and re-invites them after a confirmation that says how many people
will get the message. axe-core (vendored) checks both pages for serious problems. Needs
Chromium and Playwright: skipped without them on a user's machine, a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import axe_problems, chromium, shot
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, email_of
from tests.workspace.test_reach_api import SAMPLE, seed_reach


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_upload_the_sample_baseline_see_the_under_heard_and_re_invite_them(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    # 90 White people and 6 Asian people: 5% of those whose group is known, against 8.0% of
    # Cardiff (below 80% of it: under-heard); 3 Black people show as "fewer than 5".
    seed_reach(workspace.store, white=90)
    tab = browser.new_context(bypass_csp=True).new_page()
    tab.set_default_timeout(20_000)
    tab.goto(workspace.url + "/reach")
    tab.get_by_label("Email").fill(email_of("coordinator"))
    tab.get_by_label("Password").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(workspace.url + "/reach")
    problems: dict[str, list[str]] = {"reach, no baseline": axe_problems(tab)}
    assert "No population baseline yet" in tab.content()

    tab.get_by_label("Baseline CSV file").set_input_files(str(SAMPLE))
    tab.get_by_label("Where the figures come from").fill("Census 2011, Cardiff")
    tab.get_by_role("button", name="Upload baseline").click()
    assert "The baseline was replaced" in tab.locator(".notice").first.inner_text()

    ethnic = tab.locator("#dim-ethnic_group")
    under = ethnic.locator("p.under-heard").inner_text()
    assert "Under-heard" in under and "Asian" in under
    asian_row = ethnic.locator("tr", has_text="Asian")
    assert "under-heard" in asian_row.inner_text()
    assert "fewer than 5" in ethnic.locator("tr", has_text="Black").inner_text()
    chart = ethnic.locator("svg.chart")
    assert "under-heard" in (chart.text_content() or "")  # words in the chart, not a colour
    assert chart.locator("polygon").count() >= 1  # and the triangle beside them
    assert "Representativeness" in ethnic.inner_text()
    problems["reach"] = axe_problems(tab)
    shot(tab, "reach")

    ethnic.get_by_role("button", name="Re-invite under-heard groups (Ethnic group)…").click()
    will_receive = tab.locator("#will-receive").inner_text()
    assert "This will send one message to about 5 people" in will_receive
    problems["confirm"] = axe_problems(tab)
    shot(tab, "reach-reinvite")
    tab.get_by_role("button", name="Send the re-invitation").click()
    tab.wait_for_url("**/reach?reinvited=*")  # the answer is a redirect: read the page it ends on
    tab.wait_for_load_state()
    assert "Re-invitation queued for about 5 people" in tab.content()
    assert problems == {name: [] for name in problems}
