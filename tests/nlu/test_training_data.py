from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.split import is_held_out, split
from bot.nlu.training_data import Example, TrainingDataError, load_directory, load_file

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "nlu_data"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_rasa_yaml_with_entities_and_language_from_file_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pl.yml",
        'version: "3.1"\nnlu:\n- intent: affirm\n  examples: |\n    - tak\n'
        "    - tak [jutro](day) prosze\n- synonym: day\n  examples: |\n    - jutro\n"
        "- intent: deny\n  examples: |\n    - nie {\"entity\": \"x\"}\n",
    )
    assert load_file(path) == [
        Example("tak", "affirm", "pl"),
        Example("tak jutro prosze", "affirm", "pl"),
        Example('nie {"entity": "x"}', "deny", "pl"),
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("en.yml", "nlu: 3\n"),
        ("cy.yml", "nlu:\n- intent: affirm\n  examples: [ie]\n"),
        ("ro.yml", "nlu: [unclosed\n"),
    ],
)
def test_malformed_files_are_reported_by_name(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(TrainingDataError, match=name):
        load_file(write(tmp_path, name, text))


def test_fixture_covers_several_languages() -> None:
    languages = {e.language for e in load_directory(FIXTURE_DATA)}
    assert {"en", "pl", "cy", "ur"} <= languages


@pytest.mark.parametrize(
    ("index", "held"), [(0, False), (3, False), (4, True), (9, True), (10, False)]
)
def test_every_fifth_example_is_held_out(index: int, held: bool) -> None:
    assert is_held_out(index) is held


def test_split_counts_positions_per_language_and_intent() -> None:
    examples = [Example(f"en{i}", "affirm", "en") for i in range(7)]
    examples += [Example(f"pl{i}", "affirm", "pl") for i in range(5)]
    examples += [Example(f"d{i}", "deny", "en") for i in range(4)]
    parts = split(examples)
    assert [e.text for e in parts.held_out] == ["en4", "pl4"]
    assert len(parts.training) == len(examples) - 2
