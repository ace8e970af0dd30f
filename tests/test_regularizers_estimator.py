"""The regularization parameters through MLPClassifier / MLPRegressor."""

import warnings
from typing import ClassVar

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor, regularizers
from sklearn_adamlp.optimizers import SGD

ALL_STEP = {"weight_decay": 1e-2, "max_norm": 1.0, "clip_norm": 1.0}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 20))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


class _After:
    """Test double appended after the estimator's transforms: checks every step."""

    def __init__(self, check):
        self.check = check
        self.steps = 0

    def before_step(self, ctx, lr):
        pass

    def after_step(self, ctx, lr):
        self.check(ctx)
        self.steps += 1


def _spy(monkeypatch, check):
    spies = []
    real = regularizers.step_transforms

    def wrapped(params, rng=None):
        spies.append(_After(check))
        return [*real(params, rng), spies[-1]]

    monkeypatch.setattr(regularizers, "step_transforms", wrapped)
    return spies


def test_max_norm_holds_after_every_step(monkeypatch, data):
    c, hit = 0.5, []

    def check(ctx):
        W, _ = ctx.network.layout.views(ctx.flat)
        norms = np.concatenate([np.linalg.norm(w, axis=0) for w in W])
        assert (norms <= c + 1e-12).all()
        hit.append(np.isclose(norms, c, rtol=1e-9).sum())

    spies = _spy(monkeypatch, check)
    X, y = data
    clf = MLPClassifier(
        (8,), max_norm=c, batch_size=32, max_iter=5, random_state=0
    ).fit(X, y)
    clf.partial_fit(X, y)  # and when continuing
    assert sum(s.steps for s in spies) == 6 * 7
    assert max(hit) > 0  # the constraint was active
    norms = [np.linalg.norm(w, axis=0) for w in clf.coefs_]
    assert max(n.max() for n in norms) <= c + 1e-12


class RecordingSGD(SGD):
    """SGD recording the norm of each gradient it receives (class-level log)."""

    norms: ClassVar[list] = []

    def step(self, params, grads):
        RecordingSGD.norms.append(float(np.linalg.norm(grads[0])))
        super().step(params, grads)


def test_clip_norm_bounds_the_gradient_reaching_the_optimizer(data):
    X, y = data
    c = 0.05
    RecordingSGD.norms = []
    MLPClassifier(
        (8,), solver=RecordingSGD(learning_rate=0.1), clip_norm=c, batch_size=16,
        max_iter=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    norms = np.array(RecordingSGD.norms)
    assert len(norms) == 3 * 13
    assert (norms <= c * (1 + 1e-12)).all()
    assert np.isclose(norms, c).any()


def test_clip_norm_above_every_gradient_changes_nothing(data):
    X, y = data
    kw = {"hidden_layer_sizes": (8,), "max_iter": 5, "random_state": 0}
    a = MLPClassifier(**kw).fit(X, y)
    b = MLPClassifier(clip_norm=1e6, **kw).fit(X, y)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_decoupled_weight_decay_one_sgd_step(data, how):
    X, y = data
    lr, wd = 0.1, 0.3
    kw = {
        "hidden_layer_sizes": (6,),
        "solver": "sgd",
        "momentum": 0.0,
        "alpha": 0.0,
        "learning_rate_init": lr,
        "batch_size": "full",
        "shuffle": False,
        "max_iter": 1,
        "random_state": 0,
    }
    plain = MLPClassifier(**kw)
    decayed = MLPClassifier(weight_decay=wd, **kw)
    for est in (plain, decayed):
        if how == "partial_fit":
            est.partial_fit(X, y, classes=[0, 1])
        else:
            est.fit(X, y)
    # one step: p = p - lr * g, then W = W * (1 - lr * wd); biases: no decay
    for wp, wd_ in zip(plain.coefs_, decayed.coefs_, strict=True):
        np.testing.assert_allclose(wd_, wp * (1 - lr * wd), rtol=1e-13)
    for bp, bd in zip(plain.intercepts_, decayed.intercepts_, strict=True):
        np.testing.assert_allclose(bd, bp, rtol=1e-13)
    assert decayed.n_iter_ == 1


def test_l1_drives_weights_towards_zero(data):
    X, y = data
    kw = {"hidden_layer_sizes": (16,), "alpha": 0.0, "learning_rate_init": 0.01}
    kw |= {"max_iter": 200, "random_state": 0}

    def small(est):
        w = np.concatenate([c.ravel() for c in est.coefs_])
        return (np.abs(w) < 1e-2).mean(), np.abs(w).sum()

    frac0, l1_0 = small(MLPClassifier(**kw).fit(X, y))
    frac, l1_norm = small(MLPClassifier(l1=0.2, **kw).fit(X, y))
    assert frac > 0.3
    assert frac > 10 * frac0
    assert l1_norm < 0.5 * l1_0


def test_l1_with_lbfgs_is_part_of_the_objective(data):
    X, y = data
    kw = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 100}
    kw |= {"alpha": 0.0, "random_state": 0}
    a = MLPClassifier(**kw).fit(X, y)
    b = MLPClassifier(l1=1.0, **kw).fit(X, y)
    total = [sum(np.abs(c).sum() for c in e.coefs_) for e in (a, b)]
    assert total[1] < 0.5 * total[0]


