"""Entries of list parameters (dropout, callbacks) are checked, each by name."""

import numpy as np
import pytest

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.dropout import layer_rates


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    ("dropout", "entry"),
    [
        (["0.2", 0.1], r"dropout\[0\]='0\.2'"),
        ((0.1, None), r"dropout\[1\]=None"),
        ([0.1, True], r"dropout\[1\]=True"),
        ([0.1, [0.2]], r"dropout\[1\]=\[0\.2\]"),
    ],
)
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_dropout_entries_must_be_numbers(data, Est, dropout, entry):
    X, y = data
    est = Est(hidden_layer_sizes=(3, 3), dropout=dropout, max_iter=2)
    with pytest.raises(TypeError, match=entry):
        est.fit(X, y)


def test_dropout_bool_is_not_a_rate(data):
    X, y = data
    with pytest.raises(TypeError, match="dropout"):  # scikit-learn says it
        MLPClassifier(dropout=True, max_iter=2).fit(X, y)


def test_dropout_entry_out_of_range_is_named():
    with pytest.raises(ValueError, match=r"dropout\[1\]=1\.0"):
        layer_rates([0.1, 1.0], 2)
    with pytest.raises(ValueError, match=r"dropout\[0\]=nan"):
        layer_rates([np.nan, 0.1], 2)
    assert layer_rates((np.float32(0.25), 0), 2) == [0.25, 0.0]


@pytest.mark.parametrize(
    ("callbacks", "entry"),
    [
        ([1, "x"], r"callbacks\[0\]=1"),
        ([Callback(), "x"], r"callbacks\[1\]='x'"),
        ([Callback, Callback()], r"callbacks\[0\]=<class"),  # the class, not one
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_callback_entries_must_have_a_hook(data, callbacks, entry, method):
    X, y = data
    clf = MLPClassifier(callbacks=callbacks, max_iter=2)
    kw = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(TypeError, match=entry):
        getattr(clf, method)(X, y, **kw)


def test_duck_typed_callbacks_are_accepted(data):
    X, y = data
    seen = []

    class OnlyEnd:
        def on_epoch_end(self, ctx, record, **kw):
            seen.append(record["epoch"])

    MLPClassifier(callbacks=[OnlyEnd()], max_iter=3, tol=0).fit(X, y)
    assert seen == [1, 2, 3]
