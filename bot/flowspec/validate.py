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
from typing import TYPE_CHECKING, Any

import yaml

from bot.catalogue import Catalogue
from bot.flowspec.build import build_flow
from bot.flowspec.checks import check_flow
from bot.flowspec.migrations import VersionError, migrate
from bot.flowspec.model import Flow, FlowSet
from bot.flowspec.problems import Problem
from bot.flowspec.texts import DATED_CONSULTATION_TEXT_IDS, ENGINE_FLOWS, ENGINE_TEXT_IDS
from bot.flowspec.yaml_loader import FlowYamlLoader, load_yaml
from bot.parse_cache import ParseCache

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).with_name("flow.schema.json")
REPO_ROOT = Path(__file__).resolve().parents[2]


@cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@cache
def _validator() -> Draft202012Validator:
    # Imported here: a start whose flows passed before (ParseCache) never needs jsonschema.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(_schema_text()))


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
    from jsonschema.exceptions import best_match

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


def _passed_schema(data: dict[str, Any], file: str, cache: ParseCache | None) -> list[Problem]:
    """`schema_problems`, skipped when `cache` saw this exact document pass this schema."""
    if cache is None:
        return schema_problems(data, file)
    try:
        content = json.dumps(data, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):  # not JSON (a YAML date, say): no key to remember it by
        return schema_problems(data, file)
    if cache.passed("flow-schema", _schema_text(), content):
        return []
    problems = schema_problems(data, file)
    if not problems:
        cache.mark_passed("flow-schema", _schema_text(), content)
    return problems


def read_flow_file(
    path: Path, cache: ParseCache | None = None
) -> tuple[Flow | None, list[Problem]]:
    """One flow file read and checked on its own. With `cache`, the parsed YAML and a passed
    schema check are kept on disk by content (a change to the file is a new key)."""
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = cache.load_yaml(text, FlowYamlLoader) if cache else load_yaml(text)
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
    problems = _passed_schema(data, file, cache)
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


def check_directory(
    directory: Path, catalogue: Catalogue | None = None, cache: ParseCache | None = None
) -> Checked:
    """Reads and checks every `*.yaml` directly in `directory` (the catalogue is a subfolder).
    `cache` spares parsing and schema checks done before on the same content (`read_flow_file`);
    the checks of meaning always run."""
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    unreadable: set[str] = set()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(_error(display_path(directory), "", "FLOW-SCHEMA", "no flow files"))
    for path in files:
        flow, found = read_flow_file(path, cache)
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
