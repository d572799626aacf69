"""The trained model on disk: a second process loads it instead of training, gives the same
answers, and never trusts a file that does not read back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.nlu.embedded as embedded
from bot.nlu import model_cache
from bot.nlu.embedded import EmbeddedNLU

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "nlu_data"
TEXTS = ["hello", "yes please", "he hits me", "dim diolch", "my mum"]


def fresh_process() -> None:
    """What a new process starts with: no model in memory."""
    embedded._cache.clear()


@pytest.fixture
def stored(tmp_path: Path) -> tuple[EmbeddedNLU, Path]:
    fresh_process()
    nlu = EmbeddedNLU.from_directory(FIXTURE_DATA, cache_dir=tmp_path)
    fresh_process()
    return nlu, tmp_path


def test_a_new_process_loads_the_same_model(stored: tuple[EmbeddedNLU, Path]) -> None:
    trained, directory = stored
    assert sorted(p.suffix for p in directory.iterdir()) == [".json", ".npz"]
    loaded = EmbeddedNLU.from_directory(FIXTURE_DATA, cache_dir=directory)
    assert [loaded.parse(t).ranking for t in TEXTS] == [trained.parse(t).ranking for t in TEXTS]


def test_the_key_changes_with_the_training_data() -> None:
    assert model_cache.cache_key("a", False) != model_cache.cache_key("b", False)
    assert model_cache.cache_key("a", False) != model_cache.cache_key("a", True)


@pytest.mark.parametrize("damage", ["truncate npz", "wrong format", "not json"])
def test_a_damaged_file_is_trained_again(stored: tuple[EmbeddedNLU, Path], damage: str) -> None:
    trained, directory = stored
    npz = next(directory.glob("*.npz"))
    meta = npz.with_suffix(".json")
    if damage == "truncate npz":
        npz.write_bytes(npz.read_bytes()[:100])
    elif damage == "wrong format":
        meta.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    else:
        meta.write_text("{", encoding="utf-8")
    assert model_cache.load(directory, npz.stem) is None
    again = EmbeddedNLU.from_directory(FIXTURE_DATA, cache_dir=directory)
    assert again.parse("yes please").intent == trained.parse("yes please").intent
    assert model_cache.load(directory, npz.stem) is not None  # written anew


def test_the_cache_key_names_the_installed_scikit_learn() -> None:
    """Read without importing scikit-learn; a new version means a new key (a retrain)."""
    from importlib.metadata import version

    from bot.nlu.model_cache import _sklearn_version

    assert _sklearn_version() == version("scikit-learn")
