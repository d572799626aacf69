"""Benchmark of Heard's language understanding: `python -m bench.nlu` (or `make bench-nlu`).

Intents: per language, on the held-out split of `nlu_data/` (bot.nlu.split): macro-F1 (an
answer below the confidence threshold counts as wrong), safeguarding recall (held-out
risk_to_self and harm_from_others examples that raise an alarm), the false-alarm rate on the
benign consultation answers of `bench/data/benign-answers.yml` (an evaluation set, never
trained on), median parse latency. "Raises an alarm" is the running system's rule: the parsed
intent (after the backend's own threshold) is a safeguarding intent at or above the engine's
`safeguarding_confidence`, or the keyword lists match. For the embedded classifier, trained on
the training part only; and for Rasa when a server answers at RASA_URL (its model must also be
trained on the training part: `HEARD_RASA_HOLDOUT=1 make rasa`; the mode it reports is printed
beside its figures).

Language identification: accuracy on /work/shared/data/langid (a development set: the
guesser's constants were tuned on it, so its figures are optimistic) for plain langdetect
(seeded, all its languages) and for HeardLanguageGuesser, restricted to Heard's languages that
the data has. Tables are printed as Markdown and written to bench/results/nlu.md.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from langdetect import DetectorFactory, LangDetectException, detect

from bot.nlu.base import NLU, SAFEGUARDING_INTENTS
from bot.nlu.embedded import FOLDS, EmbeddedNLU
from bot.nlu.langid import HeardLanguageGuesser, vocabulary_from_texts
from bot.nlu.screening import CHECK_CONFIDENCE, screen
from bot.nlu.split import split
from bot.nlu.training_data import Example, load_directory

ROOT = Path(__file__).resolve().parent.parent
NLU_DATA = Path(os.environ.get("HEARD_NLU_DATA", ROOT / "nlu_data"))
LANGID_DATA = Path(os.environ.get("HEARD_LANGID_DATA", "/work/shared/data/langid"))
RESULTS = ROOT / "bench" / "results" / "nlu.md"
BENIGN = ROOT / "bench" / "data" / "benign-answers.yml"
HEARD_LANGUAGES = ("en", "cy", "pl", "ur", "pa", "bn", "ar", "so", "ro")
LANGID_KINDS = ("single-words", "word-pairs", "sentences")
SAMPLE = 300  # lines per file, seeded, to keep the run near two minutes
SEED = 0


@dataclass(frozen=True)
class IntentRow:
    language: str
    examples: int
    macro_f1: float
    safeguarding: tuple[int, int]  # caught, total
    median_ms: float
    false_alarms: tuple[int, int] = (0, 0)  # alarms, benign answers


def load_benign(path: Path = BENIGN) -> dict[str, list[str]]:
    """Benign consultation answers by language (see the file's header)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(lang): [str(t) for t in texts] for lang, texts in doc["answers"].items()}


def raises_alarm(nlu: NLU, text: str, language: str | None = None) -> bool:
    """Whether Heard would show help lines and raise an alert for `text` (see the module
    docstring for the rule)."""
    return screen(text, nlu.parse(text, language)) is not None


def macro_f1(gold: Sequence[str], predicted: Sequence[str | None]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(
    nlu: NLU, held_out: Sequence[Example], benign: dict[str, list[str]] | None = None
) -> list[IntentRow]:
    rows = []
    benign = benign or {}
    for language in sorted({e.language for e in held_out}):
        items = [e for e in held_out if e.language == language]
        predicted: list[str | None] = []
        timings: list[float] = []
        caught = total = 0
        for example in items:
            start = time.perf_counter()
            result = nlu.parse(example.text, language)
            timings.append(time.perf_counter() - start)
            intent = result.intent.name if result.intent else None
            predicted.append(intent)
            if example.intent in SAFEGUARDING_INTENTS:
                total += 1
                caught += raises_alarm(nlu, example.text, language)
        answers = benign.get(language, [])
        alarms = sum(raises_alarm(nlu, text, language) for text in answers)
        rows.append(
            IntentRow(
                language,
                len(items),
                macro_f1([e.intent for e in items], predicted),
                (caught, total),
                statistics.median(timings) * 1000,
                (alarms, len(answers)),
            )
        )
    return rows


def _rate(counts: tuple[int, int]) -> str:
    hits, total = counts
    return f"{hits}/{total} ({100 * hits / total:.1f}%)" if total else "-"


def intent_table(title: str, rows: Sequence[IntentRow]) -> str:
    lines = [
        f"### {title}",
        "",
        "| language | held-out examples | macro-F1 | safeguarding recall "
        "| benign false alarms | median parse (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.language} | {r.examples} | {r.macro_f1:.3f} | {_rate(r.safeguarding)} "
            f"| {_rate(r.false_alarms)} | {r.median_ms:.3f} |"
        )
    if rows:
        caught = (sum(r.safeguarding[0] for r in rows), sum(r.safeguarding[1] for r in rows))
        alarms = (sum(r.false_alarms[0] for r in rows), sum(r.false_alarms[1] for r in rows))
        mean_f1 = statistics.mean(r.macro_f1 for r in rows)
        lines.append(
            f"| all (mean F1) | {sum(r.examples for r in rows)} | {mean_f1:.3f} "
            f"| {_rate(caught)} | {_rate(alarms)} "
            f"| {statistics.median(r.median_ms for r in rows):.3f} |"
        )
    lines += [
        "",
        "An alarm: the safeguarding screen (bot.nlu.screening) finds a risk at either level: "
        f"a keyword phrase, or a risk intent on top at confidence >= {CHECK_CONFIDENCE}.",
    ]
    return "\n".join(lines)


def rasa_section(
    held_out: Sequence[Example], embedded: NLU, benign: dict[str, list[str]] | None = None
) -> str:
    url = os.environ.get("RASA_URL", "").strip()
    try:
        from bot.nlu.rasa import RasaNLU, read_token
    except ImportError:
        return "rasa: not running (start it with make rasa)"
    if not url:
        return "rasa: not running (start it with make rasa)"
    rasa = RasaNLU(url, token=read_token(os.environ), timeout=5.0)
    try:
        rasa.parse("hello")
    except Exception:  # any failure means there is nothing to measure
        return f"rasa: not running at {url} (start it with make rasa)"
    mode_file = ROOT / "var" / "rasa-model-mode"
    mode = mode_file.read_text(encoding="utf-8").strip() if mode_file.exists() else "unknown"
    note = f"measured against {url}, model: {' '.join(mode.split())}"
    if "mode=holdout" not in mode:
        note += " (NOT trained on the training part only: held-out figures are optimistic)"
    return intent_table(f"Rasa ({note})", evaluate(rasa, held_out, benign))


def read_lines(kind: str, language: str) -> list[str]:
    path = LANGID_DATA / kind / f"{language}.txt"
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if SAMPLE and len(lines) > SAMPLE:
        lines = random.Random(f"{SEED}:{kind}:{language}").sample(lines, SAMPLE)
    return lines


def langdetect_guess(text: str) -> str | None:
    try:
        return str(detect(text))
    except LangDetectException:
        return None


def langid_table(guessers: dict[str, Callable[[str], str | None]]) -> str:
    languages = sorted(
        lang for lang in HEARD_LANGUAGES if (LANGID_DATA / "single-words" / f"{lang}.txt").exists()
    )
    header = "| detector | " + " | ".join(LANGID_KINDS) + " | microseconds per text |"
    lines = [
        f"### Language identification ({', '.join(languages)}; seeded sample of {SAMPLE} "
        "lines per file; a development set: HeardLanguageGuesser was tuned on it)",
        "",
        header,
        "|---|" + "---|" * (len(LANGID_KINDS) + 1),
    ]
    per_language: list[str] = []
    for name, guess in guessers.items():
        cells = []
        spent = 0.0
        count = 0
        for kind in LANGID_KINDS:
            right = total = 0
            by_language = []
            for language in languages:
                texts = read_lines(kind, language)
                start = time.perf_counter()
                hits = sum(guess(t) == language for t in texts)
                spent += time.perf_counter() - start
                count += len(texts)
                right += hits
                total += len(texts)
                by_language.append(f"{language} {100 * hits / len(texts):.1f}")
            cells.append(f"{100 * right / total:.1f}")
            per_language.append(f"- {name}, {kind}: " + ", ".join(by_language))
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {1e6 * spent / count:.0f} |")
    return "\n".join([*lines, "", *per_language])


def main() -> int:
    sections = ["## NLU benchmark", ""]
    examples = load_directory(NLU_DATA) if NLU_DATA.exists() else []
    if examples:
        parts = split(examples)
        start = time.perf_counter()
        embedded = EmbeddedNLU.train(parts.training)
        trained = time.perf_counter() - start
        sections.append(
            f"Held-out split of {NLU_DATA.name}/: {len(parts.training)} training, "
            f"{len(parts.held_out)} held-out examples; embedded training took {trained:.1f} s."
        )
        benign = load_benign()
        calibration = embedded.calibration
        sections.append(
            f"Calibration fitted by {FOLDS}-fold cross-validation on the training part: inverse "
            f"temperature {calibration.inverse_temperature:.2f}, novelty weight "
            f"{calibration.novelty_weight:.2f}. Benign answers: {BENIGN.name}, "
            f"{sum(len(v) for v in benign.values())} answers (never trained on)."
        )
        table = intent_table("Embedded classifier", evaluate(embedded, parts.held_out, benign))
        sections += ["", table]
        sections += ["", rasa_section(parts.held_out, embedded, benign)]
        vocabulary = vocabulary_from_texts((e.language, e.text) for e in parts.training)
    else:
        sections.append(f"No training data in {NLU_DATA}: intent figures skipped.")
        vocabulary = {}
    DetectorFactory.seed = SEED
    guesser = HeardLanguageGuesser(HEARD_LANGUAGES, vocabulary)
    sections += [
        "",
        langid_table(
            {
                "langdetect 1.0.9 (seeded, all languages)": langdetect_guess,
                "HeardLanguageGuesser": lambda t: guesser.guess(t).language,
            }
        ),
    ]
    report = "\n".join(sections) + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
