"""Flows, catalogue and safeguarding phrases read through the parse cache (bot.parse_cache)
are what the files say now: a changed file is read again and checked again, a file that no
longer passes the schema is refused though an earlier version of it passed, an unreadable
entry is ignored, and a document JSON cannot give back exactly is parsed every time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from bot.flowspec.loader import FlowError, default_flows_dir, load_flows
from bot.nlu.keywords import load_phrases
from bot.parse_cache import ParseCache
from bot.yamlio import SAFE_LOADER


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), copy)
    return copy


def _cache(tmp_path: Path) -> ParseCache:
    return ParseCache(tmp_path / "parse-cache")


def test_a_flow_file_changed_after_it_was_cached_is_read_again(
    flows_dir: Path, tmp_path: Path
) -> None:
    menu = flows_dir / "menu.yaml"
    assert load_flows(flows_dir, cache=_cache(tmp_path))["menu"].start == "choose"
    assert any((tmp_path / "parse-cache").iterdir())  # something was kept
    menu.write_text(
        menu.read_text(encoding="utf-8").replace("start: choose", "start: more"), "utf-8"
    )
    assert load_flows(flows_dir, cache=_cache(tmp_path))["menu"].start == "more"


def test_a_flow_that_no_longer_passes_the_schema_is_refused_though_it_passed_before(
    flows_dir: Path, tmp_path: Path
) -> None:
    load_flows(flows_dir, cache=_cache(tmp_path))
    menu = flows_dir / "menu.yaml"
    menu.write_text(
        menu.read_text(encoding="utf-8").replace("type: ask", "type: shout", 1), "utf-8"
    )
    with pytest.raises(FlowError, match=r"menu\.yaml"):
        load_flows(flows_dir, cache=_cache(tmp_path))


def test_the_cache_gives_the_same_flows_catalogue_and_phrases_as_parsing(
    flows_dir: Path, tmp_path: Path
) -> None:
    for _ in range(2):  # the first fills the cache, the second reads it
        assert load_flows(flows_dir, cache=_cache(tmp_path)) == load_flows(flows_dir)
        catalogue = flows_dir / "catalogue"
        assert load_catalogue(catalogue, _cache(tmp_path)) == load_catalogue(catalogue)
        phrases = flows_dir / "safeguarding"
        assert load_phrases(phrases, _cache(tmp_path)) == load_phrases(phrases)


def test_a_catalogue_text_changed_after_it_was_cached_is_read_again(
    flows_dir: Path, tmp_path: Path
) -> None:
    catalogue = flows_dir / "catalogue"
    english = catalogue / "en.yaml"
    before = load_catalogue(catalogue, _cache(tmp_path)).text("en", "standard", "menu.choose")
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace(before.text, "Pick one, please:"), encoding="utf-8")
    after = load_catalogue(catalogue, _cache(tmp_path)).text("en", "standard", "menu.choose")
    assert after.text == "Pick one, please:"


def test_an_unreadable_entry_is_ignored(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    assert cache.load_yaml("a: [1, 2]\n", SAFE_LOADER) == {"a": [1, 2]}
    for entry in (tmp_path / "parse-cache").iterdir():
        entry.write_text("{not json", encoding="utf-8")
    assert cache.load_yaml("a: [1, 2]\n", SAFE_LOADER) == {"a": [1, 2]}


def test_a_document_json_cannot_give_back_is_parsed_every_time(tmp_path: Path) -> None:
    """A date, or a number as a key, would come back from JSON as a string: never kept."""
    cache = _cache(tmp_path)
    for text in ("opens: 2026-01-01\n", "1: one\n"):
        first = cache.load_yaml(text, SAFE_LOADER)
        assert cache.load_yaml(text, SAFE_LOADER) == first  # {"1": ...} != {1: ...}
    assert not (tmp_path / "parse-cache").exists() or not any(
        (tmp_path / "parse-cache").iterdir()
    )
