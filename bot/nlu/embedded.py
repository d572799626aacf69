"""Heard's embedded intent classifier: no server, trained at start-up in about a second.

Features (one analyser, used both by scikit-learn at training time and by the hand-rolled
scorer at parse time, so the two cannot drift apart): folded word unigrams and bigrams, the
accented words as an extra view, character 1-5 grams inside word boundaries, and the whole
folded message (so short replies such as "k" or "ie" are remembered exactly), and each Latin
word's consonant skeleton (`skeleton`: romanised spellings vary). On the development data
(the held-out split of nlu_data/ and bench/data/dev/), 5-grams and skeletons raised the
classifier's own recall at the calibrated threshold from 43.1% to 44.7% and from 32.8% to
36.9%, with no more false alarms (bench/calibrate.py; README "Understanding replies"). TF-IDF
(sublinear tf, l2 norm) then a linear SVM (one-vs-rest).

Confidences are calibrated (`Calibration`): a softmax over the SVM's margins times a
fitted inverse temperature, plus a push towards `out_of_scope` that grows with the message's
novelty (one minus its cosine similarity to the nearest training example). Both numbers are
fitted by minimising the log-loss of out-of-fold predictions on the training examples only,
so a confidence of 0.7 is right about 70% of the time on answers like the training data, and a
long answer unlike any example (a view about day services, say) leans to `out_of_scope`
instead of borrowing the confidence of whichever intent has the longest examples.

Parsing does not call scikit-learn, whose per-call input checks and sparse-matrix building
cost more than the scoring itself (median parse must stay under 1 ms; it measures ~0.3 ms).
The scorer looks features up in the vocabulary and sums rows of the weight matrix, which gives
the same margins as `decision_function`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.nlu import model_cache
from bot.nlu.base import IntentScore, ParseResult
from bot.nlu.linear_model import Calibration, Columns, _Model

if TYPE_CHECKING:  # SciPy is imported to train, never to parse (linear_model.Columns)
    import scipy.sparse as sp
from bot.nlu.normalise import basic, strip_accents
from bot.nlu.split import split
from bot.nlu.training_data import Example, data_files, load_directory

DEFAULT_THRESHOLD = 0.4
# Chosen on the held-out split of nlu_data/.
DEFAULT_C = 1.0
FOLDS = 5


# Romanised Urdu, Punjabi, Bengali and Arabic have no fixed spelling ("mujhe", "mujhay",
# "mjhe"; "maarta", "marta"): a Latin word's consonant skeleton (vowels and "h" after the first
# letter dropped, doubled letters collapsed) is one more feature, shared by its spellings.
_SKELETON_DROP = re.compile(r"(?<=.)[aeiouywh]+")
_DOUBLED = re.compile(r"(.)\1+")


def skeleton(word: str) -> str | None:
    """The consonant skeleton of an ASCII word of three letters or more ("mujhay" -> "mj"),
    None for any other word."""
    if len(word) < 3 or not word.isascii() or not word.isalpha():
        return None
    return _DOUBLED.sub(r"\1", _SKELETON_DROP.sub("", word))


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
        for n in (1, 2, 3, 4, 5):
            out.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
        shape = skeleton(word)
        if shape:
            out.append(f"k:{shape}")
    return [f for f in out if f != "c: "]


def fit_linear(
    matrix: sp.csr_matrix, labels: Sequence[str], intents: Sequence[str], c: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One-vs-rest linear SVM -> (weights (intents x features), bias (intents)), one row per
    name in `intents`; an intent absent from `labels` gets a margin below every other."""
    from sklearn.svm import LinearSVC  # imported here: a process that loads a model skips it

    present = sorted(set(labels))
    classifier = LinearSVC(C=c, random_state=0)  # the same data trains the same model
    classifier.fit(matrix, list(labels))
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    if len(present) == 2:  # binary: scikit-learn keeps one row, for the second class
        coef = np.vstack([-coef, coef])
        intercept = np.array([-intercept[0], intercept[0]])
    weights = np.zeros((len(intents), matrix.shape[1]))
    bias = np.full(len(intents), -10.0)
    for row, name in enumerate(str(n) for n in classifier.classes_):
        weights[intents.index(name)] = coef[row]
        bias[intents.index(name)] = intercept[row]
    return weights, bias


def nearest_similarity(
    examples: Columns, index: npt.NDArray[np.intp], values: npt.NDArray[np.float64]
) -> float:
    """The highest cosine similarity between one l2-normalised vector (its non-zero feature
    `index` and `values`) and any row of `examples`."""
    if examples.shape[0] == 0 or len(index) == 0:
        return 0.0
    return float(np.max(examples.rows_times(index, values)))


def fit_calibration(
    matrix: sp.csr_matrix, labels: Sequence[str], intents: Sequence[str], c: float
) -> Calibration:
    """Fits `Calibration` on out-of-fold predictions: each example is scored by a model
    trained on the other folds (every FOLDS-th example of each intent per fold), and its
    novelty is measured against those other folds only, as a new message's would be."""
    from scipy.optimize import minimize

    folds = _folds(labels)
    if folds.max() < 1:
        return Calibration()
    margins = np.zeros((len(labels), len(intents)))
    novelty = np.ones(len(labels))
    gold = np.array([list(intents).index(label) for label in labels])
    for fold in range(int(folds.max()) + 1):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        train_labels = [labels[int(i)] for i in train]
        if len(test) == 0 or len(set(train_labels)) < 2:
            return Calibration()
        weights, bias = fit_linear(matrix[train], train_labels, intents, c)
        margins[test] = np.asarray(matrix[test] @ weights.T) + bias
        similarity = (matrix[test] @ matrix[train].T).toarray()
        novelty[test] = 1.0 - similarity.max(axis=1)

    def loss(params: npt.NDArray[np.float64]) -> float:
        probs = Calibration(float(params[0]), float(params[1])).probabilities(
            margins.copy(), novelty, intents
        )
        return float(-np.mean(np.log(probs[np.arange(len(gold)), gold] + 1e-12)))

    best = minimize(loss, np.array([4.0, 0.0]), method="L-BFGS-B",
                    bounds=[(0.1, 50.0), (0.0, 50.0)])
    return Calibration(float(best.x[0]), float(best.x[1]))


