"""Understanding a reply to a question, with the noise people type.

Pure functions of the text, the question's choices and the words of the person's language (plus
English, always). Each returns the normalised value, or None when the reply is not understood:
the engine then says what to send and asks again, so a wrong guess is worse than None.

No classifier is consulted here: a yes/no question (consent, DELETE, "carry on?") is answered
only by a number, an option's own words or a yes/no word of the catalogue. "bye" or "why?" read
as `affirm` by the NLU must never grant consent. A yes is a yes: a reply holding a yes word and
anything else but courtesy ("ok bye", "yes but why", "ok no", "tak nie") is not understood.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.catalogue import Catalogue
from bot.catalogue.model import fold
from bot.engine.events import Choice
from bot.flowspec.model import SKIP_VALUE, AnswerKind

_EDGE_PUNCTUATION = " .!?¡¿,;:'\"()[]{}<>#*-_~`=|\\/،۔؟।"
_DIGITS = re.compile(r"\d+")
_NEGATIVE = re.compile(r"[-\u2212]\s*\d")
_SEPARATORS = re.compile(r"[,;/&+\n]+")
_MIN_CONTAINED = 3  # shortest reply that may match inside a longer label
# A number inside a sentence ("2 please", "I think number 3") picks an option only in a reply
# this short; in a longer one the number is more likely part of what the person says.
_NUMBER_IN_SENTENCE_MAX_WORDS = 5
# What a listed phrase stands for: an answer ("yes", "no", "" for courtesy) or taking leave.
_Meaning = TypeVar("_Meaning", str, bool)


def clean(text: str) -> str:
    """The text without control and format characters, NFKC-normalised, spaces collapsed."""
    kept = [
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFKC", text)
    ]
    return " ".join("".join(kept).split())


def bare(text: str) -> str:
    """Folded, with the punctuation people put around a short reply removed ("#2)", "Yes!")."""
    return fold(clean(text)).strip(_EDGE_PUNCTUATION)


@dataclass(frozen=True)
class Vocabulary:
    """The reply words of the person's language, with English always added as a safety net."""

    numbers: Mapping[str, int] = field(default_factory=dict)
    yes: frozenset[str] = frozenset()
    no: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    easy: frozenset[str] = frozenset()
    standard: frozenset[str] = frozenset()
    cancel: frozenset[str] = frozenset()
    courtesy: frozenset[str] = frozenset()  # "please", "thanks": beside a yes or a no, nothing
    farewell: frozenset[str] = frozenset()  # "thanks", "bye", "see you": taking leave
    languages: Mapping[str, frozenset[str]] = field(default_factory=dict)  # code -> names
    # Words people put between the numbers of a multiple answer, in every catalogue language
    # (`flows/words/<lang>.yaml`): people mix languages.
    connectors: frozenset[str] = frozenset()

    @classmethod
    def of(cls, catalogue: Catalogue, language: str | None) -> Vocabulary:
        def words(command: str) -> frozenset[str]:
            return frozenset(catalogue.words(language, command))

        return cls(
            numbers=catalogue.number_words(language),
            yes=words("yes"),
            no=words("no"),
            skip=words("skip"),
            easy=words("easy"),
            standard=words("standard"),
            cancel=words("cancel"),
            courtesy=words("courtesy"),
            farewell=words("farewell"),
            languages={
                code: frozenset({fold(code), fold(info.name), fold(info.english_name)})
                for code, info in catalogue.languages.items()
            },
            connectors=catalogue.connectors,
        )


@dataclass(frozen=True)
class Question:
    """What a reply is matched against: the kind of answer and the choices shown."""

    kind: AnswerKind
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    # The DELETE confirmation: "cancel" (in the person's language or English) means no.
    cancel_means_no: bool = False
    # The safeguarding check-in: a yes there grants nothing but the help lines, so a reply that
    # starts with a yes word is yes ("yes I need help"); a no still has to be a clear no.
    leading_yes: bool = False


