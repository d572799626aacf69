"""Validates `flows/*.yaml` in three layers, as goflow does: version, shape (JSON Schema), then
meaning (references, reachability, options, texts, limits). Every finding is a `Problem` at
`file:step`; a file that fails an earlier layer is not checked by the later ones.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from bot.catalogue import Catalogue
from bot.flowspec.build import build_flow
from bot.flowspec.checks import check_flow
from bot.flowspec.migrations import VersionError, migrate
from bot.flowspec.model import Flow, FlowSet
from bot.flowspec.problems import Problem
from bot.flowspec.texts import DATED_CONSULTATION_TEXT_IDS, ENGINE_FLOWS, ENGINE_TEXT_IDS
from bot.flowspec.yaml_loader import load_yaml

SCHEMA_PATH = Path(__file__).with_name("flow.schema.json")
REPO_ROOT = Path(__file__).resolve().parents[2]


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def display_path(path: Path) -> str:
    """A path relative to the repository when it is inside it, as `heard lint` prints files."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Checked:
    flows: FlowSet
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def _error(file: str, location: str, rule: str, message: str) -> Problem:
    return Problem("error", file, location, rule, message)


def _step_location(data: dict[str, Any], path: list[str | int]) -> tuple[str, str]:
    """(step id or "", the rest of the path) for an error inside the document."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        steps = data.get("steps")
        step = steps[path[1]] if isinstance(steps, list) and path[1] < len(steps) else None
        sid = step.get("id") if isinstance(step, dict) else None
        where = sid if isinstance(sid, str) and sid else f"steps[{path[1]}]"
        return where, ".".join(str(p) for p in path[2:])
    return "", ".".join(str(p) for p in path)


def _schema_message(error: ValidationError) -> str:
    if error.context:
        error = best_match(error.context)
    message = str(error.message)
    if error.validator == "type" and isinstance(error.instance, bool):
        message += " (an unquoted true/false is a boolean in YAML: quote it)"
    return message


def schema_problems(data: dict[str, Any], file: str) -> list[Problem]:
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        location, field = _step_location(data, list(error.absolute_path))
        prefix = f"{field}: " if field else ""
        problems.append(_error(file, location, "FLOW-SCHEMA", prefix + _schema_message(error)))
    return problems


def _duplicate_steps(data: dict[str, Any], file: str) -> list[Problem]:
    counts = Counter(str(s["id"]) for s in data["steps"])
    return [
        _error(file, sid, "FLOW-ID", f"step id {sid!r} is used {n} times")
        for sid, n in counts.items()
        if n > 1
    ]


def read_flow_file(path: Path) -> tuple[Flow | None, list[Problem]]:
    file = display_path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [_error(file, location, "FLOW-SCHEMA", f"not valid YAML: {reason}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [_error(file, "", "FLOW-SCHEMA", f"cannot read the file: {exc}")]
    if not isinstance(data, dict):
        return None, [_error(file, "", "FLOW-SCHEMA", "expected a mapping at the top level")]
    try:
        data = migrate(data)
    except VersionError as exc:
        return None, [_error(file, "", "FLOW-VERSION", str(exc))]
    problems = schema_problems(data, file)
    if problems:
        return None, problems
    return build_flow(data, file), _duplicate_steps(data, file)


def _engine_problems(directory: Path, flows: FlowSet, catalogue: Catalogue | None) -> list[Problem]:
    problems = [
        _error(display_path(directory), "", "FLOW-REF", f"the engine needs a flow {flow_id!r}")
        for flow_id in ENGINE_FLOWS
        if flow_id not in flows
    ]
    if catalogue is not None:
        base = catalogue.languages[catalogue.codes[0]] if catalogue.codes else None
        source = base.source if base else display_path(directory)
        problems += [
            _error(source, "", "FLOW-TEXT", f"the engine needs the text {text_id!r} in English")
            for text_id in ENGINE_TEXT_IDS
            if not catalogue.has("en", text_id)
        ]
        if any(_dated(f) for f in flows.consultations()):
            problems += [
                _error(source, "", "FLOW-TEXT", f"a dated consultation needs {text_id!r}")
                for text_id in DATED_CONSULTATION_TEXT_IDS
                if not catalogue.has("en", text_id)
            ]
    return problems


def _dated(flow: Flow) -> bool:
    """A consultation with a keyword or dates: the engine may say it is closed."""
    c = flow.consultation
    return c is not None and (c.keyword is not None or c.opens is not None or c.closes is not None)


def check_directory(directory: Path, catalogue: Catalogue | None = None) -> Checked:
    """Reads and checks every `*.yaml` directly in `directory` (the catalogue is a subfolder)."""
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    unreadable: set[str] = set()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(_error(display_path(directory), "", "FLOW-SCHEMA", "no flow files"))
    for path in files:
        flow, found = read_flow_file(path)
        problems.extend(found)
        if flow is None:
            unreadable.add(path.stem)
            continue
        if flow.id in flows:
            problems.append(
                _error(
                    flow.source,
                    "",
                    "FLOW-ID",
                    f"flow id {flow.id!r} is already used by {flows[flow.id].source}",
                )
            )
            continue
        flows[flow.id] = flow
    flow_set = FlowSet(flows)
    for flow in flows.values():
        problems.extend(check_flow(flow, flow_set, catalogue, frozenset(unreadable)))
    if files and len(flows) == len(files):  # a broken file may be the missing flow
        problems.extend(_engine_problems(directory, flow_set, catalogue))
    return Checked(flow_set, tuple(problems))


def validate_flows(directory: Path, catalogue: Catalogue | None) -> list[Problem]:
    """Every problem in the flows of `directory`; an empty list means the flows can be loaded."""
    return list(check_directory(directory, catalogue).problems)