def _folds(labels: Sequence[str]) -> npt.NDArray[np.intp]:
    """Fold of each example: within an intent, the i-th example goes to fold i % FOLDS, so
    each fold holds about a fifth of every intent (deterministic, no random state)."""
    seen: Counter[str] = Counter()
    out = np.zeros(len(labels), dtype=np.intp)
    for i, label in enumerate(labels):
        out[i] = seen[label] % FOLDS
        seen[label] += 1
    return out


class EmbeddedNLU:
    """`NLU` without a server. `parse` ignores `language`: the features carry it already."""

    backend = "embedded"

    def __init__(self, model: _Model, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._model = model
        self.threshold = threshold

    @property
    def intents(self) -> tuple[str, ...]:
        return self._model.intents

    @property
    def calibration(self) -> Calibration:
        return self._model.calibration

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        threshold: float = DEFAULT_THRESHOLD,
        c: float = DEFAULT_C,
        calibrate: bool = True,
    ) -> EmbeddedNLU:
        """Trains on `examples`. With `calibrate` (the default) the confidences are fitted by
        cross-validation on these same examples; without it they use `Calibration()`."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer

        items = list(examples)
        intents = tuple(sorted({e.intent for e in items}))
        if len(intents) < 2:
            raise ValueError("training needs examples of at least two intents")
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float64)
        matrix = sp.csr_matrix(vectorizer.fit_transform([e.text for e in items]))
        labels = [e.intent for e in items]
        weights, bias = fit_linear(matrix, labels, intents, c)
        calibration = fit_calibration(matrix, labels, intents, c) if calibrate else Calibration()
        model = _Model(  # scored by `_scores`, which must match `decision_function`
            vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
            weights=np.ascontiguousarray(weights.T),
            bias=bias,
            intents=intents,
            examples=Columns.of(matrix),
            calibration=calibration,
        )
        return cls(model, threshold)

    @classmethod
    def from_directory(
        cls,
        path: Path | str,
        holdout: bool = False,
        threshold: float = DEFAULT_THRESHOLD,
        cache_dir: Path | None = None,
    ) -> EmbeddedNLU:
        """Trained on every example in `path` (or, with `holdout`, on the training part of
        the held-out split only). Cached per process, keyed by the files' contents, and, with
        `cache_dir`, on disk (bot.nlu.model_cache) so the next process loads instead of
        training."""
        directory = Path(path)
        key = (_content_hash(directory), holdout)
        with _cache_lock:
            model = _cache.get(key)
            disk_key = model_cache.cache_key(*key) if cache_dir is not None else ""
            if model is None and cache_dir is not None:
                model = model_cache.load(cache_dir, disk_key)
            if model is None:
                examples = load_directory(directory)
                if holdout:
                    examples = list(split(examples).training)
                model = cls.train(examples)._model
                if cache_dir is not None:
                    # A read-only data dir costs start-up time, nothing else.
                    with contextlib.suppress(OSError):
                        model_cache.save(model, cache_dir, disk_key)
            _cache[key] = model
        return cls(model, threshold)

    def margins(self, text: str) -> dict[str, float]:
        """The SVM's raw margins per intent (what `decision_function` gives)."""
        scores, _ = self._scores(text)
        return {name: float(s) for name, s in zip(self._model.intents, scores, strict=True)}

    def novelty(self, text: str) -> float:
        """1 - cosine similarity to the nearest training example: 0 for a known example, 1
        for a text sharing no feature with any."""
        return self._scores(text)[1]

    def probabilities(self, text: str) -> dict[str, float]:
        m = self._model
        scores, novelty = self._scores(text)
        probs = m.calibration.probabilities(scores[np.newaxis, :], np.array([novelty]), m.intents)
        return {name: float(p) for name, p in zip(m.intents, probs[0], strict=True)}

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        probs = self.probabilities(text)
        ordered = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
        ranking = tuple(IntentScore(name, p) for name, p in ordered)
        top = ranking[0] if ranking and ranking[0].confidence >= self.threshold else None
        if not basic(text):
            top = None
        return ParseResult(text=text, intent=top, ranking=ranking, backend=self.backend)

    def _scores(self, text: str) -> tuple[npt.NDArray[np.float64], float]:
        m = self._model
        counts = Counter(f for f in features(text) if f in m.vocabulary)
        if not counts:
            return m.bias.copy(), 1.0
        index = np.fromiter((m.vocabulary[f] for f in counts), dtype=np.intp, count=len(counts))
        tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64)
        values = tf * m.idf[index]
        values /= float(np.sqrt(values @ values))
        scores = m.bias + values @ m.weights[index]
        return scores, 1.0 - nearest_similarity(m.examples, index, values)


_cache: dict[tuple[str, bool], _Model] = {}
_cache_lock = threading.Lock()


def _content_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in data_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
