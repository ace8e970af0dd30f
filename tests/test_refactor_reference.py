"""Every solver and schedule reproduces the weights pinned before a refactoring.

tests/data/make_refactor_reference.py wrote tests/data/refactor_reference.npz
from the numpy path (float64) before the plateau rule, the weight decay and
Adam/NAdam's update were reorganised; each case is refitted here and must give
the same weights, loss curve, learning rates and epoch count, to 1e-12.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sklearn_adamlp import _jit

DATA = Path(__file__).parent / "data"
_spec = importlib.util.spec_from_file_location(
    "make_refactor_reference", DATA / "make_refactor_reference.py"
)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)
REFERENCE = np.load(DATA / "refactor_reference.npz")


@pytest.fixture
def numpy_steps():
    previous = _jit.set_enabled(False)
    try:
        yield
    finally:
        _jit.set_enabled(previous)


@pytest.mark.parametrize("name", sorted(ref.cases()))
def test_reproduces_reference(name, numpy_steps):
    cls, params, target = ref.cases()[name]
    got = ref.fit_case(cls, params, target)
    assert int(got["n_iter"]) == int(REFERENCE[f"{name}/n_iter"])
    for key in ("learning_rate", "loss_curve", "weights"):
        np.testing.assert_allclose(
            got[key], REFERENCE[f"{name}/{key}"], rtol=1e-12, atol=1e-12, err_msg=key
        )
