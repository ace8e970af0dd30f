"""Learning-rate schedules: formulas, estimator wiring, cloning and tuning."""

import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers, schedules
from sklearn_adamlp.callbacks import PlateauReduction
from sklearn_adamlp.schedules import (
    Constant,
    Cosine,
    CosineRestarts,
    Exponential,
    InvScaling,
    Plateau,
    Step,
    Warmup,
)
from sklearn_adamlp.training import TrainState


def _sgdr(e, T_0, T_mult, eta_min=0.0, eta_max=2.0):
    # independent: cycle boundaries listed explicitly (SGDR's equation 5)
    start, length = 0, T_0
    while e >= start + length:
        start, length = start + length, length * T_mult
    cos = math.cos(math.pi * (e - start) / length)
    return eta_min + (eta_max - eta_min) * (1 + cos) / 2


FORMULAS = [
    (Constant(), lambda e: 1.0),
    (Step(), lambda e: 0.5 ** (e // 10)),
    (Step(drop=0.1, every=5), lambda e: 0.1 ** (e // 5)),
    (Exponential(k=0.1), lambda e: math.exp(-0.1 * e)),
    (
        Cosine(T_max=20, eta_min=0.1),
        lambda e: 0.1 + 0.9 * (1 + math.cos(math.pi * min(e, 20) / 20)) / 2,
    ),
    (CosineRestarts(T_0=3, T_mult=2), lambda e: _sgdr(e, 3, 2)),
    (CosineRestarts(T_0=4, T_mult=1, eta_min=0.2), lambda e: _sgdr(e, 4, 1, 0.2)),
    (
        CosineRestarts(T_0=5, T_mult=2, eta_min=0.1, eta_max=1.0),
        lambda e: _sgdr(e, 5, 2, 0.1, 1.0),
    ),
    # T_0 derived: 3 cycles of 1, 2, 4 units fill T_max=70 -> T_0 = ceil(70/7) = 10
    (CosineRestarts(T_mult=2, cycles=3, T_max=70), lambda e: _sgdr(e, 10, 2)),
    # 4 equal cycles in 90 epochs -> T_0 = ceil(90 / 4) = 23
    (CosineRestarts(T_max=90), lambda e: _sgdr(e, 23, 1)),
    (Warmup(epochs=4), lambda e: (e + 1) / 5 if e < 4 else 1.0),
    (
        Warmup(Cosine(T_max=10), epochs=3),
        lambda e: (
            (e + 1) / 4 if e < 3 else (1 + math.cos(math.pi * min(e - 3, 10) / 10)) / 2
        ),
    ),
    (Plateau(), lambda e: 1.0),
]
IDS = [repr(s) for s, _ in FORMULAS]


@pytest.mark.parametrize(("schedule", "formula"), FORMULAS, ids=IDS)
def test_factor_matches_formula(schedule, formula):
    for e in range(60):
        assert schedule(e) == pytest.approx(formula(e), rel=1e-12, abs=1e-15)


def test_invscaling_formula():
    s = InvScaling(power_t=0.25)
    assert s.unit == "sample"
    assert s(99) == pytest.approx(100**-0.25)


def _fit(X, y, schedule, solver="sgd", lr=0.05, max_iter=25, **kw):
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        learning_rate=schedule,
        learning_rate_init=lr,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
        **kw,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize(
    ("schedule", "formula"),
    [f for f in FORMULAS if not isinstance(f[0], Plateau)],
    ids=[
        i for i, f in zip(IDS, FORMULAS, strict=True) if not isinstance(f[0], Plateau)
    ],
)
def test_history_shows_rate_of_each_epoch(small_clf_data, schedule, formula):
    X, y = small_clf_data
    est = _fit(X, y, schedule)
    expected = [0.05 * formula(e) for e in range(25)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected, rtol=1e-12)
    assert est.n_iter_ == 25


STEPPERS = [
    n for n in optimizers.available() if not hasattr(optimizers.get(n), "minimize")
]


@pytest.mark.parametrize("solver", STEPPERS)
def test_every_stepping_optimizer_follows_the_schedule(small_clf_data, solver):
    X, y = small_clf_data
    sched = Warmup(CosineRestarts(T_0=2), epochs=2)
    est = _fit(X, y, sched, solver=solver, lr=0.002, max_iter=8)
    expected = [0.002 * sched(e) for e in range(8)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected, rtol=1e-12)
    assert np.isfinite(est.loss_curve_).all()


class _RateRecordingSGD(optimizers.SGD):
    """SGD recording the learning rate each update receives (class-level log)."""

    rates: list = []  # noqa: RUF012

    def _update(self, p, g, s, lr, t, terms=()):
        _RateRecordingSGD.rates.append(lr)
        super()._update(p, g, s, lr, t, terms)

    _update.fuses_terms = True  # as SGD's own update


class _HalvingPerStep(schedules.Schedule):
    """A step-counted schedule: factor ``1 / (1 + t)``, ``t`` = steps so far."""

    unit = "step"

    def __call__(self, t):
        return 1.0 / (1.0 + t)


@pytest.mark.parametrize("per", ["epoch", "step"])
def test_the_scheduled_rate_is_what_each_update_receives(small_clf_data, per):
    """The rate of every step is passed to the optimizer: epoch-counted
    schedules change it at each epoch, step-counted ones at each step."""
    X, y = small_clf_data
    n, batch, epochs, base = X.shape[0], 16, 3, 0.01
    sched = Cosine(T_max=epochs) if per == "epoch" else _HalvingPerStep()
    _RateRecordingSGD.rates = []
    _fit(X, y, sched, solver=_RateRecordingSGD(learning_rate=base, momentum=0.0),
         lr=0.001, max_iter=epochs, batch_size=batch, shuffle=False)  # fmt: skip
    per_epoch = -(-n // batch)
    if per == "epoch":  # eta_t = base * (1 + cos(pi t / T)) / 2, t = epoch
        t = np.repeat(np.arange(epochs), per_epoch)
        expected = base * (1 + np.cos(np.pi * t / epochs)) / 2
    else:  # t = step: eta_t = base / (1 + t)
        expected = base / (1.0 + np.arange(epochs * per_epoch))
    np.testing.assert_allclose(_RateRecordingSGD.rates, expected, rtol=1e-12)


def test_names_build_with_estimator_defaults(small_clf_data):
    X, y = small_clf_data
    est = _fit(X, y, "cosine", max_iter=10)
    expected = [0.05 * (1 + math.cos(math.pi * e / 10)) / 2 for e in range(10)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected)
    for name in ("step", "exponential", "cosine_restarts", "warmup", "plateau"):
        assert np.isfinite(_fit(X, y, name, max_iter=3).loss_curve_).all()


def test_cosine_restarts_by_name_ends_its_cycles_at_max_iter(small_clf_data):
    # by name: 4 equal cycles fill max_iter, restarting at twice the base rate
    X, y = small_clf_data
    est = _fit(X, y, "cosine_restarts", max_iter=20)
    expected = [0.05 * (1 + math.cos(math.pi * (e % 5) / 5)) for e in range(20)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected, rtol=1e-12)
    # a constant rate's budget: sum_k cos(pi k / T) over k < T is 1
    assert np.mean(expected[:5]) == pytest.approx(0.05 * (1 + 1 / 5))
    sched = schedules.build("cosine_restarts", T_max=20)
    assert [e for e in range(40) if sched.cycle_end(e)] == [
        4,
        9,
        14,
        19,
        24,
        29,
        34,
        39,
    ]


def test_invscaling_by_name_unchanged(small_clf_data):
    X, y = small_clf_data
    est = _fit(X, y, "invscaling", max_iter=3, power_t=0.5)
    n = X.shape[0]
    expected = [0.05 / (e * n + 1) ** 0.5 for e in range(3)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected)


# --- plateau -----------------------------------------------------------------


def test_plateau_rule_divides_after_patience():
    cb = PlateauReduction(factor=10.0, patience=2, min_delta=0.0)
    ctx = type("Ctx", (), {"state": TrainState(), "verbose": False})()
    cb.on_fit_begin(ctx)
    losses = [5, 4, 4, 4, 3, 3.5, 3.2, 3.1, 2]
    multipliers = []
    for loss in losses:
        cb.on_epoch_end(ctx, {"loss": loss})
        multipliers.append(ctx.state.lr_multiplier)
    # best: 5, 4, (4: 1), (4: 2 -> /10), 3, (3.5: 1), (3.2: 2 -> /10), (1), 2
    assert multipliers == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_plateau_in_estimator_reduces_rate(small_clf_data):
    X, y = small_clf_data
    est = _fit(X, y, Plateau(factor=4.0, patience=1, min_delta=10.0), max_iter=6)
    # the first epoch improves on +inf; no later one improves by 10: one
    # reduction per epoch from the second on, seen by the next epoch
    expected = [0.05 / 4 ** max(e - 1, 0) for e in range(6)]
    np.testing.assert_allclose(est.history_["learning_rate"], expected)


def test_plateau_monitors_validation_loss(small_clf_data):
    X, y = small_clf_data
    est = _fit(
        X,
        y,
        Plateau(factor=2.0, patience=1),
        max_iter=15,
        early_stopping=True,
        validation_fraction=0.25,
    )
    hist = est.history_
    rates = hist["learning_rate"].to_numpy()
    val = hist["val_loss"].to_numpy()
    best = np.minimum.accumulate(val)
    for e in range(1, len(rates)):
        improved = val[e - 1] < (best[e - 2] if e >= 2 else np.inf)
        ratio = rates[e] / rates[e - 1]
        assert ratio == pytest.approx(1.0 if improved else 0.5)


def test_warmup_passes_plateau_and_cycles_through():
    assert Warmup(Plateau(factor=3.0)).plateau().factor == 3.0
    assert Warmup(CosineRestarts()).has_cycles
    assert not Warmup(Cosine()).has_cycles


# --- objects: clone, pickle, repr, tuning -----------------------------------

OBJECTS = [s for s, _ in FORMULAS] + [InvScaling(power_t=0.3)]


@pytest.mark.parametrize("obj", OBJECTS, ids=repr)
def test_object_protocol(obj):
    again = type(obj)(**obj.get_params(deep=False))
    assert repr(again) == repr(obj)
    cloned = clone(obj)
    assert cloned is not obj
    assert repr(cloned) == repr(obj)
    loaded = pickle.loads(pickle.dumps(obj))
    assert [loaded(e) for e in range(30)] == [obj(e) for e in range(30)]
    assert repr(eval(repr(obj), vars(schedules))) == repr(obj)


def test_nested_warmup_params_and_clone_independence():
    w = Warmup(Cosine(T_max=10), epochs=2)
    assert w.get_params()["schedule__T_max"] == 10
    w2 = clone(w)
    w2.set_params(schedule__T_max=30)
    assert w.schedule.T_max == 10
    assert w2.schedule.T_max == 30


def test_estimator_does_not_mutate_user_schedule(small_clf_data):
    X, y = small_clf_data
    sched = Warmup(Cosine(T_max=5), epochs=1)
    est = _fit(X, y, sched, max_iter=3)
    assert est.learning_rate is sched
    assert repr(sched) == "Warmup(epochs=1, schedule=Cosine(T_max=5))"


def test_grid_search_over_schedule_params(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate=Warmup(Cosine(), epochs=1),
        learning_rate_init=0.05,
        max_iter=5,
        random_state=0,
    )
    grid = GridSearchCV(
        est,
        {"learning_rate__schedule__T_max": [3, 6], "learning_rate__epochs": [0, 2]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    best = grid.best_estimator_.learning_rate
    assert best.schedule.T_max == grid.best_params_["learning_rate__schedule__T_max"]
    rates = grid.best_estimator_.history_["learning_rate"].to_numpy()
    np.testing.assert_allclose(rates, [0.05 * best(e) for e in range(len(rates))])
    assert est.learning_rate.schedule.T_max == 100  # the original is untouched


@pytest.mark.parametrize(
    "bad",
    [
        Step(every=0),
        Step(drop=-1),
        Exponential(k=-0.1),
        Cosine(T_max=0),
        CosineRestarts(T_mult=1.5),
        CosineRestarts(T_0=0),
        CosineRestarts(cycles=0),
        CosineRestarts(cycles=2.5),
        CosineRestarts(eta_max=0.0),
        CosineRestarts(T_max=0),
        Plateau(factor=0),
        Warmup(InvScaling()),
        Warmup(Cosine(T_max=-1)),
    ],
    ids=repr,
)
def test_invalid_schedule_params_raise_at_fit(small_clf_data, bad):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="must be"):
        MLPClassifier(learning_rate=bad, max_iter=2).fit(X, y)


def test_unknown_name_lists_valid_ones(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="cosine_restarts"):
        MLPClassifier(learning_rate="cosin", max_iter=2).fit(X, y)


# --- scikit-learn's common checks with a schedule on ------------------------

_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}


@parametrize_with_checks(
    [
        MLPClassifier(learning_rate="cosine", learning_rate_init=0.01, **_COMMON),
        MLPRegressor(
            solver="sgd",
            learning_rate=Warmup(Cosine(T_max=50), epochs=3),
            learning_rate_init=0.01,
            **_COMMON,
        ),
    ]
)
def test_sklearn_compatible_with_schedule(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
