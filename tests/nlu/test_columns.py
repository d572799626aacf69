"""The classifier's column store gives SciPy's product, so parsing needs no SciPy import."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from bot.nlu.linear_model import Columns


@pytest.mark.parametrize("seed", range(5))
def test_rows_times_is_scipys_product(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(40, 300, density=0.05, format="csr", random_state=seed)
    columns = np.unique(rng.integers(0, 300, size=12)).astype(np.intp)
    values = rng.random(len(columns))
    expected = np.asarray(matrix.tocsc()[:, columns] @ values).ravel()
    got = Columns.of(matrix).rows_times(columns, values)
    assert got.shape == expected.shape
    assert np.allclose(got, expected, rtol=0, atol=1e-12)


def test_columns_with_nothing_stored_give_zeros() -> None:
    matrix = sp.csr_matrix((3, 5))
    got = Columns.of(matrix).rows_times(np.array([1, 4], dtype=np.intp), np.array([0.5, 0.5]))
    assert got.tolist() == [0.0, 0.0, 0.0]