def number_of(text: str, vocab: Vocabulary) -> int | None:
    """A whole-message number: "2", " 2. ", "#2", "(2)", "٢", "two", "dwa". "-1" is not 1."""
    if clean(text).lstrip("#( ").startswith(("-", "\u2212")):
        return None
    word = bare(text)
    if _DIGITS.fullmatch(word):
        return int(word)
    return vocab.numbers.get(word)


def _by_number(choices: Sequence[Choice], number: int | None) -> Choice | None:
    return next((c for c in choices if c.number == number), None)


def _skip_choice(text: str, choices: Sequence[Choice], vocab: Vocabulary) -> Choice | None:
    skip = next((c for c in choices if c.value == SKIP_VALUE), None)
    if skip is not None and bare(text) in vocab.skip:
        return skip
    return None


def match_label(text: str, choices: Sequence[Choice], *, around: bool = True) -> Choice | None:
    """A choice named by its label or value: exactly, by a unique prefix, by a reply that is part
    of one label ("carry on" for "No, carry on"), or (with `around`) by one label inside a
    longer reply ("it is about housing really").

    A negative number names nothing: folding strips its sign, and "-1" would otherwise match
    a scale's label "1".
    """
    said = bare(text)
    if not said or _NEGATIVE.match(clean(text).lstrip("#( ")):
        return None
    names = {c: (bare(c.label), fold(c.value.replace("_", " "))) for c in choices}
    exact = [c for c, ns in names.items() if said in ns]
    if exact:
        return exact[0] if len(exact) == 1 else None
    prefix = [c for c, ns in names.items() if any(n.startswith(said) for n in ns)]
    if len(prefix) == 1:
        return prefix[0]
    if len(said) >= _MIN_CONTAINED:
        inside = [c for c, ns in names.items() if any(_has_words(n, said) for n in ns)]
        if len(inside) == 1:
            return inside[0]
        holding = [c for c, ns in names.items() if any(n and _has_words(said, n) for n in ns)]
        if around and len(holding) == 1:
            return holding[0]
    return None


