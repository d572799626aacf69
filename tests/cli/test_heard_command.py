"""The `heard` command as a person runs it: a real process, a real SQLite file, piped stdin."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalogue import load_catalogue

HEARD = Path(sys.executable).parent / "heard"
PHONE = "+447700900123"


def run_heard(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_URL"))}
    env.update(
        HEARD_DATA_DIR=str(data_dir),
        HEARD_SECRET_KEY="t" * 43,
        RASA_URL="",
        PYTHONIOENCODING="utf-8",
    )
    return subprocess.run(
        [str(HEARD), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def polish_chat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("heard-pl")
    lines = [
        "Dzień dobry, chciałabym podzielić się swoją opinią",
        "tak",  # carry on in Polish
        "1",  # standard wording
        "tak",  # share views
        "nie",  # no contact about working groups
        "nie",  # no questions about me
        "1",  # have your say
        "Lepszy transport do ośrodka",
    ]
    result = run_heard(
        ["chat", "--channel", "sms", "--from", PHONE], data_dir, "\n".join(lines) + "\n"
    )
    assert result.returncode == 0, result.stderr
    return data_dir, result.stdout


def test_a_polish_sms_conversation_reaches_consent_in_polish(polish_chat: tuple[Path, str]) -> None:
    _, transcript = polish_chat
    polish = load_catalogue()
    consent_question = polish.text("pl", "standard", "consent.ask_share_views").text
    assert consent_question.splitlines()[0] in transcript
    assert "[SMS: " in transcript  # every message shows its encoding and segment count


def test_the_view_is_exported_with_language_pl(polish_chat: tuple[Path, str]) -> None:
    data_dir, _ = polish_chat
    result = run_heard(["export", "views", "--format", "jsonl"], data_dir)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    answer = [r for r in rows if r["original_text"] == "Lepszy transport do ośrodka"]
    assert answer, rows
    assert answer[0]["language"] == "pl"
    assert answer[0]["channel"] == "sms"
    assert answer[0]["consultation"] == "day-services-2026"
    assert PHONE not in result.stdout  # coordinators see a pseudonymous id, never the number


def test_csv_export_has_a_header_and_the_view(polish_chat: tuple[Path, str]) -> None:
    data_dir, _ = polish_chat
    result = run_heard(["export", "views", "--format", "csv"], data_dir)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["original_text"] == "Lepszy transport do ośrodka" for r in rows)
    assert {"question_text", "language", "register", "channel", "at"} <= set(rows[0])


def test_the_database_file_holds_no_plaintext_phone_number(polish_chat: tuple[Path, str]) -> None:
    data_dir, _ = polish_chat
    blob = b"".join(p.read_bytes() for p in data_dir.glob("heard.sqlite*"))
    for form in (PHONE, PHONE.lstrip("+"), "07700900123"):
        assert form.encode() not in blob


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "x" * 5000,
        "😀😀😀",
        "\x00\x07\x1b[31mred\x1b[0m",
        "Hello مرحبا ਸਤ ਸ੍ਰੀ ਅਕਾਲ cześć",
    ],
    ids=["empty", "5000-chars", "emoji-only", "control-chars", "mixed-scripts"],
)
def test_hostile_input_gets_a_reply_and_no_crash(tmp_path: Path, hostile: str) -> None:
    result = run_heard(["chat", "--channel", "telegram", "--from", "100200300"], tmp_path,
                       hostile + "\nhello\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("heard> ") >= 2  # one reply per line at least
    assert "something went wrong" not in result.stdout


def test_telegram_chat_reads_commands_as_the_app_sends_them(tmp_path: Path) -> None:
    english = load_catalogue()
    result = run_heard(
        ["chat", "--channel", "telegram", "--from", "100200301"],
        tmp_path,
        "/start\n/help\n/stop\n",
    )
    assert result.returncode == 0, result.stderr
    replies = result.stdout.split("you> ")
    menu = english.text("en", "standard", "welcome.choose_language").text
    assert menu in replies[1]  # /start greets with the language menu, never "not understood"
    # Telegram's own wording of these messages ("Send MENU", not "Text MENU")
    assert english.text("en", "standard", "common.help@telegram").text in replies[2]
    assert english.text("en", "standard", "common.stopped@telegram").text in replies[3]


def test_lint_reports_no_errors(tmp_path: Path) -> None:
    result = run_heard(["lint"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nlu_parse_prints_rasa_shaped_json(tmp_path: Path) -> None:
    result = run_heard(["nlu", "parse", "nie dziękuję", "--lang", "pl"], tmp_path)
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["text"] == "nie dziękuję"
    assert parsed["intent"]["name"] == "deny"
    assert {"intent_ranking", "language"} <= set(parsed)


def test_export_filters_write_files_and_refuse_a_mistyped_consultation(
    polish_chat: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, _ = polish_chat
    book = tmp_path / "views.xlsx"
    made = run_heard(
        ["export", "views", "--format", "xlsx", "--output", str(book), "--language", "pl"],
        data_dir,
    )
    assert made.returncode == 0, made.stderr
    assert book.read_bytes()[:2] == b"PK" and " written to " in made.stderr
    assert "Exported" not in made.stderr  # no progress bar when stderr is not a terminal
    none = run_heard(["export", "views", "--language", "cy"], data_dir)
    assert none.returncode == 0 and none.stdout.count("\n") == 1  # the header only
    wrong = run_heard(["export", "views", "--consultation", "day-services"], data_dir)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert "no consultation 'day-services'" in wrong.stderr and "day-services-2026" in wrong.stderr
    last = run_heard(["export", "views", "--until", "9999-12-31"], data_dir)
    assert last.returncode == 2 and "is not a date like" in last.stderr
    assert "Traceback" not in last.stderr
