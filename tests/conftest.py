import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

# The benchmark scripts (a top-level `benchmarks` package beside the tests) are
# smoke-tested too. The checkout itself must not go on sys.path (the tests
# import the installed sklearn_adamlp), so a directory holding only a link to
# `benchmarks` does.
_BENCH_DIR = tempfile.mkdtemp(prefix="sklearn_adamlp_bench_path_")
atexit.register(shutil.rmtree, _BENCH_DIR, ignore_errors=True)
Path(_BENCH_DIR, "benchmarks").symlink_to(
    Path(__file__).resolve().parents[1] / "benchmarks", target_is_directory=True
)
sys.path.append(_BENCH_DIR)

# CI (CI=true) replays the same derandomized examples so a submission never fails
# on a new random find; developers' runs explore new examples every time.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def small_clf_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 6))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1)
    return X, y
