"""Loads `flows/*.yaml` into a `FlowSet`, refusing flows that do not validate."""

from __future__ import annotations

from pathlib import Path

from bot.catalogue import Catalogue
from bot.flowspec.model import FlowSet
from bot.flowspec.validate import check_directory
from bot.parse_cache import ParseCache


class FlowError(ValueError):
    """The flows cannot be used. The message lists `file:step: reason` for every problem."""


def default_flows_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "flows"


def load_flows(
    directory: Path | None = None,
    *,
    catalogue: Catalogue | None = None,
    cache: ParseCache | None = None,
) -> FlowSet:
    """The flows in `directory` (default: `flows/` at the repository root).

    Text ids are checked only when `catalogue` is given (`heard lint` always gives it). With
    `cache`, YAML parsed and schema checks passed by an earlier process on the same content are
    read from disk instead of being done again.
    """
    checked = check_directory(directory or default_flows_dir(), catalogue, cache)
    if checked.errors:
        lines = [str(p) for p in checked.errors]
        raise FlowError("flows are not valid:\n" + "\n".join(lines))
    return checked.flows
