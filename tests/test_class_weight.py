"""MLPClassifier(class_weight=...): as in scikit-learn's other classifiers."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.utils.class_weight import compute_sample_weight
from test_sample_weights import PredictFirstClass, first_class_share, imbalanced

from sklearn_adamlp import MLPClassifier

# L-BFGS on the full batch: a deterministic function of the weighted objective
LBFGS = {"solver": "lbfgs", "hidden_layer_sizes": (6,), "max_iter": 50}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _same_fit(a, b):
    for x, y in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(x, y)


def test_dict_equals_sample_weight_on_the_class_rows(small_clf_data):
    X, y = small_clf_data
    a = MLPClassifier(class_weight={0: 2}, random_state=0, **LBFGS).fit(X, y)
    sw = np.where(y == 0, 2.0, 1.0)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, y, sample_weight=sw)
    _same_fit(a, b)
    unweighted = MLPClassifier(random_state=0, **LBFGS).fit(X, y)
    assert not np.array_equal(a.coefs_[0], unweighted.coefs_[0])


def test_class_weight_multiplies_sample_weight(small_clf_data):
    X, y = small_clf_data
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    cw = {0: 2.0, 1: 0.5, 2: 3.0}
    a = MLPClassifier(class_weight=cw, random_state=0, **LBFGS)
    a.fit(X, y, sample_weight=sw)
    b = MLPClassifier(random_state=0, **LBFGS)
    b.fit(X, y, sample_weight=sw * np.array([2.0, 0.5, 3.0])[y])
    _same_fit(a, b)


@pytest.mark.parametrize("labels", [(0, 1, 2), ("a", "b", "c")])
def test_balanced_equals_compute_sample_weight(small_clf_data, labels):
    X, y = small_clf_data
    y = np.asarray(labels)[y]
    a = MLPClassifier(class_weight="balanced", random_state=0, **LBFGS).fit(X, y)
    sw = compute_sample_weight("balanced", y)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, y, sample_weight=sw)
    _same_fit(a, b)


def test_balanced_with_sample_weight_counts_weighted_rows(small_clf_data):
    """'balanced' with integer weights equals 'balanced' on the repeated rows."""
    X, y = small_clf_data
    sw = np.random.RandomState(1).randint(1, 4, size=len(y)).astype(float)
    n = sw.sum()
    counts = np.bincount(y, weights=sw)
    expected = sw * (n / (3 * counts))[y]  # n_samples / (k * bincount(y))
    a = MLPClassifier(class_weight="balanced", random_state=0, **LBFGS)
    a.fit(X, y, sample_weight=sw)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, y, sample_weight=expected)
    _same_fit(a, b)


def test_binary_class_weight(small_clf_data):
    X, y = small_clf_data
    y = (y > 0).astype(int)
    a = MLPClassifier(class_weight={1: 3.0}, random_state=0, **LBFGS).fit(X, y)
    sw = np.where(y == 1, 3.0, 1.0)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, y, sample_weight=sw)
    _same_fit(a, b)


def test_balanced_improves_minority_recall():
    rng = np.random.RandomState(0)
    n = 2000
    y = (rng.rand(n) < 0.05).astype(int)  # 95 / 5
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]  # overlapping classes
    kw = {"hidden_layer_sizes": (8,), "max_iter": 100, "random_state": 0}
    plain = MLPClassifier(**kw).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **kw).fit(X, y)
    r_plain = recall_score(y, plain.predict(X))
    r_balanced = recall_score(y, balanced.predict(X))
    assert r_balanced > r_plain + 0.3, (r_plain, r_balanced)


def test_partial_fit_rejects_balanced(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(class_weight="balanced")
    # a ValueError as SGDClassifier's, and an AttributeError: hasattr is False
    with pytest.raises(ValueError, match="class_weight 'balanced' is not supported"):
        clf.partial_fit(X, y, classes=np.unique(y))
    assert not hasattr(clf, "partial_fit")
    assert hasattr(clf.set_params(class_weight={0: 2}), "partial_fit")


def test_partial_fit_applies_a_dict(small_clf_data):
    X, y = small_clf_data
    kw = {"hidden_layer_sizes": (5,), "random_state": 0, "batch_size": 30}
    a = MLPClassifier(class_weight={2: 4.0}, **kw)
    b = MLPClassifier(**kw)
    for _ in range(2):
        a.partial_fit(X, y, classes=np.arange(3))
        b.partial_fit(X, y, classes=np.arange(3), sample_weight=np.where(y == 2, 4, 1))
    _same_fit(a, b)


def test_class_weights_weigh_the_holdout_score():
    """The hold-out's accuracy is weighted by the class weights, as the loss is.

    The network predicts class 0 for every row (see ``first_class_share``); the
    stratified hold-out of 100 rows has 90 of class 0 and 10 of class 1, so the
    weighted accuracy is ``90 w0 / (90 w0 + 10 w1)``.
    """
    X, y = imbalanced(seed=3)
    share = first_class_share(X, y, class_weight={0: 1.0, 1: 9.0})
    np.testing.assert_allclose(share, 90 / (90 + 90), rtol=1e-12)
    share = first_class_share(X, y, class_weight="balanced")
    w0, w1 = 1000 / (2 * 900), 1000 / (2 * 100)
    np.testing.assert_allclose(share, 90 * w0 / (90 * w0 + 10 * w1), rtol=1e-12)


def test_validation_data_is_weighed_too(small_clf_data):
    """Given validation data is scored with the class weights (and its own)."""
    X, y = small_clf_data
    cw = {0: 5.0, 1: 1.0, 2: 0.2}
    sw_val = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    clf = MLPClassifier(
        hidden_layer_sizes=(2,),
        solver="sgd",
        learning_rate_init=1e-12,
        max_iter=1,
        random_state=0,
        class_weight=cw,
    )
    clf.set_params(callbacks=[PredictFirstClass(clf)])
    clf.fit(X, y, validation_data=(X, y, sw_val))
    w = sw_val * np.array([5.0, 1.0, 0.2])[y]
    expected = w[y == 0].sum() / w.sum()  # accuracy of predicting class 0
    np.testing.assert_allclose(clf.validation_scores_[0], expected, rtol=1e-12)


# --- multilabel -----------------------------------------------------------------


@pytest.fixture
def multilabel():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 1, X[:, 2] + X[:, 3] > 0.5], axis=1)
    return X, Y.astype(int)


def test_multilabel_balanced_equals_compute_sample_weight(multilabel):
    X, Y = multilabel
    a = MLPClassifier(class_weight="balanced", random_state=0, **LBFGS).fit(X, Y)
    sw = compute_sample_weight("balanced", Y)  # product over the labels
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, Y, sample_weight=sw)
    _same_fit(a, b)


def test_multilabel_list_of_dicts(multilabel):
    X, Y = multilabel
    cw = [{0: 1, 1: 2}, {0: 1, 1: 5}, {1: 1}]
    a = MLPClassifier(class_weight=cw, random_state=0, **LBFGS).fit(X, Y)
    sw = compute_sample_weight(cw, Y)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, Y, sample_weight=sw)
    _same_fit(a, b)


def test_multilabel_rejects_a_single_dict(multilabel):
    X, Y = multilabel
    with pytest.raises(ValueError, match="list of 3 dicts"):
        MLPClassifier(class_weight={1: 2}, **LBFGS).fit(X, Y)
    with pytest.raises(ValueError, match="list of 3 dicts"):
        MLPClassifier(class_weight=[{1: 2}], **LBFGS).fit(X, Y)


def test_list_rejected_for_a_single_output(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="multilabel"):
        MLPClassifier(class_weight=[{0: 2}], **LBFGS).fit(X, y)


def test_unknown_class_in_dict_raises(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="not in class_weight"):
        MLPClassifier(class_weight={0: 2, 7: 1}, **LBFGS).fit(X, y)


def test_bad_class_weight_type_raises(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="class_weight"):
        MLPClassifier(class_weight="auto").fit(X, y)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_negative_or_nonfinite_class_weight_raises(small_clf_data, bad):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="finite and >= 0"):
        MLPClassifier(class_weight={0: bad}, **LBFGS).fit(X, y)


def test_class_weights_zero_for_every_row_raise(small_clf_data):
    X, y = small_clf_data
    zero = {0: 0.0, 1: 0.0, 2: 0.0}
    with pytest.raises(ValueError, match="zero for every row of the training"):
        MLPClassifier(class_weight=zero, max_iter=2).fit(X, y)
    only_2 = y == 2
    with pytest.raises(ValueError, match="zero for every row of the validation"):
        MLPClassifier(class_weight={2: 0.0}, max_iter=2).fit(
            X, y, validation_data=(X[only_2], y[only_2])
        )


def test_a_zero_class_weight_masks_the_class(small_clf_data):
    """Weight 0 for a class equals sample weight 0 on its rows (L-BFGS)."""
    X, y = small_clf_data
    a = MLPClassifier(class_weight={2: 0.0}, random_state=0, **LBFGS).fit(X, y)
    sw = np.where(y == 2, 0.0, 1.0)
    b = MLPClassifier(random_state=0, **LBFGS).fit(X, y, sample_weight=sw)
    _same_fit(a, b)
