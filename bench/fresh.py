"""The safeguarding screen on fresh wording: `python -m bench.fresh`.

Run: `python -m bench.fresh [--no-patterns] [--batch NAME] [language ...]`.

`bench/data/dev/fresh/` holds disclosures written before the safeguarding patterns
(bot.nlu.keywords) and never used to write them, in every language; `fresh-2/` a second
batch in Romanian and Polish, written before their second round of patterns (`--batch
fresh-2`); `fresh-3/` a third in Arabic and Urdu, `fresh-4/` a fourth in English and `fresh-5/` a
fifth in Bengali and Punjabi, likewise.
How many of them the screen catches, and by what (a listed phrase, the classifier, a
pattern), is a measure of how far the screen reaches beyond the wording it was written for.
Development data, not an evaluation set: the evaluation sets are bench/data/ordinary and
bench/data/disclosures.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence

from bench.nlu import NLU_DATA, ROOT, load_disclosures
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.keywords import PHRASES_DIR, PhraseMatcher, default_matcher, load_phrases
from bot.nlu.screening import screen
from bot.nlu.training_data import load_directory

FRESH = ROOT / "bench" / "data" / "dev" / "fresh"


def main(argv: Sequence[str] | None = None) -> int:
    """Arguments: language codes (default all); `--no-patterns` screens with the phrase lists
    and the classifier alone (the figure before the patterns, from the same data); `--batch
    NAME` a batch of `bench/data/dev/` other than `fresh`."""
    args = list(argv if argv is not None else sys.argv[1:])
    with_patterns = "--no-patterns" not in args
    batch = "fresh"
    if "--batch" in args:
        at = args.index("--batch")
        batch = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    if not batch.startswith("fresh") or not (FRESH.parent / batch).is_dir():
        print(f"no such batch: {batch!r} (a folder bench/data/dev/fresh*)", file=sys.stderr)
        return 2
    wanted = {a for a in args if not a.startswith("--")}
    matcher = default_matcher() if with_patterns else PhraseMatcher(load_phrases(PHRASES_DIR))
    nlu = EmbeddedNLU.train(load_directory(NLU_DATA))
    disclosures = load_disclosures(FRESH.parent / batch)
    lines = [
        "| language | caught | by a phrase (clear) | by the classifier "
        "| by a pattern or a call for help (check) | kind right |",
        "|---|---|---|---|---|---|",
    ]
    total: Counter[str] = Counter()
    for language in sorted(disclosures):
        if wanted and language not in wanted:
            continue
        counts: Counter[str] = Counter()
        for text, kind in disclosures[language]:
            counts["all"] += 1
            found = screen(text, nlu.parse(text, language), matcher=matcher)
            if found is None:
                continue
            counts["caught"] += 1
            by = "intent" if found.source == "intent" else found.level
            counts[by] += 1
            counts["right"] += found.kind == kind
        total.update(counts)
        lines.append(_row(language, counts))
    lines.append(_row("all", total))
    print("\n".join(lines))
    return 0


def _row(name: str, c: Counter[str]) -> str:
    share = c["caught"] / c["all"] if c["all"] else 0.0
    return (
        f"| {name} | {c['caught']}/{c['all']} ({share:.0%}) | {c['clear']} | {c['intent']} "
        f"| {c['check']} | {c['right']} |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
