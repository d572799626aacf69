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
    transcript = chat(
        tmp_path, ["Hi there", "yes", "1", "bye", "why?", "no more messages", "1", "tell me more"]
    )
    retry = english.text("en", "standard", "retry.yes_no").text
    stopped = english.text("en", "standard", "common.stopped").text
    assert transcript.count(retry) == 2  # "bye" and "why?" are asked again, saying what to send
    assert stopped in transcript
    after_stop = transcript.split(stopped, 1)[1]
    assert "heard> " not in after_stop  # nothing more is sent, not even to "1"
    assert views(tmp_path) == []


def test_back_replaces_the_stored_answer(tmp_path: Path) -> None:
    lines = [
        "hello",
        "yes",  # carry on in English
        "1",  # standard
        "yes",  # keep my answers
        "no",
        "no",
        "1",  # have your say
        "More buses on Sundays",
        "2 please",  # what matters: activities
        "go back",
        "I think number 3",  # staff who understand, instead
        "4",
    ]
    transcript = chat(tmp_path, lines)
    again = load_catalogue().text("en", "standard", "back.again").text
    assert again in transcript
    stored = {(v["question_id"], v["answer_value"]) for v in views(tmp_path)}
    assert stored == {
        ("q_better", "More buses on Sundays"),
        ("q_matters", "staff"),  # "2 please" (activities) was replaced, not kept beside it
        ("q_rating", "4"),
    }
