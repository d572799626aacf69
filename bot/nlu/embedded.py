"""Heard's embedded intent classifier: no server, trained at start-up in a few seconds.

Features (one analyser, used both by scikit-learn at training time and by the hand-rolled
scorer at parse time, so the two cannot drift apart): folded word unigrams and bigrams, the
accented words as an extra view, character 1-4 grams inside word boundaries, and the whole
folded message (so short replies such as "k" or "ie" are remembered exactly). TF-IDF
(sublinear tf, l2 norm) then a linear SVM (one-vs-rest). Confidences are a softmax over the
SVM's margins times `_MARGIN_SCALE`: monotone in the margins, summing to one, and on the
held-out split about three in four answers at or above the 0.4 threshold are right.
(Logistic regression scored the same on the held-out split but took 10-30 s to train.)

Parsing does not call scikit-learn, whose per-call input checks and sparse-matrix building
cost more than the scoring itself (median parse must stay under 1 ms; it measures ~0.1 ms).
The scorer looks features up in the vocabulary and
sums rows of the weight matrix, which gives the same margins as `decision_function`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.nlu.base import IntentScore, ParseResult
from bot.nlu.normalise import basic, strip_accents
from bot.nlu.split import split
from bot.nlu.training_data import Example, data_files, load_directory

DEFAULT_THRESHOLD = 0.4
# Chosen on the held-out split of nlu_data/.
DEFAULT_C = 0.5
_MARGIN_SCALE = 8.0


def features(text: str) -> list[str]:
    accented = basic(text)
    folded = strip_accents(accented)
    words = folded.split()
    out = [f"m:{folded}"]
    out.extend(f"w:{w}" for w in words)
    out.extend(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    if accented != folded:
        out.extend(f"a:{w}" for w in accented.split())
    for word in words:
        padded = f" {word} "
        for n in (1, 2, 3, 4):
            out.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return [f for f in out if f != "c: "]


@dataclass(frozen=True)
class _Model:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]  # (features, intents)
    bias: npt.NDArray[np.float64]  # (intents,)
    intents: tuple[str, ...]


class EmbeddedNLU:
    """`NLU` without a server. `parse` ignores `language`: the features carry it already."""

    backend = "embedded"

    def __init__(self, model: _Model, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._model = model
        self.threshold = threshold

    @property
    def intents(self) -> tuple[str, ...]:
        return self._model.intents

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        threshold: float = DEFAULT_THRESHOLD,
        c: float = DEFAULT_C,
    ) -> EmbeddedNLU:
        items = list(examples)
        intents = sorted({e.intent for e in items})
        if len(intents) < 2:
            raise ValueError("training needs examples of at least two intents")
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float64)
        matrix = vectorizer.fit_transform([e.text for e in items])
        classifier = LinearSVC(C=c)
        classifier.fit(matrix, [e.intent for e in items])
        coef = np.asarray(classifier.coef_, dtype=np.float64)
        intercept = np.asarray(classifier.intercept_, dtype=np.float64)
        if len(intents) == 2:  # binary: scikit-learn keeps one row, for the second class
            coef = np.vstack([-coef, coef])
            intercept = np.array([-intercept[0], intercept[0]])
        model = _Model(  # scored by `probabilities`, which must match `classifier`
            vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
            weights=np.ascontiguousarray(coef.T),
            bias=intercept,
            intents=tuple(str(c) for c in classifier.classes_),
        )
        return cls(model, threshold)

    @classmethod
    def from_directory(
        cls, path: Path | str, holdout: bool = False, threshold: float = DEFAULT_THRESHOLD
    ) -> EmbeddedNLU:
        """Trained on every example in `path` (or, with `holdout`, on the training part of
        the held-out split only). Cached per process, keyed by the files' contents."""
        directory = Path(path)
        key = (_content_hash(directory), holdout)
        with _cache_lock:
            model = _cache.get(key)
            if model is None:
                examples = load_directory(directory)
                if holdout:
                    examples = list(split(examples).training)
                model = cls.train(examples)._model
                _cache[key] = model
        return cls(model, threshold)

    def probabilities(self, text: str) -> dict[str, float]:
        m = self._model
        counts = Counter(f for f in features(text) if f in m.vocabulary)
        scores = m.bias.copy()
        if counts:
            index = np.fromiter((m.vocabulary[f] for f in counts), dtype=np.intp, count=len(counts))
            tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64)
            values = tf * m.idf[index]
            values /= float(np.sqrt(values @ values))
            scores = scores + values @ m.weights[index]
        scores = np.exp(_MARGIN_SCALE * (scores - scores.max()))
        scores /= scores.sum()
        return {name: float(p) for name, p in zip(m.intents, scores, strict=True)}

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        probs = self.probabilities(text)
        ordered = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
        ranking = tuple(IntentScore(name, p) for name, p in ordered)
        top = ranking[0] if ranking and ranking[0].confidence >= self.threshold else None
        if not basic(text):
            top = None
        return ParseResult(text=text, intent=top, ranking=ranking, backend=self.backend)


_cache: dict[tuple[str, bool], _Model] = {}
_cache_lock = threading.Lock()


def _content_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in data_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