def _has_words(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def parse_choice(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """The whole reply names one option (number, skip word, label); else, in a short sentence,
    exactly one option is meant ("2 please", "I think number 3", "the bus one")."""
    chosen = _by_number(question.choices, number_of(text, vocab)) or _skip_choice(
        text, question.choices, vocab
    )
    if chosen is None:
        chosen = match_label(text, question.choices)
        if question.kind in ("choice", "scale", "register"):
            numbered = _by_number(question.choices, number_in_sentence(text, vocab))
            if chosen is not None and numbered is not None and chosen != numbered:
                if _DIGITS.search(text):
                    return None  # "3, the bus one" naming two options: not understood
                numbered = None  # "the bus one": "one" is a pronoun, the label says which
            chosen = chosen or numbered
    return chosen.value if chosen else None


def number_in_sentence(text: str, vocab: Vocabulary) -> int | None:
    """The one number a short reply holds ("2 please", "number 3", "the second one"), else None.

    Digits win over number words; "one" beside another number word is the pronoun ("the second
    one"). Two different numbers ("2 or 3") are not understood.
    """
    raw = clean(text).split()
    if not 1 < len(raw) <= _NUMBER_IN_SENTENCE_MAX_WORDS or any(
        w.lstrip("#(").startswith(("-", "\u2212")) for w in raw
    ):
        return None
    words = [bare(w) for w in raw]
    digits = {int(w) for w in words if _DIGITS.fullmatch(w)}
    if any(_DIGITS.search(w) and not _DIGITS.fullmatch(w) for w in words):
        return None  # "2nd", "3pm", "1,5": not a plain number
    if digits:
        return digits.pop() if len(digits) == 1 else None
    named = [(w, vocab.numbers[w]) for w in words if w in vocab.numbers]
    if len(named) > 1:
        named = [(w, n) for w, n in named if w != "one"]
    values = {n for _, n in named}
    return values.pop() if len(values) == 1 else None


def parse_yes_no(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """A number, an option's label, or yes/no words of the person's language (or English) with
    nothing else but courtesy ("yes please", "no thanks", "nac oes, diolch"). Never a classifier
    guess. A yes word beside anything else ("ok bye", "yes but why", "ok no", "tak nie") and a
    no word beside other words ("nie wiem", "I don't know") are not understood: the person is
    asked again, told exactly what to send."""
    said = bare(text)
    asks_back = clean(text).rstrip(" .!").endswith(("?", "\u061f"))
    # Digits inside a yes/no word are letters: Arabic written in Latin letters spells
    # "na3am" (yes) and "la2" (no).
    words_of_answer = vocab.yes | vocab.no | vocab.cancel
    stray_digit = said not in words_of_answer and any(
        _DIGITS.search(w) and bare(w) not in words_of_answer for w in said.split()
    )
    if (stray_digit or asks_back) and number_of(text, vocab) is None:
        # "yes 2", "1 please": the words and the number may disagree; "ok?", "acha?"
        # ("really?"), "yes?": a question back, not an answer
        return None
    chosen = _by_number(question.choices, number_of(text, vocab)) or _skip_choice(
        text, question.choices, vocab
    )
    if chosen is None:
        # A label typed or tapped as the whole reply (or a unique part of one); never a
        # label found inside a longer reply: "yes bye" holds "Yes".
        chosen = match_label(text, question.choices, around=False)
    if chosen is not None:
        return chosen.value
    if question.cancel_means_no and said in vocab.cancel:
        return "no"
    words = [w for w in (bare(w) for w in said.split()) if any(c.isalnum() for c in w)]
    if question.leading_yes:
        yes_words = _leading_phrase(words, vocab.yes)
        if yes_words and not set(words[yes_words:]) & vocab.no:
            return "yes"
    meant = _answer_words(words, question, vocab)
    return meant.pop() if meant is not None and len(meant) == 1 else None


def _answer_words(words: Sequence[str], question: Question, vocab: Vocabulary) -> set[str] | None:
    """The answers ("yes", "no") a reply made only of yes/no phrases, the yes/no options' own
    labels and courtesy words names; None when any other word is in it. Each place takes the
    longest phrase, so Welsh "nac ydw" (no) is not read as "ydw" (yes)."""
    phrases: dict[tuple[str, ...], str] = {}
    for value, listed in (("yes", vocab.yes), ("no", vocab.no), ("", vocab.courtesy)):
        for phrase in listed:
            phrases.setdefault(tuple(phrase.split()), value)
    for choice in question.choices:
        if choice.value in ("yes", "no"):
            phrases.setdefault(tuple(bare(choice.label).split()), choice.value)
    meanings = _phrase_meanings(words, phrases)
    return None if meanings is None else {m for m in meanings if m}


def is_farewell(text: str, vocab: Vocabulary) -> bool:
    """True when the whole reply takes leave ("thanks", "ok bye", "diolch, hwyl", "khuda
    hafiz"): farewell words of the person's language (or English), with nothing else but
    courtesy and yes words. Read only where no answer was understood, and never at a yes/no
    question: there a farewell must not stand for a yes or a no (bot.engine.answers)."""
    words = [w for w in (bare(w) for w in bare(text).split()) if any(c.isalnum() for c in w)]
    phrases: dict[tuple[str, ...], bool] = {}
    for listed, leaving in ((vocab.farewell, True), (vocab.courtesy, False), (vocab.yes, False)):
        for phrase in listed:
            phrases.setdefault(tuple(phrase.split()), leaving)
    meanings = _phrase_meanings(words, phrases)
    return meanings is not None and any(meanings)


def _phrase_meanings(
    words: Sequence[str], phrases: Mapping[tuple[str, ...], _Meaning]
) -> list[_Meaning] | None:
    """What each phrase of a reply made only of listed phrases means, taking the longest
    phrase at each place; None when a word is in none of them."""
    longest = max((len(p) for p in phrases), default=0)
    meanings: list[_Meaning] = []
    i = 0
    while i < len(words):
        size = next(
            (
                n
                for n in range(min(longest, len(words) - i), 0, -1)
                if tuple(words[i : i + n]) in phrases
            ),
            0,
        )
        if size == 0:
            return None
        meanings.append(phrases[tuple(words[i : i + size])])
        i += size
    return meanings


def _leading_phrase(words: Sequence[str], phrases: frozenset[str]) -> int:
    """How many of the reply's first words are one of the phrases (the longest), else 0."""
    return max(
        (len(p.split()) for p in phrases if p and list(words[: len(p.split())]) == p.split()),
        default=0,
    )


def parse_multi(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """ "1 3", "1,3", "1 and 3", "housing, carers": the chosen values in menu order."""
    whole = parse_choice(text, question, vocab)
    if whole is not None:
        return whole
    chosen: set[Choice] = set()
    for segment in _SEPARATORS.split(fold(clean(text))):
        if not segment.strip():
            continue
        whole_segment = match_label(segment, question.choices)
        groups = [whole_segment] if whole_segment else _segment_choices(segment, question, vocab)
        if groups is None or any(c is None for c in groups):
            return None
        chosen.update(c for c in groups if c is not None)
    if not chosen or (len(chosen) > 1 and any(c.value == SKIP_VALUE for c in chosen)):
        return None
    return ",".join(c.value for c in sorted(chosen, key=lambda c: c.number))


def _segment_choices(
    segment: str, question: Question, vocab: Vocabulary
) -> list[Choice | None] | None:
    """Choices in one comma-free segment: numbers ("1 3") or labels joined by "and"."""
    groups: list[list[str]] = [[]]
    for word in segment.split():
        if bare(word) in vocab.connectors:
            groups.append([])
        else:
            groups[-1].append(word)
    picked: list[Choice | None] = []
    for group in filter(None, groups):
        numbers = [number_of(w, vocab) for w in group]
        if all(n is not None for n in numbers):
            picked.extend(_by_number(question.choices, n) for n in numbers)
        else:
            picked.append(match_label(" ".join(group), question.choices))
    return picked or None


def parse_number(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """A whole number within min..max; "I am 45" counts, "45 or 46" does not."""
    low = question.min if question.min is not None else -(10**9)
    high = question.max if question.max is not None else 10**9
    value = number_of(text, vocab)
    if value is None:
        found = _DIGITS.findall(clean(text))
        value = int(found[0]) if len(found) == 1 else None
    if value is not None and low <= value <= high:
        return str(value)
    # The skip choice (numbered 0, outside the range) by number, word or label.
    skip = (
        _by_number(question.choices, value)
        or _skip_choice(text, question.choices, vocab)
        or match_label(text, question.choices)
    )
    return skip.value if skip else None


def parse_language(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """A language by menu number, its own name, its English name or its code."""
    chosen = _by_number(question.choices, number_of(text, vocab))
    if chosen is not None:
        return chosen.value
    said = bare(text)
    offered = {c.value for c in question.choices}
    named = [code for code, names in vocab.languages.items() if code in offered and said in names]
    if len(named) == 1:
        return named[0]
    label = match_label(text, question.choices)
    return label.value if label else None


def parse_register(text: str, question: Question, vocab: Vocabulary) -> str | None:
    said = bare(text)
    if said in vocab.easy:
        return "easy"
    if said in vocab.standard:
        return "standard"
    return parse_choice(text, question, vocab)


def parse_open(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """Any non-empty text is the answer; the skip choice wins only as the whole message."""
    skip = _skip_choice(text, question.choices, vocab)
    if skip is None:
        skip = _by_number(question.choices, number_of(text, vocab))
    if skip is None and question.choices and bare(text) == bare(question.choices[0].label):
        skip = question.choices[0]
    if skip is not None:
        return skip.value
    cleaned = clean(text)
    return cleaned or None


def understand(text: str, question: Question, vocab: Vocabulary) -> str | None:
    """The normalised answer to `question`, or None when the reply is not understood."""
    kind = question.kind
    if kind == "yes_no":
        return parse_yes_no(text, question, vocab)
    if kind == "multi":
        return parse_multi(text, question, vocab)
    if kind == "number":
        return parse_number(text, question, vocab)
    if kind == "language":
        return parse_language(text, question, vocab)
    if kind == "register":
        return parse_register(text, question, vocab)
    if kind == "open":
        return parse_open(text, question, vocab)
    return parse_choice(text, question, vocab)  # choice, scale
