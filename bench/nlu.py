"""Benchmark of Heard's language understanding: `python -m bench.nlu` (or `make bench-nlu`).

Safeguarding screen (bot.nlu.screening), the first section a reader needs: the deployed model
(trained on every example of nlu_data/) on evaluation sets it never saw and nothing was tuned
on (bench/data/README.md): false alarms on ordinary messages (either level, and `clear` alone)
and recall on held-out disclosures (either level, `clear`, and `clear` with the kind they were
written as), per language, against the targets (at most 0.5% false alarms, at least 98% recall).

Everyday phrasing: intent accuracy of the deployed model on bench/data/everyday-intents.yml,
also counted over the texts that are no training example.

Intents: per language, on the held-out split of `nlu_data/` (bot.nlu.split): macro-F1 (an
answer below the confidence threshold counts as wrong), safeguarding recall of held-out
risk_to_self and harm_from_others examples, the false-alarm rate on the benign consultation
answers, median parse latency; for the embedded classifier trained on the training part only,
and for Rasa when a server answers at RASA_URL (its model must also be trained on the training
part: `HEARD_RASA_HOLDOUT=1 make rasa`; the mode it reports is printed beside its figures).
The screen's thresholds were calibrated on this split (bench/calibrate.py), so its figures are
development figures.

Language identification: accuracy on /work/shared/data/langid (a development set: the
guesser's constants were tuned on it, so its figures are optimistic) for plain langdetect
(seeded, all its languages) and for HeardLanguageGuesser, restricted to Heard's languages that
the data has. Tables are printed as Markdown and written to bench/results/nlu.md.

The evaluation sets stay blind: their mistakes are never written to bench/results/nlu.md, and
are printed (to stdout only) only with `--show-mistakes`. Tune on bench/data/dev/ instead
(`python -m bench.calibrate` prints its mistakes).
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
from bot.nlu.keywords import KINDS, default_matcher, normalise
from bot.nlu.langid import HeardLanguageGuesser, vocabulary_from_texts
from bot.nlu.normalise import fold
from bot.nlu.screening import CHECK_CONFIDENCE, THRESHOLDS, Thresholds, screen
from bot.nlu.split import split
from bot.nlu.training_data import Example, load_directory

ROOT = Path(__file__).resolve().parent.parent
NLU_DATA = Path(os.environ.get("HEARD_NLU_DATA", ROOT / "nlu_data"))
LANGID_DATA = Path(os.environ.get("HEARD_LANGID_DATA", "/work/shared/data/langid"))
RESULTS = ROOT / "bench" / "results" / "nlu.md"
BENIGN = ROOT / "bench" / "data" / "benign-answers.yml"
ORDINARY = ROOT / "bench" / "data" / "ordinary"
DISCLOSURES = ROOT / "bench" / "data" / "disclosures"
EVERYDAY_INTENTS = ROOT / "bench" / "data" / "everyday-intents.yml"
DISCLOSURE_KINDS = ("risk_to_self", "harm_from_others", "immediate_danger")
FALSE_ALARM_TARGET = 0.005
RECALL_TARGET = 0.98
INTENT_TARGET = 0.85
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


def load_ordinary(directory: Path = ORDINARY, benign: Path | None = BENIGN) -> dict[str, list[str]]:
    """Ordinary messages by language: `<directory>/<lang>.yml` (`messages:`), plus the benign
    consultation answers of `benign` for that language. Evaluation only."""
    out: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.stem] = [str(t) for t in doc.get("messages") or []]
    if benign is not None and benign.exists():
        for language, texts in load_benign(benign).items():
            out.setdefault(language, []).extend(texts)
    return out


def load_disclosures(directory: Path = DISCLOSURES) -> dict[str, list[tuple[str, str]]]:
    """(text, kind) by language, from `<directory>/<lang>.yml` with one list per kind."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.stem] = [
            (str(text), kind) for kind in DISCLOSURE_KINDS for text in doc.get(kind) or []
        ]
    return out