@pytest.mark.parametrize(
    "param",
    [
        {"weight_decay": 0.1},
        {"max_norm": 2.0},
        {"clip_norm": 1.0},
        {"gradient_noise": 0.1},
    ],
)
def test_step_parameters_need_a_stepping_solver(data, param):
    X, y = data
    name = next(iter(param))
    with pytest.raises(ValueError, match=rf"{name}=.*stepping"):
        MLPClassifier(solver="lbfgs", **param).fit(X, y)


@pytest.mark.parametrize(
    "param",
    [
        {"l1": -1.0},
        {"weight_decay": -0.1},
        {"max_norm": 0.0},
        {"clip_norm": -1.0},
        {"gradient_noise": -1.0},
        {"max_norm": "big"},
    ],
)
def test_invalid_values_rejected(data, param):
    X, y = data
    with pytest.raises(ValueError, match=next(iter(param))):
        MLPRegressor(**param).fit(X, y)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_float32_stays_float32_with_everything_on(data, Est):
    X, y = data
    est = Est(
        hidden_layer_sizes=(8,),
        l1=1e-3,
        gradient_noise=1e-3,
        max_iter=5,
        random_state=0,
        **ALL_STEP,
    )
    est.fit(X.astype(np.float32), y)
    est.partial_fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    states = est.optimizer_.state_
    arrays = [a for s in states for a in s.values() if isinstance(a, np.ndarray)]
    assert all(a.dtype == np.float32 for a in arrays)
    assert np.isfinite(est.loss_)


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop", "adamw", "rprop"])
def test_every_parameter_with_stepping_solvers_fit_warm_start(data, solver):
    X, y = data
    kw = {"hidden_layer_sizes": (8,), "solver": solver, "max_iter": 5}
    kw |= {"l1": 1e-3, "gradient_noise": 1e-3, "random_state": 0, **ALL_STEP}
    est = MLPClassifier(warm_start=True, **kw).fit(X, y)
    est.fit(X, y)
    assert est.optimizer_.t_ == 10 * 1  # batch 200 = n: one step per epoch
    assert len(est.loss_curve_) == 10
    assert np.isfinite(est.loss_curve_).all()
    assert max(np.linalg.norm(w, axis=0).max() for w in est.coefs_) <= 1 + 1e-12


def test_gradient_noise_reproducible_with_random_state(data):
    X, y = data
    kw = {"hidden_layer_sizes": (8,), "max_iter": 5, "batch_size": 50}
    a = MLPClassifier(gradient_noise=0.1, random_state=3, **kw).fit(X, y)
    b = MLPClassifier(gradient_noise=0.1, random_state=3, **kw).fit(X, y)
    c = MLPClassifier(gradient_noise=0.0, random_state=3, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_regularized_estimator_pickles_and_clones(data):
    import pickle

    from sklearn.base import clone

    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,), l1=1e-3, gradient_noise=1e-3, max_iter=3, **ALL_STEP
    )
    est.fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    assert clone(est).get_params() == est.get_params()


class StepWithoutTerms(SGD):
    """Nesterov SGD whose step has the old signature: no gradient terms."""

    def step(self, params, grads):
        super().step(params, grads)


@pytest.mark.parametrize("l1", [0.0, 0.01])
def test_l2_gradient_fused_into_the_step_equals_adding_it_first(data, l1, monkeypatch):
    """The alpha gradient added inside the optimizer's blocks (built-in step) or
    to the gradient before the step (an overridden step) gives the same fit.
    This is the numpy blocks' path: the compiled step of the jit extra fuses the
    term itself (tests/test_jit.py)."""
    from sklearn_adamlp import _jit
    from sklearn_adamlp.regularizers import L2GradientTerm

    monkeypatch.setitem(_jit._state, "mode", "off")
    term_calls = []
    real_call = L2GradientTerm.__call__
    monkeypatch.setattr(
        L2GradientTerm,
        "__call__",
        lambda self, p, g, b: term_calls.append(b) or real_call(self, p, g, b),
    )
    X, y = data
    kw = {
        "hidden_layer_sizes": (8,), "alpha": 0.5, "l1": l1, "batch_size": 16,
        "max_iter": 4, "tol": 0, "random_state": 0,
    }  # fmt: skip
    opt = {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fused = MLPClassifier(solver=SGD(**opt), **kw).fit(X, y)
        assert len(term_calls) == 4 * 13  # the fused path: once per step (1 block)
        first = MLPClassifier(solver=StepWithoutTerms(**opt), **kw).fit(X, y)
        assert len(term_calls) == 4 * 13  # no terms for an overridden step
        none = MLPClassifier(solver=SGD(**opt), **{**kw, "alpha": 0.0}).fit(X, y)
    np.testing.assert_allclose(fused._flat, first._flat, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fused.loss_curve_, first.loss_curve_, rtol=1e-12)
    assert not np.allclose(fused._flat, none._flat)
