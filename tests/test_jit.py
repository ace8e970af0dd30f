"""The compiled steps of the ``jit`` extra (numba): the same bits as numpy.

The update-rule tests (tests/optimizers/) check the formulas with whatever path
is active, the compiled one when numba is installed; here each compiled pass is
compared with the numpy path bit for bit, and the fall-backs are checked.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor, _jit
from sklearn_adamlp.activations import get as get_activation
from sklearn_adamlp.optimizers import (
    SGD,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    AMSGrad,
    Momentum,
    Nesterov,
    RMSprop,
)
from sklearn_adamlp.optimizers._base import BLOCK_SIZE
from sklearn_adamlp.regularizers import L2GradientTerm

numba = pytest.importorskip("numba")

DTYPES = [np.float64, np.float32]


@pytest.fixture(autouse=True)
def jit_state():
    """Switch the compiled steps on (SKLEARN_ADAMLP_JIT=0 may have turned them
    off) and restore the switch and the loaded module after each test."""
    saved = dict(_jit._state)
    _jit._state["mode"] = "on"
    yield _jit._state
    _jit._state.clear()
    _jit._state.update(saved)


def _run_steps(make, p0, grads, terms_of, enabled):
    previous = _jit.set_enabled(enabled)
    try:
        opt, p = make(), p0.copy()
        for g in grads:
            opt.step([p], [g.copy()], terms_of())
        return p, opt.state_[0]
    finally:
        _jit.set_enabled(previous)


OPTIMIZERS = {
    "adam": lambda: Adam(learning_rate=0.01),
    "adam-coupled-decay": lambda: Adam(learning_rate=0.01, weight_decay=0.1),
    "adam-no-bias-correction": lambda: Adam(learning_rate=0.01, bias_correction=False),
    "adamw": lambda: AdamW(learning_rate=0.01, weight_decay=0.1),
    "amsgrad": lambda: AMSGrad(learning_rate=0.01),
    "adamax": lambda: Adamax(learning_rate=0.01),
    "sgd": lambda: SGD(learning_rate=0.1, momentum=0.0),
    "sgd-momentum": lambda: SGD(learning_rate=0.1, momentum=0.9),
    "sgd-nesterov": lambda: SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "momentum": lambda: Momentum(learning_rate=0.05, momentum=0.9),
    "nesterov": lambda: Nesterov(learning_rate=0.05, momentum=0.8),
    "momentum-zero": lambda: Momentum(learning_rate=0.05, momentum=0.0),
    "adagrad": lambda: Adagrad(learning_rate=0.1),
    "rmsprop": lambda: RMSprop(learning_rate=0.01, rho=0.9),
    "rmsprop-rho-1": lambda: RMSprop(learning_rate=0.01, rho=1.0, epsilon=1e-3),
    "rmsprop-momentum": lambda: RMSprop(learning_rate=0.01, rho=0.9, momentum=0.9),
    "rmsprop-centered": lambda: RMSprop(learning_rate=0.01, rho=0.9, centered=True),
    "rmsprop-centered-momentum": lambda: RMSprop(
        learning_rate=0.01, rho=0.9, momentum=0.5, centered=True
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("n", [7, 1000, BLOCK_SIZE + 37])
def test_compiled_step_equals_numpy_bit_for_bit(name, n, dtype):
    rng = np.random.default_rng(n)
    p0 = rng.standard_normal(n).astype(dtype)
    # gradients of very different sizes, zeros among them
    grads = [rng.standard_normal(n).astype(dtype) * 10.0**k for k in (-3, 0, 2, -1)]
    grads[1][::5] = 0.0
    for stop in (0, n // 3, n):
        terms = lambda stop=stop: [L2GradientTerm(0.05, stop)] if stop else []
        fast, s_fast = _run_steps(OPTIMIZERS[name], p0, grads, terms, True)
        slow, s_slow = _run_steps(OPTIMIZERS[name], p0, grads, terms, False)
        np.testing.assert_array_equal(fast, slow)
        for key, value in s_slow.items():
            if isinstance(value, np.ndarray) and not key.startswith("tmp"):  # scratch
                np.testing.assert_array_equal(s_fast[key], value)
        assert fast.dtype == dtype


def test_compiled_step_runs_and_differs_from_no_step():
    """The comparison above is not vacuous: the compiled path is taken."""
    calls = []
    real = _jit._load()
    p = np.ones(100)

    class Spy:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real, name)

    saved = _jit._state["loops"]
    _jit._state["loops"] = Spy()
    try:
        Adam(learning_rate=0.1).step([p], [np.full(100, 2.0)])
        SGD(learning_rate=0.1, momentum=0.9).step([p], [np.full(100, 2.0)])
    finally:
        _jit._state["loops"] = saved
    assert calls == ["adam_span", "sgd_span"]
    # Adam's first step moves every weight by lr * sign(g); then SGD's -lr * g
    np.testing.assert_allclose(p, 1.0 - 0.1 - 0.2, rtol=1e-7)


def test_nonfinite_values_follow_numpy():
    n = 64
    p0 = np.linspace(-1, 1, n)
    g = np.linspace(-3, 3, n)
    g[[3, 9]] = np.nan, np.inf
    for name in (
        "adam",
        "amsgrad",
        "adamax",
        "sgd-nesterov",
        "rmsprop",
        "rmsprop-centered-momentum",
    ):
        fast, _ = _run_steps(OPTIMIZERS[name], p0, [g, g], list, True)
        slow, _ = _run_steps(OPTIMIZERS[name], p0, [g, g], list, False)
        np.testing.assert_array_equal(fast, slow)  # NaN where numpy has NaN
        assert np.isnan(fast).any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_fallbacks_when_not_applicable(dtype):
    p = np.arange(20, dtype=dtype)
    g = np.ones(20, dtype=dtype)
    m, v = np.zeros(20, dtype=dtype), np.zeros(20, dtype=dtype)
    args = (0.9, 0.999, 1e-8, -0.01, 1.0, (0.0, 0))  # eps_hat, step, decay, l2
    assert _jit.adam(p, g, m, v, None, *args)
    # strided, mixed dtypes, 2-D, integer: numpy's turn
    assert not _jit.adam(p[::2], g[::2], m[::2], v[::2], None, *args)
    assert not _jit.adam(p, g.astype(np.float16), m, v, None, *args)
    assert not _jit.adam(p.reshape(4, 5), g.reshape(4, 5), m, v, None, *args)
    assert not _jit.sgd(np.arange(20), np.ones(20, int), None, 0.1, 0.0, False, (0, 0))
    assert not _jit.sgd(p, g, np.zeros(19, dtype=dtype), 0.1, 0.9, False, (0.0, 0))


def test_strided_buffers_take_the_numpy_path_with_the_same_result():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((50, 2))
    grads = [rng.standard_normal(50) for _ in range(3)]
    out = []
    for enabled in (True, False):
        _jit.set_enabled(enabled)
        try:
            p = base.copy()
            opt = Adam(learning_rate=0.01)
            for g in grads:
                opt.step([p[:, 0]], [g.copy()])  # a strided view
            out.append(p)
        finally:
            _jit.set_enabled(True)
    np.testing.assert_array_equal(out[0], out[1])


def test_momentum_torch_form_matches_its_formula_with_the_compiled_step():
    """``Momentum`` keeps torch's buffer form in its compiled pass too."""
    rng = np.random.default_rng(1)
    p0, grads = rng.standard_normal(30), [rng.standard_normal(30) for _ in range(4)]
    make = lambda: Momentum(learning_rate=0.1, momentum=0.9, nesterov=True)
    fast, _ = _run_steps(make, p0, grads, list, True)
    # the formula of torch.optim.SGD, written here
    p, buf = p0.copy(), np.zeros(30)
    for g in grads:
        buf = 0.9 * buf + g
        p = p - 0.1 * (g + 0.9 * buf)
    np.testing.assert_allclose(fast, p, rtol=1e-12)


