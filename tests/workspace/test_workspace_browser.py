"""The workspace in a real Chromium: signing in with the keyboard, acknowledging an alert that a
conversation raised through the Twilio webhook, revealing contact details with a reason, a
member refused a coordinator page, and axe-core (vendored) on every page of the workspace.

Screenshots of the main pages are saved to $HEARD_SCREENSHOTS (default var/screenshots, ignored
by git; the README's are refreshed with HEARD_SCREENSHOTS=docs/screenshots). Needs Chromium and
Playwright: skipped without them on a user's machine, a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.records import Role
from tests.support.browser import axe_problems, chromium, shot
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, email_of
from tests.workspace.test_route_table import PUBLIC, app_routes
from tests.workspace.test_safety_queue import NUMBER, WORDS, raise_alert
from tests.workspace.test_views_api import _seed as seed_views

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def new_tab(browser: Any, phone: bool = False) -> Any:
    # axe is added as a script tag: the pages' Content-Security-Policy would refuse it.
    context = browser.new_context(bypass_csp=True, viewport=PHONE if phone else None)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    return tab


def sign_in_with_keyboard(tab: Any, url: str, role: Role, path: str = "/") -> None:
    tab.goto(url + path)
    assert "/sign-in" in tab.url  # signed out: sent to sign in
    order = []
    for _ in range(3):  # the skip link, the site name, then the email field
        tab.keyboard.press("Tab")
        focused = "document.activeElement.className || document.activeElement.id"
        order.append(tab.evaluate(focused))
    assert order[0] == "skip" and order[-1] == "email", order
    tab.keyboard.type(email_of(role))
    tab.keyboard.press("Tab")
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(url + path)


def test_a_coordinator_signs_in_and_acknowledges_an_alert_from_a_conversation(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    item = raise_alert(workspace)  # an SMS conversation through the signed Twilio webhook
    tab = new_tab(browser)
    tab.goto(workspace.url + "/")
    shot(tab, "sign-in")
    sign_in_with_keyboard(tab, workspace.url, "coordinator")
    assert tab.locator("text=1 waiting for someone to act").is_visible()
    shot(tab, "home")
    tab.click("nav >> text=Safety queue")
    card = tab.locator(f"#{item}")
    assert WORDS in card.locator("blockquote").inner_text()
    assert NUMBER not in tab.content()
    shot(tab, "safety-queue")
    phone = new_tab(browser, phone=True)
    sign_in_with_keyboard(phone, workspace.url, "coordinator", "/safety")
    shot(phone, "safety-queue-phone")
    outcome = "Called back; referred to adult social care"
    card.get_by_label("What was done (the outcome)").fill(outcome)
    card.get_by_role("button", name="Acknowledge").click()
    tab.wait_for_selector("text=Nothing is waiting.")
    assert outcome in tab.locator("table").inner_text()


def test_a_coordinator_reveals_the_number_with_a_reason_and_an_admin_reads_it_in_the_log(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    item = raise_alert(workspace)
    tab = new_tab(browser)
    sign_in_with_keyboard(tab, workspace.url, "coordinator", "/safety")
    card = tab.locator(f"#{item}")
    card.get_by_label("Why do you need their phone number?").fill("To call them back today")
    card.get_by_role("button", name="Reveal contact details").click()
    tab.wait_for_selector("#contact-address")
    assert tab.locator("#contact-address").inner_text() == NUMBER
    admin = new_tab(browser)
    sign_in_with_keyboard(admin, workspace.url, "admin", "/audit")
    row = admin.locator("tbody tr").first.inner_text()
    assert "reveal contact" in row and "To call them back today" in row and item in row
    assert email_of("coordinator") in row
    shot(admin, "audit-log")


def test_a_working_group_member_is_refused_a_coordinator_page(
    workspace: WorkspaceUnderTest, browser: Any
) -> None:
    raise_alert(workspace)
    tab = new_tab(browser)
    sign_in_with_keyboard(tab, workspace.url, "member")
    assert tab.locator("nav >> text=Safety queue").count() == 0
    response = tab.goto(workspace.url + "/safety")
    assert response.status == 403
    assert tab.locator("h1").inner_text() == "This page is not for your role"
    assert WORDS not in tab.content()
    shot(tab, "refused")


# Files to download, not pages: the pages linking to them are checked instead.
DOWNLOADS = (".csv", ".xlsx", ".jsonl")

# A page whose path holds a parameter is visited at the sample path given here.
SAMPLE_PATHS: dict[str, str] = {"/views/{view_id}": "/views/v4", "/themes/{theme_id}": "/themes/1"}
# Consultations made in the workspace: the sample seeded below.
SAMPLE_PATHS["/consultations/{cid}"] = "/consultations/buses"


def seed_consultation(workspace: WorkspaceUnderTest) -> None:
    """A consultation made in the workspace (`/consultations/buses`)."""
    from bot.workspace import consult
    from tests.consult.drafts import buses

    runtime = workspace.heard.runtime
    with workspace.store.unit_of_work() as uow:
        draft = consult.ConsultationIn.model_validate(buses())
        consult.create(uow, draft, "c", datetime.now(UTC), runtime.flows, runtime.catalogue)
        uow.commit()


# Translations: a PO file is a download, not a page; the page linking to it is checked.
SAMPLE_PATHS["/translations/po/{language}"] = "/translations"


def seed_group_and_update(workspace: WorkspaceUnderTest, theme_id: int) -> dict[str, str]:
    """A working group with recruitment details and a draft update: their pages' samples."""
    from storage.records import GroupDetails

    now = datetime.now(UTC)
    details = GroupDetails(
        name="Carers voice",
        purpose="Shape respite care",
        topics=("carers",),
        meeting_pattern="First Tuesday, 6pm",
        support=("interpreter",),
        attendance="both",
    )
    with workspace.store.unit_of_work() as uow:
        group = uow.groups.create(details, "c", now)
        update = uow.updates.create(theme_id, "Buses", "c", now)
        uow.commit()
    return {
        "/groups/{group_id}": f"/groups/{group.group_id}",
        "/updates/{update_id}": f"/updates/{update.update_id}",
    }


