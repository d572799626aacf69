"""The embedded classifier's trained model as data: what training produces, what parsing
reads and what the disk cache (bot.nlu.model_cache) stores. No training code here, so the cache
and the classifier both import it without importing each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

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
class _Model:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]  # (features, intents)
    bias: npt.NDArray[np.float64]  # (intents,)
    intents: tuple[str, ...]
    examples: sp.csc_matrix  # (training examples, features), l2-normalised rows
    calibration: Calibration