def test_a_subclass_with_its_own_momentum_rule_keeps_it():
    """A subclass that changes ``_momentum_step`` is not replaced by a loop."""

    class Halved(SGD):
        def _momentum_step(self, p, g, v, lr, mu):
            super()._momentum_step(p, g, v, lr / 2, mu)

    class HalvedTorch(Momentum):
        def _momentum_step(self, p, g, buf, lr, mu):
            super()._momentum_step(p, g, buf, lr / 2, mu)

    rng = np.random.default_rng(4)
    p0, grads = rng.standard_normal(40), [rng.standard_normal(40) for _ in range(3)]
    for sub, base in ((Halved, SGD), (HalvedTorch, Momentum)):
        fast, _ = _run_steps(
            lambda s=sub: s(learning_rate=0.2, momentum=0.9), p0, grads, list, True
        )
        ref, _ = _run_steps(
            lambda b=base: b(learning_rate=0.1, momentum=0.9), p0, grads, list, False
        )
        np.testing.assert_allclose(fast, ref, rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("inplace", [True, False])
def test_bias_relu_and_derivative_equal_numpy(dtype, inplace):
    rng = np.random.default_rng(2)
    z0 = rng.standard_normal((37, 19)).astype(dtype)
    z0[0, :4] = np.nan, np.inf, -np.inf, -0.0
    b = rng.standard_normal(19).astype(dtype)
    relu = get_activation("relu")

    z_np = z0.copy()
    z_np += b
    a_np = np.maximum(z_np, 0)

    z = z0.copy()
    out = z if inplace else np.empty_like(z)
    assert _jit.bias_relu(z, b, out)
    np.testing.assert_array_equal(out, a_np)
    if not inplace:
        np.testing.assert_array_equal(z, z_np)  # z holds the pre-activations
    assert out.dtype == dtype

    delta0 = rng.standard_normal(z0.shape).astype(dtype)
    delta0[1, :2] = np.nan, np.inf
    d_np = delta0 * (a_np > 0)
    d = delta0.copy()
    assert _jit.relu_grad(d, out)
    np.testing.assert_array_equal(d, d_np)
    d2 = delta0.copy()
    relu.derivative(None, out, d2)
    np.testing.assert_array_equal(d2, d_np)


def test_bias_relu_fallbacks():
    z = np.ones((4, 3))
    assert not _jit.bias_relu(z, np.ones(4), z)  # bias of the wrong length
    assert not _jit.bias_relu(z, np.ones(3, np.float32), z)  # mixed dtypes
    assert not _jit.bias_relu(z[:, :2], np.ones(2), z[:, :2])  # strided
    assert not _jit.bias_relu(z, np.ones(3), np.empty((4, 3), np.float32))
    assert not _jit.relu_grad(np.ones((4, 3)), np.ones((3, 4)))
    # ReLU's own method falls back to numpy on these
    relu = get_activation("relu")
    zs = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]]).T.copy().T  # F-ordered
    a = relu.forward_biased(zs, np.array([0.5, 0.5, 0.5]), out=np.empty((2, 3)))
    np.testing.assert_array_equal(a, [[0, 2.5, 0], [4.5, 0, 6.5]])


