"""Configuration a deployment cannot run without is refused at start-up, with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings

KEY = "k" * 40


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        pytest.param({"HEARD_ENV": "production", "HEARD_SECRET_KEY": KEY}, "HEARD_CONTACT",
                     id="production-without-contact"),
        pytest.param({"HEARD_ENV": "production", "HEARD_SECRET_KEY": KEY, "HEARD_CONTACT": " "},
                     "HEARD_CONTACT", id="production-with-a-blank-contact"),
        pytest.param({"HEARD_ENV": "production", "HEARD_CONTACT": "privacy@council.example"},
                     "HEARD_SECRET_KEY", id="production-without-key"),
        pytest.param({"HEARD_INBOX_RETENTION_DAYS": "0", "HEARD_SECRET_KEY": KEY},
                     "HEARD_INBOX_RETENTION_DAYS", id="no-retention"),
        pytest.param({"HEARD_MESSAGE_LOG_RETENTION_DAYS": "a month", "HEARD_SECRET_KEY": KEY},
                     "HEARD_MESSAGE_LOG_RETENTION_DAYS", id="retention-not-a-number"),
    ],
)
def test_a_configuration_that_cannot_work_is_refused(
    tmp_path: Path, env: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_settings(env | {"HEARD_DATA_DIR": str(tmp_path)})


def test_production_with_a_contact_fills_it_into_messages(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "HEARD_ENV": "production",
            "HEARD_SECRET_KEY": KEY,
            "HEARD_CONTACT": "privacy@council.example",
            "HEARD_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.deployment["contact"] == "privacy@council.example"


def test_development_needs_no_contact(tmp_path: Path) -> None:
    settings = load_settings({"HEARD_DATA_DIR": str(tmp_path)})
    assert settings.deployment["contact"] == ""


def test_the_heard_command_names_the_missing_contact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARD_ENV", "production")
    monkeypatch.setenv("HEARD_SECRET_KEY", KEY)
    monkeypatch.delenv("HEARD_CONTACT", raising=False)
    monkeypatch.setenv("HEARD_DATA_DIR", str(tmp_path))
    assert main(["worker"]) == 2
    assert "HEARD_CONTACT is required" in capsys.readouterr().err
