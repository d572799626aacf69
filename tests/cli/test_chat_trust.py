"""Consent, STOP and BACK through `heard chat`, with the real classifier and a real store."""

from __future__ import annotations

import json
from pathlib import Path

from bot.catalogue import load_catalogue
from tests.cli.test_heard_command import run_heard

PHONE = "+447709999999"


def chat(data_dir: Path, lines: list[str]) -> str:
    result = run_heard(
        ["chat", "--channel", "sms", "--from", PHONE], data_dir, "\n".join(lines) + "\n"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def views(data_dir: Path) -> list[dict[str, str]]:
    result = run_heard(["export", "views", "--format", "jsonl"], data_dir)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_bye_is_not_consent_and_no_more_messages_stops(tmp_path: Path) -> None:
    english = load_catalogue()
    # "Hi there" names English: the consent question comes at once. "bye" and "why?" read as
    # English, so each gets the question again, saying exactly what to send (a reply that
    # looked like another language would get the language menu).
    transcript = chat(tmp_path, ["Hi there", "bye", "why?", "no more messages", "1", "tell me"])
    retry = english.text("en", "standard", "retry.yes_no").text
    stopped = english.text("en", "standard", "common.stopped").text
    menu = english.text("en", "standard", "welcome.choose_language").text
    assert menu not in transcript
    assert transcript.count(retry) == 2
    assert stopped in transcript
    after_stop = transcript.split(stopped, 1)[1]
    assert "heard> " not in after_stop  # nothing more is sent, not even to "1"
    assert views(tmp_path) == []


def test_back_replaces_the_stored_answer(tmp_path: Path) -> None:
    lines = [
        "hello",  # English: the consent question comes at once
        "yes",  # keep my answers: the consultation's first question
        "More buses on Sundays",
        "2 please",  # what matters: activities
        "go back",
        "I think number 1",  # getting there, instead
        "4",
    ]
    transcript = chat(tmp_path, lines)
    again = load_catalogue().text("en", "standard", "back.again").text
    assert again in transcript
    stored = {(v["question_id"], v["answer_value"]) for v in views(tmp_path)}
    assert stored == {
        ("q_better", "More buses on Sundays"),
        ("q_matters", "getting_there"),  # "2 please" (activities) was replaced, not kept
        ("q_rating", "4"),
    }


def test_ok_bye_is_no_yes_and_start_comes_back_to_the_question(tmp_path: Path) -> None:
    catalogue = load_catalogue()

    def text(text_id: str) -> str:
        return catalogue.text("en", "standard", text_id).text

    transcript = chat(tmp_path, ["Hi there", "ok bye", "huh", "yes please", "STOP", "START"])
    assert transcript.count(text("retry.yes_no")) == 2  # "ok bye" and "huh" are asked again
    assert text("welcome.choose_language") not in transcript
    after_start = transcript.split("you> START", 1)[1]
    assert text("common.started_resume") in after_start
    assert text("hys.q_better") in after_start  # the question they were at
