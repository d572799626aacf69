"""The embedded classifier's trained model as data: what training produces, what parsing
reads and what the disk cache (bot.nlu.model_cache) stores. No training code here, so the cache
and the classifier both import it without importing each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Calibration:
    """logit(intent) = inverse_temperature * margin(intent), plus novelty_weight * novelty for
    `out_of_scope`; confidences are the softmax of the logits. The defaults are what an
    uncalibrated model uses (a fixed sharp softmax, novelty ignored)."""

    inverse_temperature: float = 8.0
    novelty_weight: float = 0.0

    def probabilities(
        self,
        margins: npt.NDArray[np.float64],
        novelty: npt.NDArray[np.float64],
        intents: Sequence[str],
    ) -> npt.NDArray[np.float64]:
        """Rows of `margins` (examples x intents) and `novelty` (examples) -> confidences."""
        logits = self.inverse_temperature * margins
        if OUT_OF_SCOPE in intents:
            logits[:, list(intents).index(OUT_OF_SCOPE)] += self.novelty_weight * novelty
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
        return result


@dataclass(frozen=True)
class Columns:
    """A sparse matrix stored by columns (SciPy's CSC arrays), read with NumPy alone: parsing
    a message needs one product with it, and SciPy's import costs a command start about a
    seventh of a second. Training builds it from SciPy's matrix (`of`)."""

    data: npt.NDArray[np.float64]
    indices: npt.NDArray[np.intp]  # the row of each stored value
    indptr: npt.NDArray[np.intp]  # column j's values are data[indptr[j]:indptr[j + 1]]
    shape: tuple[int, int]

    @classmethod
    def of(cls, matrix: object) -> Columns:
        """From any SciPy sparse matrix (it has `tocsc`)."""
        csc = matrix.tocsc()  # type: ignore[attr-defined]
        csc.sort_indices()
        return cls(
            np.asarray(csc.data, dtype=np.float64),
            np.asarray(csc.indices, dtype=np.intp),
            np.asarray(csc.indptr, dtype=np.intp),
            (int(csc.shape[0]), int(csc.shape[1])),
        )

    def rows_times(
        self, columns: npt.NDArray[np.intp], values: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """`matrix[:, columns] @ values`: one sum per row."""
        starts = self.indptr[columns]
        lengths = self.indptr[columns + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self.shape[0])
        # Every stored position of the chosen columns, column after column.
        firsts = np.cumsum(lengths) - lengths
        positions = np.arange(total) + np.repeat(starts - firsts, lengths)
        weights = self.data[positions] * np.repeat(values, lengths)
        sums = np.bincount(self.indices[positions], weights=weights, minlength=self.shape[0])
        return sums.astype(np.float64, copy=False)


@dataclass(frozen=True)
class _Model:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]  # (features, intents)
    bias: npt.NDArray[np.float64]  # (intents,)
    intents: tuple[str, ...]
    examples: Columns  # (training examples, features), l2-normalised rows
    calibration: Calibration
