"""The classifier's lean paths: same results as scikit-learn's checked ones.

A ``partial_fit`` call on a small batch was dominated by scikit-learn's
validation and label encoding (~1.5 ms against ~0.1 ms of training), and a
one-row ``predict`` by ``LabelBinarizer.inverse_transform`` (~130 us). A fit
that continues now skips ``validate_data`` for plain arrays and one-hot encodes
known labels by a sorted search; labels are decoded by ``argmax`` or a
threshold. The checked paths still run, and raise their messages, for anything
else.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.preprocessing import LabelBinarizer

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp._estimators import _base
from sklearn_adamlp._params import Parametrized
from sklearn_adamlp.history import History

LABELS = {
    "multiclass int": np.array([3, 1, 2, 1, 3, 2, 1, 3] * 5),
    "binary int": np.array([0, 1, 1, 0, 1, 0, 0, 1] * 5),
    "binary str": np.array(["no", "yes", "yes", "no"] * 10),
    "multiclass str": np.array(["b", "a", "c", "a"] * 10),
    "object str": np.array(["b", "a", "c", "a"] * 10, dtype=object),
    "bool": np.array([True, False, False, True] * 10),
    "float labels": np.array([0.0, 1.0, 2.0, 0.0] * 10),
}


def _data(y):
    rng = np.random.RandomState(0)
    return rng.normal(size=(len(y), 5)), y


def _spy_validate(monkeypatch):
    calls = []
    real = _base.validate_data

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_base, "validate_data", spy)
    return calls


@pytest.mark.parametrize("name", list(LABELS))
def test_known_labels_encode_like_label_binarizer(name):
    X, y = _data(LABELS[name])
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    Y = clf._one_hot_known(y[::-1], np.float64)
    expected = LabelBinarizer().fit(np.unique(y)).transform(y[::-1])
    assert Y is not None
    np.testing.assert_array_equal(Y, expected)


@pytest.mark.parametrize("name", list(LABELS))
def test_lean_partial_fit_trains_like_the_checked_one(name, monkeypatch):
    X, y = _data(LABELS[name])
    kw = dict(hidden_layer_sizes=(4,), random_state=0)
    lean, checked = MLPClassifier(**kw), MLPClassifier(**kw)
    for est in (lean, checked):
        est.partial_fit(X[:8], y[:8], classes=np.unique(y))
    calls = _spy_validate(monkeypatch)
    for start in range(8, 40, 8):
        lean.partial_fit(X[start : start + 8], y[start : start + 8])
    lean_calls = len(calls)
    for start in range(8, 40, 8):  # lists: not plain, validate_data runs
        rows = slice(start, start + 8)
        checked.partial_fit(X[rows].tolist(), y[rows].tolist())
    np.testing.assert_array_equal(lean._flat, checked._flat)
    # numeric and boolean labels skip validate_data; strings are checked
    assert lean_calls == (0 if y.dtype.kind in "biuf" else 4)
    assert len(calls) == lean_calls + 4


def test_regressor_continues_on_the_lean_path(monkeypatch):
    X, _ = _data(np.zeros(40))
    y = X[:, 0] * 2.0
    reg = MLPRegressor(hidden_layer_sizes=(4,), random_state=0)
    reg.partial_fit(X, y)
    calls = _spy_validate(monkeypatch)
    reg.partial_fit(X, y)
    assert calls == []
    ref = MLPRegressor(hidden_layer_sizes=(4,), random_state=0)
    ref.partial_fit(X, y)
    ref.partial_fit(X.tolist(), y.tolist())
    np.testing.assert_array_equal(reg._flat, ref._flat)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (lambda X, y: (X, np.r_[y[:-1], 9]), r"`y` has classes not in `self.classes_`"),
        (lambda X, y: (X, y.astype(float) * np.r_[np.nan, np.ones(39)]), "NaN"),
        (lambda X, y: (np.r_[[np.full(5, np.inf)], X[1:]], y), "infinity"),
        (lambda X, y: (X, y[:-1]), "inconsistent numbers of samples"),
        (lambda X, y: (X[:, :4], y), "has 4 features"),
    ],
)
def test_bad_input_to_a_continued_fit_still_raises(bad, match):
    X, y = _data(LABELS["multiclass int"])
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(*bad(X, y))


def test_warm_start_with_a_class_missing_still_raises():
    X, y = _data(LABELS["multiclass int"])
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
        with pytest.raises(ValueError, match="warm_start can only be used"):
            clf.fit(X[y != 2], y[y != 2])


def test_loss_curve_grows_in_place_and_survives_pickling():
    X, y = _data(LABELS["binary int"])
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    curve = clf.loss_curve_
    for _ in range(3):
        clf.partial_fit(X, y)
    assert clf.loss_curve_ is curve  # appended in place, as scikit-learn does
    assert curve == [r["loss"] for r in clf._progress.history.records]
    assert len(curve) == 4
    again = pickle.loads(pickle.dumps(clf))
    again.partial_fit(X, y)
    assert len(again.loss_curve_) == 5
    assert len(clf.loss_curve_) == 4  # the original is untouched


def test_history_pickled_without_the_lists_rebuilds_them():
    hist = History()
    hist.append({"epoch": 1, "loss": 2.0, "val_score": np.nan})
    hist.append({"epoch": 2, "loss": 1.0, "val_score": 0.5})
    state = {"records": hist.records}  # what an older History pickled
    old = History.__new__(History)
    old.__setstate__(state)
    assert old.losses == [2.0, 1.0]
    assert old.val_scores == [0.5]


def test_parameter_names_are_cached_per_class():
    class Base(Parametrized):
        def __init__(self, a=1):
            self.a = a

    class Child(Base):
        def __init__(self, a=1, b=2):
            super().__init__(a)
            self.b = b

    assert Base._get_param_names() == ["a"]
    assert Child._get_param_names() == ["a", "b"]  # not the parent's cache
    names = Child._get_param_names()
    names.append("c")  # callers get a copy
    assert Child._get_param_names() == ["a", "b"]


@pytest.mark.parametrize("name", list(LABELS))
@pytest.mark.parametrize("threshold", [0.5, 0.0])
def test_labels_decode_like_label_binarizer(name, threshold):
    """The lean decode (predict, validation scores) matches scikit-learn's
    inverse_transform, ties and NaN rows included."""
    X, y = _data(LABELS[name])
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    lb = clf._label_binarizer
    k = 1 if lb.y_type_ == "binary" else len(clf.classes_)
    out = np.random.RandomState(1).uniform(-1, 1, size=(50, k))
    out[3] = 0.25  # a tie across the row
    out[4] = threshold  # exactly at the threshold
    out[5] = np.nan
    expected = lb.inverse_transform(out.ravel() if k == 1 else out, threshold=threshold)
    got = clf._labels(out, threshold)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_predict_uses_the_losss_threshold():
    X, y = _data(LABELS["binary int"])
    clf = MLPClassifier(hidden_layer_sizes=(4,), loss="hinge", random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    raw = clf._network.predict(clf._flat, X)
    np.testing.assert_array_equal(clf.predict(X), (raw.ravel() > 0).astype(int))


@pytest.mark.parametrize("name", [*LABELS, "multilabel"])
@pytest.mark.parametrize("weights", ["none", "random", "zeros"])
def test_validation_accuracy_is_accuracy_score(name, weights):
    from sklearn.metrics import accuracy_score

    if name == "multilabel":
        y = (np.random.RandomState(2).uniform(size=(40, 3)) > 0.5).astype(int)
    else:
        y = LABELS[name]
    X, _ = _data(np.zeros(len(y)))
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    Y = clf._label_binarizer.transform(y).astype(float)
    out = clf._network.predict(clf._flat, X)
    sw = {
        "none": None,
        "random": np.random.RandomState(3).uniform(size=len(y)),
        "zeros": np.zeros(len(y)),
    }[weights]
    y_true = clf._label_binarizer.inverse_transform(Y)
    y_pred = clf._decode(out)
    if weights == "zeros":  # scikit-learn decides what an empty weight means
        match = "at least one non-zero"
        with pytest.raises(ValueError, match=match):
            accuracy_score(y_true, y_pred, sample_weight=sw)
        with pytest.raises(ValueError, match=match):
            clf._score_output(out, Y, sw)
        return
    expected = accuracy_score(y_true, y_pred, sample_weight=sw)
    assert clf._score_output(out, Y, sw) == pytest.approx(expected, rel=1e-15)
    assert 0.0 < expected < 1.0 or name == "multilabel"  # a score that can differ
