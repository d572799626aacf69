"""The embedded classifier's trained model on disk, so a process starts without training.

A model is stored as two files named by a key (a hash of the training files, the feature
code's version and the library versions that shape training): `<key>.npz` holds the arrays
(numpy's format, read with `allow_pickle=False`, so loading runs no code from the file) and
`<key>.json` the vocabulary, intents and calibration. Both are written to a temporary name
and renamed, so a reader never sees half a model; a file that does not load is ignored and
the model is trained again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from bot.nlu.linear_model import Calibration, Columns, _Model

log = logging.getLogger("heard.nlu")

# Bump when the features, the training settings (embedded.DEFAULT_C), the model's fields or
# their meaning change.
FORMAT = "heard-embedded-5"


def cache_key(content_hash: str, holdout: bool) -> str:
    parts = (FORMAT, content_hash, str(holdout), np.__version__, _sklearn_version())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _sklearn_version() -> str:
    """scikit-learn's installed version without importing it, from its `.dist-info` folder
    beside NumPy's (one glob, where `importlib.metadata` scans every distribution); asked of
    `importlib.metadata` when it is not found there exactly once."""
    site = Path(np.__file__).resolve().parent.parent
    found = [p.name for p in site.glob("scikit_learn-*.dist-info")]
    if len(found) == 1:
        return found[0].removeprefix("scikit_learn-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("scikit-learn")


def save(model: _Model, directory: Path, key: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    examples = model.examples
    arrays: dict[str, Any] = {
        "idf": model.idf,
        "weights": model.weights,
        "bias": model.bias,
        "examples_data": examples.data,
        "examples_indices": examples.indices,
        "examples_indptr": examples.indptr,
        "examples_shape": np.array(examples.shape, dtype=np.int64),
    }
    meta: dict[str, Any] = {
        "format": FORMAT,
        "vocabulary": model.vocabulary,
        "intents": list(model.intents),
        "calibration": {
            "inverse_temperature": model.calibration.inverse_temperature,
            "novelty_weight": model.calibration.novelty_weight,
        },
    }
    stem = directory / key
    tmp_npz = stem.with_name(f".{key}.{os.getpid()}.npz")
    tmp_json = stem.with_name(f".{key}.{os.getpid()}.json")
    with tmp_npz.open("wb") as fh:
        np.savez(fh, **arrays)
    tmp_json.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    tmp_npz.replace(stem.with_suffix(".npz"))
    tmp_json.replace(stem.with_suffix(".json"))


def load(directory: Path, key: str) -> _Model | None:
    """The stored model, or None when there is none (or it does not read back whole)."""

    stem = directory / key
    npz, meta_path = stem.with_suffix(".npz"), stem.with_suffix(".json")
    if not (npz.is_file() and meta_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            return None
        with npz.open("rb") as fh, np.load(fh, allow_pickle=False) as arrays:
            shape = tuple(int(n) for n in arrays["examples_shape"])
            examples = Columns(
                np.asarray(arrays["examples_data"], dtype=np.float64),
                np.asarray(arrays["examples_indices"], dtype=np.intp),
                np.asarray(arrays["examples_indptr"], dtype=np.intp),
                (shape[0], shape[1]),
            )
            intents = tuple(str(name) for name in meta["intents"])
            weights = np.asarray(arrays["weights"], dtype=np.float64)
            if weights.shape[1] != len(intents) or weights.shape[0] != shape[1]:
                return None
            calibration = meta["calibration"]
            vocabulary = meta["vocabulary"]  # written by `save`: JSON's str keys, int values
            if not isinstance(vocabulary, dict):
                return None
            return _Model(
                vocabulary=vocabulary,
                idf=np.asarray(arrays["idf"], dtype=np.float64),
                weights=weights,
                bias=np.asarray(arrays["bias"], dtype=np.float64),
                intents=intents,
                examples=examples,
                calibration=Calibration(
                    float(calibration["inverse_temperature"]),
                    float(calibration["novelty_weight"]),
                ),
            )
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        log.warning("the cached NLU model could not be read; training again")
        return None
