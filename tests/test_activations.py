import pickle
import warnings

import numpy as np
import pytest
from scipy.special import erf, expit
from sklearn.base import clone
from sklearn.datasets import make_classification

from sklearn_adamlp import MLPClassifier, activations
from sklearn_adamlp.activations import Activation

NAMES = activations.available()

# Independent oracles, written from the definitions (float64, moderate z).
ORACLES = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "logistic": (expit, lambda z: expit(z) * (1 - expit(z))),
    "tanh": (np.tanh, lambda z: 4 / (np.exp(z) + np.exp(-z)) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
    # the course notes: phi'(z) = phi(z) + sigma(z) * (1 - phi(z))
    "silu": (
        lambda z: z * expit(z),
        lambda z: z * expit(z) + expit(z) * (1 - z * expit(z)),
    ),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z: np.where(z > 0, 1.0, 0.01),
    ),
    "elu": (
        lambda z: np.where(z > 0, z, np.exp(z) - 1),
        lambda z: np.where(z > 0, 1.0, np.exp(z)),
    ),
    "gelu": (
        lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2))),
        lambda z: (
            0.5 * (1 + erf(z / np.sqrt(2)))
            + z * np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi)
        ),
    ),
    "softplus": (lambda z: np.log(1 + np.exp(z)), expit),
}


def _fwd_bwd(act, z):
    a = act(z)
    delta = np.ones_like(z)
    act.derivative(z, a, delta)
    return a, delta


