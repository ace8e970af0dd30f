"""Adam's state holds the moments of its equations; one decoupled weight decay.

The expected values are Kingma & Ba's Algorithm 1, torch.optim.NAdam's and
torch.optim.AdamW's equations, written again here with plain numpy.
"""

import numpy as np
import pytest
from optim_problems import PROBLEMS, X0
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPRegressor, optimizers, regularizers


def _grad(x):
    return PROBLEMS["rosenbrock"](x)[1]


def _adam_by_hand(n, lr, b1=0.9, b2=0.999, eps=1e-8, amsgrad=False, wd=0.0):
    """Algorithm 1 (AMSGrad: v_max), torch.optim.AdamW's decay when wd > 0."""
    p, m, v, v_max = X0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for t in range(1, n + 1):
        g = _grad(p)
        p = p * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - b1**t)
        v_hat = (v_max if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p, m, v, v_max


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("wd", [0.0, 0.3])
def test_adam_state_holds_the_moments_of_algorithm_1(amsgrad, wd):
    """state_ keeps m and v themselves (not rescaled), AdamW decays as torch."""
    cls = optimizers.AdamW if wd else optimizers.Adam
    opt = cls(learning_rate=0.01, amsgrad=amsgrad, weight_decay=wd)
    x = X0.copy()
    for _ in range(7):
        opt.step([x], [_grad(x)])
    p, m, v, v_max = _adam_by_hand(7, 0.01, amsgrad=amsgrad, wd=wd)
    np.testing.assert_allclose(x, p, rtol=1e-13)
    np.testing.assert_allclose(opt.state_[0]["m"], m, rtol=1e-13)
    np.testing.assert_allclose(opt.state_[0]["v"], v, rtol=1e-13)
    if amsgrad:
        np.testing.assert_allclose(opt.state_[0]["v_max"], v_max, rtol=1e-13)
    assert set(opt.state_[0]) == {"m", "v"} | ({"v_max"} if amsgrad else set())


def test_nadam_state_and_step_follow_torch():
    """torch.optim.NAdam, one equation per line (momentum_decay psi)."""
    lr, b1, b2, eps, psi = 0.01, 0.9, 0.999, 1e-8, 0.004
    p, m, v, mu_prod = X0.copy(), np.zeros(4), np.zeros(4), 1.0
    opt, x = optimizers.NAdam(learning_rate=lr), X0.copy()
    for t in range(1, 9):
        g = _grad(p)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_prod = mu_prod * mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        denom = np.sqrt(v / (1 - b2**t)) + eps
        p = p - lr * (1 - mu) / (1 - mu_prod) * g / denom
        p = p - lr * mu_next / (1 - mu_prod * mu_next) * m / denom
        opt.step([x], [_grad(x)])
    np.testing.assert_allclose(x, p, rtol=1e-13)
    np.testing.assert_allclose(opt.state_[0]["m"], m, rtol=1e-13)
    np.testing.assert_allclose(opt.state_[0]["v"], v, rtol=1e-13)


def test_state_saved_with_folded_moments_continues_the_same():
    """A state of an older version (m / (1 - beta_1), m_scale) is converted once."""
    ref, opt = optimizers.Adam(learning_rate=0.01), optimizers.Adam(learning_rate=0.01)
    x, y = X0.copy(), X0.copy()
    for _ in range(3):
        ref.step([x], [_grad(x)])
        opt.step([y], [_grad(y)])
    s = opt.state_[0]
    s["m"] /= 0.1
    s["v"] /= 0.001
    s["m_scale"], s["v_scale"] = 0.1, 0.001
    for _ in range(3):
        ref.step([x], [_grad(x)])
        opt.step([y], [_grad(y)])
    np.testing.assert_allclose(y, x, rtol=1e-13)
    assert "m_scale" not in opt.state_[0]


def test_decoupled_mode_applies_the_decoupled_weight_decay_to_any_optimizer():
    """weight_decay_mode='decoupled': p = p * (1 - lr * wd), then the update."""

    class SGDW(optimizers.Momentum):
        weight_decay_mode = "decoupled"

    lr, wd, mu = 0.01, 0.5, 0.9
    opt, x = SGDW(learning_rate=lr, momentum=mu, weight_decay=wd), X0.copy()
    p, buf = X0.copy(), np.zeros(4)
    for t in range(5):
        g = _grad(p)
        p = p * (1 - lr * wd)
        buf = g if t == 0 else mu * buf + g
        p = p - lr * buf
        opt.step([x], [_grad(x)])
    np.testing.assert_allclose(x, p, rtol=1e-13)


def test_coupled_weight_decay_is_an_l2_gradient_term_over_every_parameter():
    """weight_decay_mode 'l2' (the default): g = g + wd * p, biases included."""
    lr, wd = 0.1, 0.5
    x = X0.copy()
    optimizers.SGD(learning_rate=lr, weight_decay=wd).step([x], [_grad(x)])
    np.testing.assert_allclose(x, X0 - lr * (_grad(X0) + wd * X0), rtol=1e-14)
    g = _grad(X0)
    regularizers.L2GradientTerm(wd)(X0, g, slice(None))
    np.testing.assert_allclose(g, _grad(X0) + wd * X0, rtol=1e-14)


def test_l2_gradient_term_keeps_its_former_name_importable():
    assert regularizers.WeightDecayTerm is regularizers.L2GradientTerm
    assert "WeightDecayTerm" not in regularizers.__all__


def test_estimator_weight_decay_is_the_decoupled_decay_after_the_step():
    """W = (W - lr * update) * (1 - lr * wd) per step; biases not decayed."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    kw = dict(
        hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, learning_rate_init=0.1,
        batch_size=20, max_iter=1, shuffle=False, random_state=0,
    )  # fmt: skip
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MLPRegressor(**kw).fit(X, y)
        decayed = MLPRegressor(**kw, weight_decay=0.5).fit(X, y)
    for a, b in zip(plain.coefs_, decayed.coefs_, strict=True):
        np.testing.assert_allclose(b, a * (1 - 0.1 * 0.5), rtol=1e-13)
    for a, b in zip(plain.intercepts_, decayed.intercepts_, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-13)
    decay = regularizers.DecoupledWeightDecay(0.5)
    assert decay.factor(0.1) == 1 - 0.1 * 0.5


def test_an_optimizer_overriding_step_without_terms_gets_none():
    """accepts_gradient_terms: False for a subclass with its own two-argument step."""
    calls = []

    class OwnStep(optimizers.SGD):
        def step(self, params, grads):
            calls.append(len(params))
            super().step(params, grads)

    assert optimizers.SGD.accepts_gradient_terms
    assert not OwnStep.accepts_gradient_terms
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPRegressor(
            hidden_layer_sizes=(4,), solver=OwnStep(), alpha=0.1, max_iter=2
        ).fit(X, y)
    assert calls


def test_a_step_without_learning_rate_warns_when_a_schedule_cannot_reach_it():
    """The scheduled rate is an argument of ``step``: an override that does not
    take it steps at its hyper-parameter, and a fit with a schedule says so."""

    class OldStep(optimizers.SGD):
        def step(self, params, grads):
            super().step(params, grads)

    assert not OldStep.accepts_learning_rate
    assert optimizers.SGD.accepts_learning_rate
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressor(hidden_layer_sizes=(4,), solver=OldStep(), max_iter=2).fit(
            X, y
        )  # constant
    with pytest.warns(UserWarning, match="takes no learning_rate"):
        MLPRegressor(
            hidden_layer_sizes=(4,),
            solver=OldStep(),
            learning_rate="invscaling",
            max_iter=2,
        ).fit(X, y)


def test_nothing_outside_the_optimizer_writes_its_attributes_during_a_fit():
    """The learning rate, the schedule and the plateau rule reach the optimizer
    as arguments: during fit and partial_fit the only attributes set on it are
    its own state (``state_``, ``t_``), set by its own methods."""
    import inspect

    written = []

    class Watched(optimizers.Adam):
        def __setattr__(self, name, value):
            caller = inspect.stack()[1]
            written.append((name, caller.frame.f_globals.get("__name__")))
            super().__setattr__(name, value)

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    est = MLPRegressor(
        hidden_layer_sizes=(4,),
        solver=Watched(learning_rate=0.01),
        learning_rate="adaptive",
        n_iter_no_change=1,
        tol=10.0,  # plateaus at once: the rate is divided during the fit
        max_iter=6,
        weight_decay=1e-3,
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
        assert est.history_["learning_rate"].nunique() > 1  # it did change
        written.clear()  # the clone's __init__ set the hyper-parameters
        est.partial_fit(X, y)
        est.fit(X, y)
    params = set(optimizers.Adam._get_param_names())
    fitted = {(n, m) for n, m in written if n not in params}
    assert {n for n, _ in fitted} <= {"state_", "t_"}
    assert {m for _, m in fitted} <= {"sklearn_adamlp.optimizers._base"}
