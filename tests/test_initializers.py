import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, activations, initializers
from sklearn_adamlp._estimators import _build
from sklearn_adamlp.initializers import Initializer

SHAPE = (400, 300)  # 120,000 draws
FAN_IN, FAN_OUT = SHAPE

# name -> (distribution, scale): bound of U(-s, s) or std of N(0, s**2)
RULES = {
    "glorot_uniform": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "glorot_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN)),
    "he_normal": ("normal", math.sqrt(2 / FAN_IN)),
    "lecun_uniform": ("uniform", math.sqrt(3 / FAN_IN)),
    "lecun_normal": ("normal", math.sqrt(1 / FAN_IN)),
    "sigmoid_uniform": ("uniform", 4 * math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "sigmoid_normal": ("normal", 4 * math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "normal": ("normal", 0.05),
    "uniform": ("uniform", 0.05),
    "auto": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "auto_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "sklearn": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
}

RNGS = [np.random.RandomState, np.random.default_rng]


def _check_distribution(W, distribution, s):
    n = W.size
    if distribution == "uniform":
        std = s / math.sqrt(3)
        assert np.abs(W).max() <= s
        assert np.abs(W).max() > 0.99 * s  # the bound is reached
    else:
        std = s
        # about 0.27% beyond 3 std for a Gaussian
        assert np.mean(np.abs(W) > 3 * s) == pytest.approx(0.0027, abs=0.001)
    assert abs(W.mean()) < 5 * std / math.sqrt(n)
    assert W.std() == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize("make_rng", RNGS)
@pytest.mark.parametrize("name", sorted(RULES))
def test_formula_statistics(name, make_rng):
    distribution, s = RULES[name]
    W = initializers.build(name)(SHAPE, rng=make_rng(0), dtype=np.float64)
    assert W.shape == SHAPE
    _check_distribution(W, distribution, s)


@pytest.mark.parametrize(
    "init",
    [
        initializers.GlorotUniform(gain=2.0),
        initializers.HeNormal(gain=0.5),
        initializers.LecunUniform(gain=3.0),
    ],
)
def test_gain_multiplies_scale(init):
    base = type(init)()
    W = init(SHAPE, rng=np.random.default_rng(1))
    W0 = base(SHAPE, rng=np.random.default_rng(1))
    np.testing.assert_allclose(W, init.gain * W0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", initializers.available())
def test_dtype_shape_and_reproducible(name, dtype):
    init = initializers.build(name)
    for make_rng in RNGS:
        W1 = init((7, 5), rng=make_rng(42), dtype=dtype)
        W2 = init((7, 5), rng=make_rng(42), dtype=dtype)
        b = init.bias(7, 5, rng=make_rng(42), dtype=dtype)
        assert W1.dtype == dtype
        assert W1.shape == (7, 5)
        assert b.dtype == dtype
        assert b.shape == (5,)
        np.testing.assert_array_equal(W1, W2)
        if name not in ("zeros", "constant"):
            W3 = init((7, 5), rng=make_rng(43), dtype=dtype)
            assert not np.array_equal(W1, W3)


@pytest.mark.parametrize("name", initializers.available())
def test_biases_zero_except_sklearn(name):
    b = initializers.build(name).bias(10, 20, rng=np.random.default_rng(0))
    assert (b == 0).all() == (name != "sklearn")


@pytest.mark.parametrize("name", initializers.available())
def test_clone_pickle_repr(name):
    init = initializers.build(name)
    assert isinstance(init, Initializer)
    assert clone(init).get_params() == init.get_params()
    assert type(init)(**init.get_params()).get_params() == init.get_params()
    assert pickle.loads(pickle.dumps(init)).get_params() == init.get_params()
    assert repr(init).startswith(type(init).__name__)


def test_constant_zeros():
    rng = np.random.default_rng(0)
    assert (initializers.build("zeros")((3, 4), rng) == 0).all()
    assert (initializers.Constant(value=0.3)((3, 4), rng) == 0.3).all()


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    W = initializers.Orthogonal(gain=gain)(shape, rng=np.random.default_rng(0))
    k = min(shape)
    gram = W.T @ W if shape[0] >= shape[1] else W @ W.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(k), atol=1e-10)


def test_auto_follows_seed_001_table():
    auto = initializers.build("auto")
    n_in, n_out = 30, 20
    glorot = math.sqrt(6 / (n_in + n_out))
    expected = {
        "logistic": 4 * glorot,
        "tanh": glorot,
        "relu": math.sqrt(2) * glorot,
        "silu": math.sqrt(2) * glorot,
        "identity": glorot,
        "leaky_relu": math.sqrt(2) * glorot,
        "elu": math.sqrt(2) * glorot,
        "gelu": math.sqrt(2) * glorot,
        "softplus": math.sqrt(2) * glorot,
        "unknown_user_activation": glorot,
    }
    assert set(activations.available()) <= set(expected)
    for act, bound in expected.items():
        init = auto.for_activation(act)
        assert init.scale(n_in, n_out) == pytest.approx(bound)
        W = init((n_in, n_out), rng=np.random.default_rng(0))
        assert np.abs(W).max() <= bound


def test_auto_per_layer_in_estimator():
    clf = MLPClassifier((8, 6, 4), activation=["logistic", "tanh", "relu"], init="auto")
    inits = _build.layer_initializers(clf, 4)
    assert [i.gain for i in inits] == [4.0, 1.0, math.sqrt(2), math.sqrt(2)]
    clf = MLPClassifier((8,), activation="logistic", init="auto")
    assert [i.gain for i in _build.layer_initializers(clf, 2)] == [4.0, 4.0]
    clf = MLPClassifier((), activation="tanh", init="auto")
    assert [i.gain for i in _build.layer_initializers(clf, 1)] == [1.0]


def _at_init(sizes, init):
    """A logistic-then-ReLU net fitted one epoch at a negligible rate."""
    X, y = make_classification(60, n_features=10, random_state=0)
    clf = MLPClassifier(
        sizes,
        activation=["logistic", "relu"],
        init=init,
        max_iter=1,
        learning_rate_init=1e-12,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def test_auto_bounds_in_fitted_network():
    clf = _at_init((30, 20), "auto")
    bounds = [
        4 * math.sqrt(6 / 40),
        math.sqrt(2) * math.sqrt(6 / 50),
        math.sqrt(2) * math.sqrt(6 / 21),
    ]
    for W, s in zip(clf.coefs_, bounds, strict=True):
        assert 0.8 * s < np.abs(W).max() <= s * (1 + 1e-6)


def test_initializer_object_and_grid_search():
    X, y = make_classification(80, n_features=5, random_state=0)
    search = GridSearchCV(
        MLPClassifier(
            (4,), init=initializers.GlorotUniform(), max_iter=5, random_state=0
        ),
        {"init__gain": [0.5, 2.0]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_estimator_.init.gain in (0.5, 2.0)
    assert search.estimator.init.gain == 1.0  # the user's object is untouched


def test_callable_initializer():
    def ones(shape, rng, dtype):
        return np.ones(shape, dtype=dtype)

    X, y = make_classification(40, n_features=4, random_state=0)
    clf = MLPClassifier((2,), init=ones, max_iter=1, learning_rate_init=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    np.testing.assert_allclose(clf.coefs_[0], 1.0, atol=1e-9)


# --- the two lessons of the notes --------------------------------------------


@pytest.mark.parametrize(
    ("init", "activation"),
    [
        ("zeros", "logistic"),
        ("zeros", "tanh"),
        ("constant", "tanh"),
        (initializers.Constant(0.5), "relu"),
    ],
)
def test_equal_weights_never_break_symmetry(init, activation):
    X, y = make_classification(
        150, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    clf = MLPClassifier(
        (7,), activation=activation, init=init, max_iter=50, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    W_in, W_out = clf.coefs_
    # every hidden unit has the same incoming weights (and outgoing ones)
    np.testing.assert_allclose(
        W_in, W_in[:, :1].repeat(7, axis=1), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        W_out, W_out[:1].repeat(7, axis=0), rtol=1e-9, atol=1e-12
    )
    # whereas a random start gives different units
    rand = clone(clf).set_params(init="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rand.fit(X, y)
    assert np.ptp(rand.coefs_[0], axis=1).min() > 1e-3


def _saturation(init, X, units=(100, 100, 100)):
    act = activations.get("logistic")
    rng = np.random.RandomState(0)
    a, fractions = X, []
    for fan_out in units:
        W = init.for_activation("logistic")((a.shape[1], fan_out), rng=rng)
        z = a @ W
        fractions.append(np.mean(np.abs(z) > 4))
        a = act(z)
    return fractions


def test_large_variance_saturates_logistic_layers_auto_does_not():
    X = StandardScaler().fit_transform(load_digits().data)
    naive = _saturation(initializers.Normal(std=1.0), X)
    auto = _saturation(initializers.build("auto"), X)
    assert min(naive) > 0.5  # most units saturated in every layer
    assert max(auto) < 0.25
    assert np.mean(auto) < 0.15


def test_auto_init_on_digits_close_to_sklearn_default():
    """silu/tanh with init='auto' vs sklearn's default MLPClassifier (relu).

    Measured over random_state 0..4 (5-fold CV, StandardScaler): at max_iter=30
    sklearn 0.922, silu 0.915, tanh 0.918; at max_iter=100 sklearn 0.934, silu
    0.932, tanh 0.926. The gaps are within the seed-to-seed spread (~1.5
    points), so the test allows 1.5 points rather than asserting ">=".
    """
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    X, y = load_digits(return_X_y=True)

    def cv(est):
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe = make_pipeline(StandardScaler(), est)
            return cross_val_score(pipe, X, y, cv=5).mean()

    kw = {"max_iter": 30, "random_state": 0}
    ref = cv(SkMLPClassifier(**kw))
    for activation in ("silu", "tanh"):
        acc = cv(MLPClassifier(activation=activation, init="auto", **kw))
        assert acc > 0.9
        assert acc >= ref - 0.015, (activation, acc, ref)


# The course notes' table, Gaussian column: W ~ N(0, s**2) with
# s = gain * sqrt(2 / (n_in + n_out)); gain 1 for tanh (and identity, Glorot's
# linear regime), 4 for the sigmoid, sqrt(2) for ReLU, SiLU and the ReLU-like units.
AUTO_NORMAL_TABLE = {
    "identity": ("glorot_normal", 1.0),
    "tanh": ("glorot_normal", 1.0),
    "logistic": ("sigmoid_normal", 4.0),
    "relu": ("glorot_normal", math.sqrt(2)),
    "silu": ("glorot_normal", math.sqrt(2)),
    "leaky_relu": ("glorot_normal", math.sqrt(2)),
    "elu": ("glorot_normal", math.sqrt(2)),
    "gelu": ("glorot_normal", math.sqrt(2)),
    "softplus": ("glorot_normal", math.sqrt(2)),
    "unknown_user_activation": ("glorot_normal", 1.0),
}


def test_auto_normal_choice_per_activation_is_the_tables():
    auto = initializers.build("auto_normal")
    assert set(activations.available()) <= set(AUTO_NORMAL_TABLE)
    n_in, n_out = 30, 20
    for act, (name, gain) in AUTO_NORMAL_TABLE.items():
        init = auto.for_activation(act)
        # the normal counterpart of what 'auto' chooses, with the same gain
        assert init.distribution == "normal"
        assert init.scale(n_in, n_out) == pytest.approx(
            gain * math.sqrt(2 / (n_in + n_out))
        )
        reference = initializers.build(name)
        assert init.scale(n_in, n_out) == pytest.approx(
            gain / reference.gain * reference.scale(n_in, n_out)
        )
        uniform = initializers.build("auto").for_activation(act)
        assert init.gain == uniform.gain


@pytest.mark.parametrize("act", sorted(AUTO_NORMAL_TABLE))
def test_auto_normal_std_matches_the_table_on_a_wide_layer(act):
    gain = AUTO_NORMAL_TABLE[act][1]
    s = gain * math.sqrt(2 / (FAN_IN + FAN_OUT))
    init = initializers.build("auto_normal").for_activation(act)
    W = init(SHAPE, rng=np.random.default_rng(3), dtype=np.float64)
    _check_distribution(W, "normal", s)


def test_auto_normal_in_the_fitted_network():
    clf = _at_init((300, 200), "auto_normal")
    stds = [
        4 * math.sqrt(2 / (10 + 300)),
        math.sqrt(2) * math.sqrt(2 / (300 + 200)),
        math.sqrt(2) * math.sqrt(2 / (200 + 1)),
    ]
    for W, s in zip(clf.coefs_, stds, strict=True):
        assert W.std() == pytest.approx(s, rel=0.1)
