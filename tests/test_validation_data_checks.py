"""``validation_data`` is checked as strictly as ``(X, y)`` are in ``fit``.

Every bad validation set raises a ``ValueError`` naming ``validation_data``
and the problem, before any training, for stepping solvers and L-BFGS alike.
"""

import numpy as np
import pytest

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback


class CountEpochs(Callback):
    def on_epoch_end(self, ctx, record, **kw):
        self.n_ = getattr(self, "n_", 0) + 1
        return False


def _reg_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    return X, rng.poisson(2.0, size=40).astype(float)


def _clf_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


def _with(X, **changes):
    X = X.copy()
    for (i, j), v in changes.get("at", {}).items():
        X[i, j] = v
    return X


SOLVERS = ["adam", "lbfgs"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_poisson_rejects_negative_validation_targets_as_fit_does(solver):
    X, y = _reg_data()
    reg = MLPRegressor(loss="poisson", solver=solver, max_iter=3)
    with pytest.raises(ValueError, match=r"loss='poisson' requires non-negative y\."):
        reg.fit(X, -y - 1)
    cb = CountEpochs()
    reg.set_params(callbacks=[cb])
    with pytest.raises(
        ValueError, match=r"loss='poisson' requires non-negative y_val\."
    ):
        reg.fit(X, y, validation_data=(X, y - 3))
    assert not hasattr(cb, "n_")  # refused before any training


BAD_X = {
    "NaN": lambda X: _with(X, at={(0, 0): np.nan}),
    "infinity": lambda X: _with(X, at={(1, 2): np.inf}),
    "2 features": lambda X: X[:, :2],
    "0 sample": lambda X: X[:0],
}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("problem", list(BAD_X))
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_bad_validation_X_names_validation_data(Est, problem, solver):
    X, y = _clf_data()
    X_val = BAD_X[problem](X)
    est = Est(hidden_layer_sizes=(3,), solver=solver, max_iter=2)
    with pytest.raises(ValueError, match="validation_data") as info:
        est.fit(X, y, validation_data=(X_val, y[: X_val.shape[0]]))
    assert problem in str(info.value)


BAD_Y_REG = {
    "NaN": lambda y: np.where(np.arange(len(y)) == 3, np.nan, y),
    "2 outputs": lambda y: np.c_[y, y],
    "samples": lambda y: y[:-5],
}


@pytest.mark.parametrize("problem", list(BAD_Y_REG))
def test_bad_regression_validation_targets(problem):
    X, y = _reg_data()
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match="validation_data") as info:
        reg.fit(X, y, validation_data=(X, BAD_Y_REG[problem](y)))
    assert problem in str(info.value)


BAD_Y_CLF = {
    "not in `self.classes_`": lambda y: y + 5,
    "multilabel": lambda y: np.c_[y, 1 - y, y],
    "NaN": lambda y: np.where(np.arange(len(y)) == 3, np.nan, y.astype(float)),
}


@pytest.mark.parametrize("problem", list(BAD_Y_CLF))
def test_bad_classification_validation_targets(problem):
    X, y = _clf_data()
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match="validation_data") as info:
        clf.fit(X, y, validation_data=(X, BAD_Y_CLF[problem](y)))
    assert problem in str(info.value)


def test_negative_or_misshapen_validation_weights_are_refused():
    X, y = _clf_data()
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match=r"validation_data.*[Nn]egative"):
        clf.fit(X, y, validation_data=(X, y, -np.ones(len(y))))
    with pytest.raises(ValueError, match=r"validation_data.*shape"):
        clf.fit(X, y, validation_data=(X, y, np.ones(3)))


def test_validation_data_of_wrong_length_says_what_it_takes():
    X, y = _clf_data()
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match="got a tuple of length 1"):
        clf.fit(X, y, validation_data=(X,))


def test_valid_validation_data_still_works():
    X, y = _reg_data()
    reg = MLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=3)
    reg.fit(X, y, validation_data=(X, y, np.ones(len(y))))
    assert np.isfinite(reg.history_["val_loss"]).all()
