"""The NLU training data in `nlu_data/` is well formed and cannot drift from the code.

One Rasa model is trained on every language at once (`language: xx`) and the embedded
classifier reads the same files, so these checks are what keeps either model from learning
contradictions. The held-out fifth (every 5th example per intent, by position) is what
safeguarding recall is measured on, so it is checked to be large enough to mean something.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalogue import load_catalogue
from bot.nlu.base import INTENTS, SAFEGUARDING_INTENTS
from bot.nlu.split import EVERY, is_held_out
from bot.nlu.training_data import load_directory

DATA_DIR = Path(__file__).resolve().parents[2] / "nlu_data"
LANGUAGES: tuple[str, ...] = load_catalogue().codes  # every catalogue language, never a fixed list
MIN_EXAMPLES = 20
MIN_SAFEGUARDING_EXAMPLES = 30
DOWNLOADING_COMPONENTS = frozenset(
    {"SpacyNLP", "SpacyTokenizer", "SpacyFeaturizer", "MitieNLP", "MitieTokenizer",
     "MitieFeaturizer", "MitieIntentClassifier", "LanguageModelFeaturizer",
     "LanguageModelTokenizer", "HFTransformersNLP", "ConveRTFeaturizer", "ConveRTTokenizer"}
)

# Languages whose people write both in their own script and in Latin letters; every intent
# must teach both. Values are the Unicode script names (as in character names) allowed.
NATIVE_SCRIPTS: dict[str, frozenset[str]] = {
    "ur": frozenset({"ARABIC"}),
    "ar": frozenset({"ARABIC"}),
    "pa": frozenset({"GURMUKHI"}),
    "bn": frozenset({"BENGALI"}),
}
MIN_PER_SCRIPT = 5


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict), f"{path.name}: the top level must be a mapping"
    return loaded


def examples_of(block: str) -> list[str]:
    """The examples of one Rasa YAML `examples: |` block, in file order."""
    found = []
    for line in block.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        assert stripped.startswith("- "), f"not an example line: {line!r}"
        found.append(stripped[2:].strip())
    return found


def intents_of(language: str) -> dict[str, list[str]]:
    data = load_yaml(DATA_DIR / f"{language}.yml")
    by_intent: dict[str, list[str]] = {}
    for entry in data["nlu"]:
        name = entry["intent"]
        assert name not in by_intent, f"{language}: intent {name} appears twice"
        by_intent[name] = examples_of(entry["examples"])
    return by_intent


def normalised(text: str) -> str:
    return text.strip().lower()


def folded(text: str) -> str:
    """Case, punctuation, symbols and spacing removed: what near-duplicates share."""
    kept = "".join(
        ch for ch in unicodedata.normalize("NFC", text.casefold())
        if unicodedata.category(ch)[0] in "LMN" or ch.isspace()
    )
    return " ".join(kept.split())


def script_of(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def held_out(examples: list[str]) -> list[str]:
    return [ex for i, ex in enumerate(examples) if is_held_out(i)]


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict[str, list[str]]]:
    return {language: intents_of(language) for language in LANGUAGES}


def test_there_is_exactly_one_file_per_language() -> None:
    data_files = {
        path.stem for path in DATA_DIR.glob("*.yml") if path.stem not in {"config", "domain"}
    }
    assert data_files == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_is_rasa_3_1_with_language_metadata(language: str) -> None:
    data = load_yaml(DATA_DIR / f"{language}.yml")
    assert data["version"] == "3.1"
    assert set(data) == {"version", "nlu"}
    for entry in data["nlu"]:
        assert entry["metadata"] == {"language": language}, entry["intent"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_has_exactly_the_code_intents(
    language: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    assert set(corpus[language]) == set(INTENTS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_has_enough_examples(
    language: str, intent: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    examples = corpus[language][intent]
    floor = MIN_SAFEGUARDING_EXAMPLES if intent in SAFEGUARDING_INTENTS else MIN_EXAMPLES
    assert len(examples) >= floor, f"{language}/{intent}: {len(examples)} < {floor}"
    assert len(examples) - len(held_out(examples)) >= 15


@pytest.mark.parametrize("language", LANGUAGES)
def test_examples_are_non_empty_and_never_bare_numbers(
    language: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    for intent, examples in corpus[language].items():
        for example in examples:
            assert folded(example), f"{language}/{intent}: empty example {example!r}"
            assert not folded(example).replace(" ", "").isdigit(), (
                f"{language}/{intent}: bare number {example!r}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_example_under_two_intents_in_a_language(
    language: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, examples in corpus[language].items():
        for example in examples:
            owners[normalised(example)].add(intent)
    clashes = {text: sorted(names) for text, names in owners.items() if len(names) > 1}
    assert not clashes


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_near_duplicates_in_a_language(
    language: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    seen: dict[str, str] = {}
    repeats = []
    for intent, examples in corpus[language].items():
        for example in examples:
            key = folded(example)
            if key in seen:
                repeats.append((seen[key], f"{intent}: {example}"))
            seen[key] = f"{intent}: {example}"
    assert not repeats


def test_no_text_means_different_intents_in_different_languages(
    corpus: dict[str, dict[str, list[str]]],
) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for language, by_intent in corpus.items():
        for intent, examples in by_intent.items():
            for example in examples:
                owners[folded(example)].add(f"{language}/{intent}")
    clashes = {
        text: sorted(where)
        for text, where in owners.items()
        if len({place.split("/")[1] for place in where}) > 1
    }
    assert not clashes


@pytest.mark.parametrize("language", sorted(NATIVE_SCRIPTS))
@pytest.mark.parametrize("intent", INTENTS)
def test_intent_is_taught_in_native_script_and_in_latin_letters(
    language: str, intent: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    native = latin = 0
    for example in corpus[language][intent]:
        scripts = {script_of(ch) for ch in example if ch.isalpha()}
        if scripts <= NATIVE_SCRIPTS[language]:
            native += 1
        elif scripts == {"LATIN"}:
            latin += 1
    assert native >= MIN_PER_SCRIPT, f"{language}/{intent}: {native} in native script"
    assert latin >= MIN_PER_SCRIPT, f"{language}/{intent}: {latin} romanised"


@pytest.mark.parametrize("language", LANGUAGES)
def test_letters_come_only_from_the_language_scripts(
    language: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    allowed = {"LATIN"} | NATIVE_SCRIPTS.get(language, frozenset())
    strays = {
        (intent, example)
        for intent, examples in corpus[language].items()
        for example in examples
        if {script_of(ch) for ch in example if ch.isalpha()} - allowed
    }
    assert not strays


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", sorted(SAFEGUARDING_INTENTS))
def test_held_out_safeguarding_fifth_is_large_enough_to_measure(
    language: str, intent: str, corpus: dict[str, dict[str, list[str]]]
) -> None:
    assert len(held_out(corpus[language][intent])) >= MIN_SAFEGUARDING_EXAMPLES // EVERY


def test_heard_loader_reads_every_example_unchanged(
    corpus: dict[str, dict[str, list[str]]],
) -> None:
    # The loader strips Rasa entity markup; an example that looks like markup would be
    # trained on as a different text than the one written here.
    loaded: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for example in load_directory(DATA_DIR):
        loaded[example.language][example.intent].append(example.text)
    assert {lang: dict(intents) for lang, intents in loaded.items()} == corpus


def test_domain_lists_the_code_intents() -> None:
    domain = load_yaml(DATA_DIR / "domain.yml")
    assert domain["version"] == "3.1"
    assert len(domain["intents"]) == len(set(domain["intents"]))
    assert set(domain["intents"]) == set(INTENTS)


def test_config_is_multilingual_and_downloads_nothing() -> None:
    config = load_yaml(DATA_DIR / "config.yml")
    names = [component["name"] for component in config["pipeline"]]
    assert config["language"] == "xx"
    assert config["assistant_id"] == "heard"
    assert not set(names) & DOWNLOADING_COMPONENTS
    assert names[0] == "WhitespaceTokenizer"
    assert "DIETClassifier" in names
    assert names[-1] == "FallbackClassifier"