def test_a_relu_subclass_with_its_own_forward_is_not_bypassed():
    from sklearn_adamlp.activations import ReLU

    class Capped(ReLU):
        def forward(self, z, out=None):
            return np.clip(z, 0, 1, out=out if out is not None else np.empty_like(z))

    z = np.array([[-1.0, 0.5, 3.0]])
    a = Capped().forward_biased(z, np.array([0.0, 0.0, 1.0]), out=np.empty((1, 3)))
    np.testing.assert_array_equal(a, [[0.0, 0.5, 1.0]])


FITS = [
    {"solver": "adam"},
    {"solver": "adam", "alpha": 0.1, "l1": 0.001},
    {"solver": "sgd", "nesterovs_momentum": True},
    {"solver": "sgd", "momentum": 0.0, "alpha": 0.01},
    {"solver": "amsgrad"},
    {"solver": "adamw", "activation": "tanh"},
    {"solver": "adam", "batch_norm": True},
    {"solver": "adam", "dropout": 0.2},
    {"solver": "rmsprop", "alpha": 0.01},
    {"solver": "adagrad"},
    {"solver": "adamax", "alpha": 0.01},
    {"solver": "nesterov"},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("params", FITS)
def test_whole_fit_is_the_same_with_and_without_the_compiled_steps(
    digits, params, dtype
):
    X, y = digits
    X = X[:600].astype(dtype)
    results = []
    for enabled in (True, False):
        previous = _jit.set_enabled(enabled)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = MLPClassifier(
                    (32, 16), max_iter=4, random_state=0, **params
                ).fit(X, y[:600])
            results.append((model._flat.copy(), model.predict_proba(X), model.loss_))
        finally:
            _jit.set_enabled(previous)
    (flat1, proba1, loss1), (flat2, proba2, loss2) = results
    np.testing.assert_array_equal(flat1, flat2)
    np.testing.assert_array_equal(proba1, proba2)
    assert loss1 == loss2


def test_regressor_and_partial_fit_are_the_same(jit_state):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 5))
    y = X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(300)
    out = []
    for enabled in (True, False):
        jit_state["mode"] = "on" if enabled else "off"
        model = MLPRegressor(
            hidden_layer_sizes=(20,), random_state=0, learning_rate_init=0.01
        )
        for _ in range(5):
            model.partial_fit(X, y)
        out.append(model.predict(X))
    np.testing.assert_array_equal(out[0], out[1])