def test_every_builtin_has_an_oracle():
    assert set(ORACLES) <= set(NAMES)
    assert set(NAMES) == set(ORACLES)


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_derivative_match_definitions(name):
    z = np.linspace(-8, 8, 1601) + 1e-3  # avoid the kink of relu at 0
    f, df = ORACLES[name]
    a, d = _fwd_bwd(activations.get(name), z)
    np.testing.assert_allclose(a, f(z), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(d, df(z), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    act = activations.get(name)
    z = np.linspace(-6, 6, 601) + 1e-3
    h = 1e-6
    _, d = _fwd_bwd(act, z)
    fd = (act(z + h) - act(z - h)) / (2 * h)
    np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_no_warning_and_dtype_kept_for_huge_inputs(name, dtype):
    z = np.concatenate(
        [np.linspace(-1e4, 1e4, 20001), np.linspace(-800, 800, 16001), [0.0]]
    ).astype(dtype)
    act = activations.get(name)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a, d = _fwd_bwd(act, z)
        buf = z.copy()
        a_inplace = act.forward(buf, out=buf)  # the network's in-place use
        out = np.empty_like(z)
        a_out = act.forward(z, out=out)
    assert a.dtype == dtype
    assert d.dtype == dtype
    assert np.isfinite(a).all()
    assert np.isfinite(d).all()
    np.testing.assert_array_equal(a, a_inplace)
    np.testing.assert_array_equal(a, a_out)
    assert a_out is out


@pytest.mark.parametrize("name", NAMES)
def test_derivative_uses_only_a_unless_needs_z(name):
    act = activations.get(name)
    z = np.linspace(-5, 5, 101) + 1e-3
    a, d = _fwd_bwd(act, z)
    if not act.needs_z:
        garbage = np.full_like(z, np.nan)
        d2 = np.ones_like(z)
        act.derivative(garbage, a, d2)
        np.testing.assert_array_equal(d, d2)


@pytest.mark.parametrize("name", NAMES)
def test_registered_instances_pickle_and_clone(name):
    act = activations.get(name)
    assert isinstance(act, Activation)
    assert act.name == name
    back = pickle.loads(pickle.dumps(act))
    assert type(back) is type(act)
    assert back.get_params() == act.get_params()
    assert clone(act, safe=False).get_params() == act.get_params()


def test_parameters_round_trip():
    leaky = activations.LeakyReLU(negative_slope=0.2)
    assert repr(leaky) == "LeakyReLU(negative_slope=0.2)"
    back = pickle.loads(pickle.dumps(leaky))
    assert back.negative_slope == 0.2
    z = np.array([-1.0, 2.0])
    np.testing.assert_allclose(leaky(z), [-0.2, 2.0])
    elu = activations.ELU(alpha=2.0)
    np.testing.assert_allclose(elu(np.array([-50.0, 1.0])), [-2.0, 1.0])
    with pytest.raises(ValueError, match="negative_slope"):
        activations.LeakyReLU(-1.0)(z)


class Cube(Activation):
    """a = z**3 (needs z for its derivative)."""

    name = "cube_test"
    needs_z = True

    def forward(self, z, out=None):
        return np.power(z, 3, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= 3 * z * z


@pytest.fixture
def cube():
    activations.register("cube_test", overwrite=True)(Cube())
    yield
    activations.ACTIVATIONS.unregister("cube_test")


def test_user_registered_activation_by_name(cube):
    X, y = make_classification(100, n_features=5, random_state=0)
    clf = MLPClassifier((4,), activation="cube_test", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X / 10, y)
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    assert isinstance(back._network.activations[0], Cube)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_per_layer_activation_list(dtype):
    X, y = make_classification(120, n_features=6, random_state=0)
    clf = MLPClassifier(
        (5, 4, 3),
        activation=["tanh", "silu", activations.LeakyReLU(0.1)],
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X.astype(dtype), y)
    names = [a.name for a in clf._network.activations]
    assert names == ["tanh", "silu", "leaky_relu"]
    assert clf.coefs_[0].dtype == dtype
    assert repr(clone(clf).get_params()["activation"]) == repr(clf.activation)


@pytest.mark.parametrize(
    ("activation", "match"),
    [(["tanh"], "2 hidden layers"), (("relu", "tanh", "relu"), "3 entries")],
)
def test_per_layer_activation_list_wrong_length(activation, match):
    X, y = make_classification(50, n_features=4, random_state=0)
    clf = MLPClassifier((3, 3), activation=activation, max_iter=2)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def test_per_layer_activation_list_unknown_name():
    X, y = make_classification(50, n_features=4, random_state=0)
    clf = MLPClassifier((3,), activation=["nope"], max_iter=2)
    with pytest.raises(ValueError, match=r"Unknown activation 'nope'.*relu"):
        clf.fit(X, y)


def _textbook_softmax(z):
    """Row-wise softmax and log-sum-exp, each row shifted by its own maximum."""
    z = np.asarray(z, dtype=np.float64)
    mx = z.max(axis=1, keepdims=True)
    e = np.exp(z - mx)
    return e / e.sum(axis=1, keepdims=True), np.log(e.sum(axis=1)) + mx[:, 0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "spread",
    [1.0, 30.0, 1e3],  # 1e3: rows far below the block's maximum take the fallback
)
def test_softmax_lse_matches_the_per_row_form(dtype, spread):
    from sklearn_adamlp.activations import softmax_lse

    rng = np.random.default_rng(0)
    z = rng.normal(size=(64, 10))
    z += spread * rng.normal(size=(64, 1))  # rows at very different levels
    z = z.astype(dtype)
    out = np.empty_like(z)
    lse = softmax_lse(z, out)
    p_ref, lse_ref = _textbook_softmax(z)
    assert out.dtype == lse.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, p_ref, rtol=tol, atol=1e-30)
    np.testing.assert_allclose(lse, lse_ref, rtol=tol)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=tol)


def test_softmax_lse_keeps_nan_rows_to_themselves():
    from sklearn_adamlp.activations import softmax_lse

    z = np.array([[0.0, 1.0, 2.0], [np.nan, 0.0, 1.0], [3.0, 1.0, 0.0]])
    out = np.empty_like(z)
    lse = softmax_lse(z, out)
    p_ref, lse_ref = _textbook_softmax(z[[0, 2]])
    assert np.isnan(out[1]).all()
    assert np.isnan(lse[1])
    np.testing.assert_allclose(out[[0, 2]], p_ref, rtol=1e-12)
    np.testing.assert_allclose(lse[[0, 2]], lse_ref, rtol=1e-12)
    assert softmax_lse(np.empty((0, 3)), np.empty((0, 3))).shape == (0,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "row",
    [[0.0, 1.0, 2.0], [-1e4, -1e4 + 1, -1e4 - 3], [np.nan, 0.0, 1.0], [np.inf, 0, 1]],
)
def test_softmax_of_one_row_matches_the_per_row_form(dtype, row):
    """One row skips the underflow check: its maximum is the block's."""
    from sklearn_adamlp.activations import softmax_lse

    z = np.array([row], dtype=dtype)
    out = np.empty_like(z)
    with np.errstate(invalid="ignore"):
        lse = softmax_lse(z, out)
        p_ref, lse_ref = _textbook_softmax(z)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, p_ref, rtol=tol, atol=1e-30, equal_nan=True)
    np.testing.assert_allclose(lse, lse_ref, rtol=tol, equal_nan=True)
    assert lse.shape == (1,)
