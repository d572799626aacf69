"""`heard chat` is handed the same content as the inbox worker: a consultation opened in the
workspace (stored in the database) is reachable by its keyword, on a real SQLite store."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from bot.chat import run_chat
from bot.config import load_settings
from bot.runtime import Runtime
from bot.workspace.consult import ConsultationIn, document
from tests.consult.drafts import OPEN_QUESTION, buses

PHONE = "+447700900124"


def _chat(data_dir: Path, lines: list[str]) -> str:
    settings = load_settings({"HEARD_DATA_DIR": str(data_dir), "RASA_URL": ""})
    out = io.StringIO()
    assert run_chat(settings, "sms", PHONE, io.StringIO("\n".join(lines) + "\n"), out) == 0
    return out.getvalue()


def test_a_consultation_opened_in_the_store_is_reached_by_its_keyword(tmp_path: Path) -> None:
    question = OPEN_QUESTION["en"][0]
    # Before it is opened, the keyword is an ordinary message and the question never comes.
    assert question not in _chat(tmp_path, ["hello", "buses", "yes"])
    settings = load_settings({"HEARD_DATA_DIR": str(tmp_path), "RASA_URL": ""})
    at = datetime.now(UTC)
    with Runtime(settings).store.unit_of_work() as uow:
        stored = document(ConsultationIn.model_validate(buses()), "buses", 1).json()
        uow.consultations.create("buses", "buses", stored, by="c@example.org", at=at)
        uow.consultations.open_version("buses", 1, at)
        uow.commit()
    # The same person, mid-way through the consultation of `flows/`, texts the keyword.
    transcript = _chat(tmp_path, ["buses"])
    assert transcript.count(question) == 1