def test_without_numba_everything_runs_in_numpy(jit_state, digits):
    jit_state["loops"] = False  # as if `import numba` had failed
    assert not _jit.available()
    p = np.zeros(10)
    assert not _jit.adam(
        p, p.copy(), p.copy(), p.copy(), None, 0.9, 0.9, 0, 0, 1, (0, 0)
    )
    assert not _jit.bias_relu(np.ones((2, 2)), np.ones(2), np.ones((2, 2)))
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier((16,), max_iter=20, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8


def _python(code: str, mode: str) -> str:
    """Run ``code`` in a new interpreter with SKLEARN_ADAMLP_JIT=mode; its stdout."""
    env = {**os.environ, "SKLEARN_ADAMLP_JIT": mode}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize(
    ("value", "mode", "expected"),
    [("0", "off", False), ("off", "off", False), ("1", "on", True),
     ("", "auto", True), ("auto", "auto", True), ("bogus", "auto", True)],
)  # fmt: skip
def test_environment_switch(value, mode, expected):
    code = (
        "from sklearn_adamlp import _jit;"
        "print(_jit._state['mode'], _jit.available(), _jit.loaded())"
    )
    out = _python(code, value)
    assert out.split() == [mode, str(expected), "False"]  # nothing loaded yet


def test_set_enabled_returns_the_previous_setting(jit_state):
    jit_state["mode"] = "auto"
    assert _jit.set_enabled(False) == "auto"
    assert not _jit.available()
    assert _jit.set_enabled(True) is False
    assert _jit.available()
    assert _jit.set_enabled("auto") is True
    with pytest.raises(ValueError, match="True, False or 'auto'"):
        _jit.set_enabled("sometimes")


def test_auto_mode_loads_numba_after_enough_numpy_work(jit_state, monkeypatch, digits):
    """Mode "auto" runs numpy until AUTO_AFTER elements, then the loops; the fit
    is the same bits either way."""
    X, y = digits
    jit_state.update(mode="auto", loops=None, work=0)
    monkeypatch.setattr(_jit, "AUTO_AFTER", 10**15)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MLPClassifier((32,), max_iter=5, random_state=0).fit(X, y)._flat

    numpy_only = fit()
    assert not _jit.loaded()
    assert jit_state["work"] > 5 * 9 * (64 * 32 + 32 + 32 * 10 + 10)  # every step
    monkeypatch.setattr(_jit, "AUTO_AFTER", jit_state["work"] + 50_000)
    switched = fit()  # crosses the threshold within its first epochs
    assert _jit.loaded()
    np.testing.assert_array_equal(switched, numpy_only)


@pytest.mark.parametrize(("mode", "imported"), [("auto", False), ("on", True)])
def test_numba_is_imported_by_a_small_fit_only_in_mode_on(mode, imported):
    code = (
        "import sys, warnings; warnings.simplefilter('ignore');"
        "from sklearn.datasets import load_digits;"
        "from sklearn_adamlp import MLPClassifier;"
        "X, y = load_digits(return_X_y=True);"
        "MLPClassifier(max_iter=20).fit(X, y);"
        "print('numba' in sys.modules)"
    )
    assert _python(code, mode).strip() == str(imported)


@pytest.mark.parametrize(
    ("mode", "numba_first", "expected"),
    [("auto", False, "False False"), ("off", False, "False False"),
     ("on", False, "True True"), ("auto", True, "True True")],
)  # fmt: skip
def test_load_if_used_loads_in_mode_on_or_once_numba_is_imported(
    mode, numba_first, expected
):
    """What the parallel sessions call before forking: the loops load when a
    fit would use them at once (mode on) or numba is in the process anyway."""
    code = (
        "import sys;"
        + ("import numba;" if numba_first else "")
        + "from sklearn_adamlp import _jit;"
        "print(_jit.load_if_used(), _jit.loaded() and 'numba' in sys.modules)"
    )
    assert _python(code, mode).strip() == expected


def test_a_fit_in_a_forked_child_after_one_in_the_parent(digits):
    """The loops start no thread pool, so a fork after a fit is safe."""
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((16,), max_iter=2, random_state=0).fit(X, y)
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        score = pool.apply(_fit_score, (X, y))
    assert score == _fit_score(X, y) > 0.8


def _fit_score(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier((16,), max_iter=20, random_state=0).fit(X, y).score(X, y)


def test_fits_in_threads_at_once_match_a_fit_alone(digits):
    """The loops hold no state and release the GIL: concurrent fits in threads
    (joblib's threading backend, say) give each the same bits as a lone fit."""
    from concurrent.futures import ThreadPoolExecutor

    X, y = digits

    def fit(seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MLPClassifier((32,), max_iter=5, random_state=seed)
            return model.fit(X, y)._flat.copy()

    alone = [fit(seed) for seed in range(4)]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(fit, range(4)))
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


def test_describe_names_the_steps_in_use(jit_state):
    _jit._load()
    jit_state.update(mode="off")  # loaded, but switched off
    assert _jit.describe() == "numpy steps (SKLEARN_ADAMLP_JIT=0)"
    jit_state.update(mode="auto", loops=None)
    assert _jit.describe().startswith("numpy steps so far: mode 'auto'")
    jit_state.update(loops=False)  # numba missing
    assert "pip install 'sklearn-adamlp[jit]'" in _jit.describe()
    jit_state.update(mode="on", loops=None)
    _jit._load()
    assert _jit.describe() == f"compiled steps (numba {numba.__version__}, mode on)"


def test_public_switch_is_the_same_as_the_private_one(jit_state):
    import sklearn_adamlp

    jit_state["mode"] = "auto"
    assert sklearn_adamlp.set_jit(False) == "auto"
    assert sklearn_adamlp.jit_status() == "numpy steps (SKLEARN_ADAMLP_JIT=0)"
    assert sklearn_adamlp.set_jit("auto") is False