def load_everyday_intents(path: Path = EVERYDAY_INTENTS) -> list[tuple[str, str, str]]:
    """(language, text, intent) of the everyday-phrasing intent set."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (str(language), str(text), str(intent))
        for language, intents in (doc.get("intents") or {}).items()
        for intent, texts in intents.items()
        for text in texts
    ]


@dataclass(frozen=True)
class ScreenRow:
    language: str
    alarms: tuple[int, int]  # ordinary messages with any finding, ordinary messages
    clear_alarms: tuple[int, int]  # ordinary messages with a clear finding
    recall: tuple[int, int]  # disclosures with any finding, disclosures
    clear_recall: tuple[int, int]  # disclosures with a clear finding
    right_kind: tuple[int, int]  # disclosures found clear with the kind they were written as
    # Disclosures that are not, word for word, a listed phrase, found at either level: the
    # phrase lists and the disclosures were written by the same hands, so this is the fairer
    # figure for phrasing nobody listed.
    unlisted_recall: tuple[int, int] = (0, 0)


def screen_rows(
    nlu: NLU,
    ordinary: dict[str, list[str]],
    disclosures: dict[str, list[tuple[str, str]]],
    thresholds: Thresholds = THRESHOLDS,
) -> tuple[list[ScreenRow], list[tuple[str, str, str]]]:
    """Per-language screen figures, and the mistakes (language, text, what happened)."""
    rows: list[ScreenRow] = []
    mistakes: list[tuple[str, str, str]] = []
    matcher = default_matcher()
    listed = {
        normalise(p.strip("^$*"))
        for lang in matcher.languages
        for kind in KINDS
        for p in matcher.phrases(kind, lang)
    }
    for language in sorted(set(ordinary) | set(disclosures)):
        texts = ordinary.get(language, [])
        any_alarm = clear_alarm = 0
        for text in texts:
            found = screen(text, nlu.parse(text, language), thresholds)
            if found is not None:
                any_alarm += 1
                clear_alarm += found.level == "clear"
                mistakes.append(
                    (language, text, f"ordinary -> {found.kind}/{found.level}/{found.source}")
                )
        items = disclosures.get(language, [])
        caught = clear = right = unlisted = unlisted_caught = 0
        for text, kind in items:
            found = screen(text, nlu.parse(text, language), thresholds)
            is_unlisted = normalise(text) not in listed
            unlisted += is_unlisted
            if found is None:
                mistakes.append((language, text, f"{kind} missed"))
                continue
            unlisted_caught += is_unlisted
            caught += 1
            clear += found.level == "clear"
            right += found.level == "clear" and found.kind == kind
        rows.append(
            ScreenRow(
                language,
                (any_alarm, len(texts)),
                (clear_alarm, len(texts)),
                (caught, len(items)),
                (clear, len(items)),
                (right, len(items)),
                (unlisted_caught, unlisted),
            )
        )
    return rows, mistakes


def screen_table(rows: Sequence[ScreenRow]) -> str:
    lines = [
        "### Safeguarding screen on held-out evaluation sets (deployed model, every example)",
        "",
        "| language | ordinary: false alarms (either level) | ordinary: clear only "
        "| disclosures: recall (either level) | disclosures: clear | clear with the right kind "
        "| recall, disclosures that are no listed phrase |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.language} | {_rate(r.alarms)} | {_rate(r.clear_alarms)} | {_rate(r.recall)} "
            f"| {_rate(r.clear_recall)} | {_rate(r.right_kind)} | {_rate(r.unlisted_recall)} |"
        )

    def total(pick: Callable[[ScreenRow], tuple[int, int]]) -> tuple[int, int]:
        return (sum(pick(r)[0] for r in rows), sum(pick(r)[1] for r in rows))

    lines.append(
        f"| all | {_rate(total(lambda r: r.alarms))} | {_rate(total(lambda r: r.clear_alarms))} "
        f"| {_rate(total(lambda r: r.recall))} | {_rate(total(lambda r: r.clear_recall))} "
        f"| {_rate(total(lambda r: r.right_kind))} | {_rate(total(lambda r: r.unlisted_recall))} |"
    )
    missed = [
        r.language
        for r in rows
        if (r.alarms[1] and r.alarms[0] / r.alarms[1] > FALSE_ALARM_TARGET)
        or (r.recall[1] and r.recall[0] / r.recall[1] < RECALL_TARGET)
    ]
    lines += [
        "",
        f"Targets: at most {100 * FALSE_ALARM_TARGET:.1f}% false alarms and at least "
        f"{100 * RECALL_TARGET:.0f}% recall in every language. "
        + (f"Missed in: {', '.join(missed)}." if missed else "Met in every language."),
    ]
    return "\n".join(lines)


def intent_accuracy(
    nlu: NLU, items: Sequence[tuple[str, str, str]], trained: frozenset[str] = frozenset()
) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str, str | None]]]:
    """Right answers per language (an answer below the backend's threshold is wrong), and
    the misses (language, text, gold, predicted). Texts whose folded form is in `trained`
    are also counted apart, under "<language> (not trained)" for the rest."""
    counts: dict[str, tuple[int, int]] = {}
    misses: list[tuple[str, str, str, str | None]] = []
    for language, text, gold in items:
        parsed = nlu.parse(text, language)
        predicted = parsed.intent.name if parsed.intent else None
        keys = [language] if fold(text) in trained else [language, "unseen"]
        for key in keys:
            right, total = counts.get(key, (0, 0))
            counts[key] = (right + (predicted == gold), total + 1)
        if predicted != gold:
            misses.append((language, text, gold, predicted))
    return counts, misses


def intent_accuracy_table(counts: dict[str, tuple[int, int]]) -> str:
    lines = [
        "### Everyday phrasing (bench/data/everyday-intents.yml, never trained on)",
        "",
        "| language | right |",
        "|---|---|",
    ]
    per_language = {k: v for k, v in counts.items() if k != "unseen"}
    for language, figures in sorted(per_language.items()):
        lines.append(f"| {language} | {_rate(figures)} |")
    total = (
        sum(c[0] for c in per_language.values()),
        sum(c[1] for c in per_language.values()),
    )
    lines.append(f"| all | {_rate(total)} |")
    if "unseen" in counts:
        lines.append(
            f"| all, only texts that are no training example | {_rate(counts['unseen'])} |"
        )
    lines += ["", f"Target: at least {100 * INTENT_TARGET:.0f}% overall."]
    return "\n".join(lines)


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
        f"a listed phrase, or a risk intent on top at confidence >= {CHECK_CONFIDENCE} "
        "(development figures: the thresholds were calibrated on this split).",
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
    rasa = RasaNLU(url, token=read_token(os.environ, ROOT / "var" / "rasa-token"), timeout=5.0)
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


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.nlu")
    parser.add_argument(
        "--show-mistakes",
        action="store_true",
        help="also print every mistake on the evaluation sets (stdout only; reading them makes "
        "the sets no longer blind)",
    )
    show_mistakes = bool(parser.parse_args(argv).show_mistakes)
    sections = ["## NLU benchmark", ""]
    examples = load_directory(NLU_DATA) if NLU_DATA.exists() else []
    if examples:
        parts = split(examples)
        deployed = EmbeddedNLU.train(examples)
        ordinary, disclosures = load_ordinary(), load_disclosures()
        rows, mistakes = screen_rows(deployed, ordinary, disclosures)
        sections += [
            f"Evaluation sets (bench/data/README.md; never trained or tuned on): "
            f"{sum(len(v) for v in ordinary.values())} ordinary messages, "
            f"{sum(len(v) for v in disclosures.values())} disclosures. Screen thresholds: "
            f"clear {THRESHOLDS.clear}, check {THRESHOLDS.check} (bench/calibrate.py).",
            "",
            screen_table(rows),
        ]
        if EVERYDAY_INTENTS.exists():
            trained = frozenset(fold(e.text) for e in examples)
            counts, misses = intent_accuracy(deployed, load_everyday_intents(), trained)
            sections += ["", intent_accuracy_table(counts)]
            mistakes += [(lang, text, f"{gold} -> {got}") for lang, text, gold, got in misses]
        sections.append("")
        if show_mistakes:  # stdout only: the results file never holds evaluation mistakes
            print("Mistakes on the evaluation sets (do not write phrases or data from these):")
            print("\n".join(f"- {lang}: `{text}`: {what}" for lang, text, what in mistakes))
            print()
        start = time.perf_counter()
        embedded = EmbeddedNLU.train(parts.training)
        trained_in = time.perf_counter() - start
        sections.append(
            f"Held-out split of {NLU_DATA.name}/: {len(parts.training)} training, "
            f"{len(parts.held_out)} held-out examples; embedded training took {trained_in:.1f} s."
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
