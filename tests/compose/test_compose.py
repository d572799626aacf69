"""docker-compose.yml and the Dockerfile, checked without Docker.

The file is validated against the Compose specification's JSON Schema (vendored; see
SOURCE.md), then against what Heard needs: the three services, their ports, the Rasa version
that scripts/rasa-service.sh installs, and only environment variables that Heard reads.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.config import ENV_VARS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SCHEMA_FILE = Path(__file__).with_name("compose_spec.json")
RASA_SCRIPT = ROOT / "scripts" / "rasa-service.sh"


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_vendored_schema_is_a_valid_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)


def test_compose_file_follows_the_compose_specification() -> None:
    assert schema_errors(load_compose()) == []


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("services.bot.portz", ["8000:8000"]),
        ("services.rasa.healthcheck.intervall", "15s"),
        ("services.bot.depends_on.rasa.condition", "service_ready"),
        ("volumes.rasa-models", "not a mapping"),
    ],
)
def test_the_schema_check_catches_mistakes(path: str, value: Any) -> None:
    broken = copy.deepcopy(load_compose())
    _set(broken, path, value)
    assert schema_errors(broken) != []


def test_services() -> None:
    services = load_compose()["services"]
    assert set(services) == {"bot", "postgres", "rasa"}
    assert "8000:8000" in services["bot"]["ports"]
    assert any(str(p).endswith(":5005:5005") for p in services["rasa"]["ports"])


def test_rasa_is_the_version_the_local_script_installs() -> None:
    script = RASA_SCRIPT.read_text(encoding="utf-8")
    match = re.search(r"^readonly RASA_VERSION=(\S+)$", script, re.MULTILINE)
    assert match, "RASA_VERSION not found in scripts/rasa-service.sh"
    assert load_compose()["services"]["rasa"]["image"] == f"rasa/rasa:{match.group(1)}-full"


def test_rasa_trains_on_the_mounted_data_and_requires_a_token() -> None:
    rasa = load_compose()["services"]["rasa"]
    assert "./nlu_data:/app/nlu_data:ro" in rasa["volumes"]
    command = " ".join(rasa["command"])
    assert "rasa train nlu --nlu /app/nlu_data --config /app/nlu_data/config.yml" in command
    assert '--enable-api --auth-token "$$RASA_TOKEN"' in command
    assert "RASA_TOKEN" in rasa["environment"]


def test_bot_passes_only_variables_heard_reads() -> None:
    environment = load_compose()["services"]["bot"]["environment"]
    assert set(environment) - set(ENV_VARS) == set()
    needed = {"DATABASE_URL", "RASA_URL", "RASA_TOKEN", "HEARD_SECRET_KEY", "HEARD_PUBLIC_URL"}
    assert needed <= set(environment)
    assert environment["RASA_URL"] == "http://rasa:5005"
    assert "@postgres:5432/" in environment["DATABASE_URL"]


def test_bot_starts_after_healthy_dependencies() -> None:
    services = load_compose()["services"]
    depends = services["bot"]["depends_on"]
    assert depends == {
        "postgres": {"condition": "service_healthy"},
        "rasa": {"condition": "service_healthy"},
    }
    for name in [*depends, "bot"]:
        assert "test" in services[name]["healthcheck"], f"{name} has no healthcheck"
    assert "/healthz" in " ".join(services["bot"]["healthcheck"]["test"])


def test_volumes_are_named() -> None:
    compose = load_compose()
    declared = set(compose["volumes"])
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == declared == {"postgres-data", "rasa-models"}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_runs_heard_on_python_311() -> None:
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    (cmd,) = [args for op, args in instructions if op == "CMD"]
    assert json.loads(cmd) == ["heard", "run", "--host", "0.0.0.0", "--port", "8000"]
    installs = [args for op, args in instructions if op == "RUN" and "pip install" in args]
    assert installs == ["pip install -c lock/heard.txt ."]


def test_dockerfile_copies_files_that_exist() -> None:
    sources = [
        source
        for op, args in _dockerfile_instructions()
        if op == "COPY"
        for source in shlex.split(args)[:-1]
    ]
    assert sources, "the Dockerfile copies nothing"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert missing == []
