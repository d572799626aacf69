"""The help lines and the follow-up promise a deployment sets in its environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ENV_VARS, ConfigError, load_settings
from bot.engine.settings import Deployment

KEY = {"HEARD_SECRET_KEY": "k" * 40}


def deployment(tmp_path: Path, **env: str) -> Deployment:
    settings = load_settings({**KEY, "HEARD_DATA_DIR": str(tmp_path), **env})
    return Deployment.from_mapping(settings.deployment)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {},
            ("116 123", "Samaritans", "0808 2000 247", "National Domestic Abuse Helpline", "999"),
        ),
        (
            {"HEARD_HELPLINE": "0800 1", "HEARD_HELPLINE_SELF_NAME": "Listen"},
            ("0800 1", "Listen", "0808 2000 247", "National Domestic Abuse Helpline", "999"),
        ),
        (
            {
                "HEARD_HELPLINE": "0800 1",
                "HEARD_HELPLINE_SELF": "0800 2",
                "HEARD_HELPLINE_SELF_NAME": "Listen",
                "HEARD_HELPLINE_ABUSE": "0800 3",
                "HEARD_HELPLINE_ABUSE_NAME": "Safe Homes",
                "HEARD_EMERGENCY": "112",
            },
            ("0800 2", "Listen", "0800 3", "Safe Homes", "112"),
        ),
        (
            {"HEARD_HELPLINE_SELF": "116 123"},  # the default number keeps its own name
            ("116 123", "Samaritans", "0808 2000 247", "National Domestic Abuse Helpline", "999"),
        ),
    ],
)
def test_help_lines_come_from_the_environment(
    tmp_path: Path, env: dict[str, str], expected: tuple[str, ...]
) -> None:
    d = deployment(tmp_path, **env)
    params = d.params()
    names = ("helpline_self", "helpline_self_name", "helpline_abuse", "helpline_abuse_name")
    assert (*(params[n] for n in names), params["emergency"]) == expected
    assert params["helpline"] == params["helpline_self"]  # older texts' {helpline}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HEARD_HELPLINE": "0800 1"}, "HEARD_HELPLINE_SELF_NAME"),
        ({"HEARD_HELPLINE_SELF": "0800 1"}, "HEARD_HELPLINE_SELF_NAME"),
        ({"HEARD_HELPLINE_ABUSE": "0800 1"}, "HEARD_HELPLINE_ABUSE_NAME"),
    ],
)
def test_a_changed_number_without_its_name_is_refused(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    """Otherwise the shipped texts would print "Samaritans" beside another service's number."""
    with pytest.raises(ConfigError, match=named):
        deployment(tmp_path, **env)


@pytest.mark.parametrize(
    ("value", "follow_up"), [("", False), ("0", False), ("1", True), ("true", True)]
)
def test_the_follow_up_promise_is_off_unless_set(
    tmp_path: Path, value: str, follow_up: bool
) -> None:
    assert deployment(tmp_path, HEARD_SAFEGUARDING_FOLLOW_UP=value).coordinators_follow_up is (
        follow_up
    )


def test_a_follow_up_setting_that_is_not_yes_or_no_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HEARD_SAFEGUARDING_FOLLOW_UP"):
        deployment(tmp_path, HEARD_SAFEGUARDING_FOLLOW_UP="sometimes")


def test_every_safeguarding_variable_is_documented() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ENV_VARS:
        if "HELPLINE" in name or name in ("HEARD_EMERGENCY", "HEARD_SAFEGUARDING_FOLLOW_UP"):
            assert f"`{name}`" in readme, name
