"""Write the persistence fixtures of this release into tests/data.

Run from the repository root with the release to freeze installed or first on
``sys.path``::

    python tests/data/make_fixtures.py

It writes ``mlp_<version>.pkl``, a pickled dict holding a small fitted
``MLPClassifier`` and ``MLPRegressor``, and ``mlp_<version>_outputs.npz``, their
``predict_proba`` and ``predict`` outputs on fixed inputs. The files of every
release stay in the repository: ``tests/test_persistence.py`` loads each one
with the current code and compares the outputs exactly, so a pickle written by
a release keeps loading in the next ones.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np


def fixed_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(X, y_class, y_reg)``: 60 rows, 4 features, 3 classes."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y_class = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    y_reg = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=60)
    return X, y_class, y_reg


def main(out: Path) -> None:
    import sklearn_adamlp
    from sklearn_adamlp import MLPClassifier, MLPRegressor

    X, y_class, y_reg = fixed_inputs()
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(8, 4), max_iter=30, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of a short fit
        clf.fit(X, y_class)
        reg.fit(X, y_reg)
    version = sklearn_adamlp.__version__
    (out / f"mlp_{version}.pkl").write_bytes(
        pickle.dumps({"classifier": clf, "regressor": reg}, protocol=4)
    )
    np.savez(
        out / f"mlp_{version}_outputs.npz",
        X=X,
        predict_proba=clf.predict_proba(X),
        predict_class=clf.predict(X),
        predict=reg.predict(X),
    )
    print(f"wrote the fixtures of sklearn-adamlp {version} into {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