def test_every_workspace_page_passes_axe(
    workspace: WorkspaceUnderTest, browser: Any, tmp_path: Path
) -> None:
    item = raise_alert(workspace)
    seed_views(workspace.store)  # the views pages' samples: view v4 and theme 1
    with workspace.store.unit_of_work() as uow:
        theme = uow.themes.create("Transport", datetime.now(UTC), keywords={"pl": ["autobus"]})
        uow.themes.tag(["v1"], theme.theme_id, "confirmed", "person", None, datetime.now(UTC))
        uow.commit()
    seed_consultation(workspace)
    samples = {**SAMPLE_PATHS, **seed_group_and_update(workspace, theme.theme_id)}
    pages = sorted(
        {
            samples.get(w.path, w.path)
            for w in app_routes(str(tmp_path))
            if w.method == "GET"
            and w.role is not None
            and not w.api
            and not w.path.endswith(DOWNLOADS)
        }
    )
    assert {"/", "/safety", "/users", "/audit"} <= set(pages)
    problems: dict[str, list[str]] = {}

    def check(tab: Any, label: str) -> None:
        found = axe_problems(tab)
        if found:
            problems[label] = found

    anonymous = new_tab(browser)
    anonymous.goto(workspace.url + "/sign-in")
    check(anonymous, "/sign-in")
    anonymous.fill("#email", email_of("member"))
    anonymous.fill("#password", "a wrong password here")
    anonymous.click("button[type=submit]")
    check(anonymous, "/sign-in (with an error)")

    admin = new_tab(browser)
    sign_in_with_keyboard(admin, workspace.url, "admin")
    for path in pages:
        assert "{" not in path, f"give {path} a sample path in SAMPLE_PATHS"
        admin.goto(workspace.url + path)
        check(admin, path)
    admin.goto(workspace.url + "/users")
    shot(admin, "users")
    admin.goto(workspace.url + "/safety")
    admin.locator(f"#{item}").get_by_label("Why do you need their phone number?").fill(
        "Checking the page for accessibility"
    )
    admin.locator(f"#{item}").get_by_role("button", name="Reveal contact details").click()
    admin.wait_for_selector("#contact-address")
    check(admin, "contact details")

    member = new_tab(browser, phone=True)
    sign_in_with_keyboard(member, workspace.url, "member")
    check(member, "/ (member, phone)")
    member.goto(workspace.url + "/safety")
    check(member, "refused (member)")
    assert problems == {}


def test_public_routes_are_few(tmp_path: Path) -> None:
    """The pages a visitor reaches without signing in are the sign-in page only."""
    visible = {p for (m, p) in PUBLIC if m == "GET" and not p.startswith(("/static", "/sim"))}
    assert visible == {"/healthz", "/sign-in"}
