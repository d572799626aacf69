"""The simulator as a person uses it: a real Chromium, typing and tapping, through the app with
its workers running. Needs Chromium (`apt-get install chromium`) and Playwright's Python package
(in the dev extras): skipped without them on a user's machine, a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue import load_catalogue
from storage.sql import SqlStore
from tests.support.browser import chromium
from tests.web.harness import Brains, pipeline


@pytest.fixture
def page(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Any]:
    with (
        chromium() as browser,
        pipeline(brains, sql_store, tmp_path, twilio=False, telegram=False, workers=True) as heard,
    ):
        tab = browser.new_page()
        tab.set_default_timeout(20_000)
        tab.goto(f"{heard.url}/simulator")
        yield tab


def send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#compose button[type=submit]")


def test_an_sms_conversation_in_polish_shows_each_reply_with_its_cost(page: Any) -> None:
    polish = load_catalogue()
    page.fill("#from", "+447700900411")
    send(page, "Dzień dobry, chcę coś powiedzieć")
    hello = polish.text("pl", "standard", "consent.about").text.split("{org}")[0].strip()
    page.wait_for_selector(f"#log li.heard:has-text('{hello}')")
    meta = page.locator("#log li.heard .meta").first.inner_text()
    assert meta.startswith("SMS: UCS-2,")  # Polish letters cost UCS-2 segments


def test_on_telegram_the_choices_are_buttons_a_person_can_tap(page: Any) -> None:
    page.check("#ch-telegram")
    page.fill("#from", "555000111")
    send(page, "ok")  # no greeting ("hello" is confirmed as English): the language menu
    english = page.locator("#buttons button.choice", has_text="English")
    english.wait_for()
    english.click()
    # Choosing English by tapping moves on to the consent question: its two buttons appear.
    page.wait_for_selector("#buttons button.choice:has-text('Yes')")
    labels = page.locator("#buttons button.choice").all_inner_texts()
    assert len(labels) == 2


def test_arabic_bubbles_read_right_to_left_with_latin_words_inside(page: Any) -> None:
    page.fill("#from", "+447700900412")
    send(page, "مرحبا، أسكن في CF10")
    mine = page.locator("#log li.person .words").first
    mine.wait_for()
    assert mine.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.locator("#log li.heard").first.wait_for()
    send(page, "Hello, CF10 please")
    latin = page.locator("#log li.person .words").nth(1)
    latin.wait_for()
    assert latin.evaluate("e => getComputedStyle(e).direction") == "ltr"
