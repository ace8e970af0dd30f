"""Parallel SGD: Hogwild, Downpour and EASGD (sklearn_adamlp.parallel).

The exchange rules are checked against the formulas, simulated independently
here with the network as the gradient oracle, on the deterministic sequential
backend (the workers take turns step by step). The process backend is checked
for what a user relies on: it trains as well as a serial fit, keeps the
estimator's contract, and fails clearly.
"""

import os
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.parallel import (
    EASGD,
    PARALLEL,
    Downpour,
    Hogwild,
    ModelAveraging,
    ParallelStrategy,
    Replica,
    available,
    build,
)
from sklearn_adamlp.regularizers import GradientNoise
from sklearn_adamlp.training import DivergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0)[:600], y[:600]


class _InitialWeights(Callback):
    """Keep a copy of the weights a fit starts from."""

    def on_fit_begin(self, ctx, **kwargs):
        self.flat = ctx.flat.copy()


def _sgd(parallel, **kw):
    params = dict(
        hidden_layer_sizes=(12,),
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
        alpha=0.0,
        batch_size=50,
        shuffle=False,
        max_iter=3,
        random_state=0,
        parallel=parallel,
    )
    params.update(kw)
    return MLPClassifier(**params)


def _fit_with_start(est, X, y):
    keep = _InitialWeights()
    est.set_params(callbacks=[keep])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return keep.flat


def _batches(est, X, y, k):
    """The in-place batches of one epoch, dealt to ``k`` workers in turn."""
    Y = est._label_binarizer.transform(y).astype(float)
    bs = est.batch_size
    starts = list(range(0, X.shape[0], bs))
    return [[(X[s : s + bs], Y[s : s + bs]) for s in starts[w::k]] for w in range(k)]


def _grad(est, flat, xb, yb):
    g = np.empty_like(flat)
    est._network.loss_grad(flat, g, xb, yb)
    return g


def _simulate(est, X, y, start, k, step_hook, end_hook=None, per_worker=None):
    """Workers in turns, as the sequential backend schedules them.

    Each round, every worker in order takes its next batch (plain SGD on its
    ``local`` parameters, then ``step_hook``), or, once out of batches, ends
    its epoch (``end_hook``). Returns the center after ``est.max_iter`` epochs.
    """
    lr = est.learning_rate_init
    shares = _batches(est, X, y, k)
    center = start.copy()
    workers = [dict(local=start.copy(), base=start.copy(), steps=0) for _ in range(k)]
    if per_worker is not None:
        for w in workers:
            per_worker(w, center)
    for _epoch in range(est.max_iter):
        ended = [False] * k
        for j in range(max(len(s) for s in shares) + 1):
            for w in range(k):
                if j < len(shares[w]):
                    wk = workers[w]
                    xb, yb = shares[w][j]
                    wk["local"] -= lr * _grad(est, wk["local"], xb, yb)
                    wk["steps"] += 1
                    step_hook(wk, center)
                elif not ended[w]:
                    ended[w] = True
                    if end_hook is not None:
                        end_hook(workers[w], center)
    return center


@pytest.mark.parametrize("k", [1, 2, 3])
def test_hogwild_in_turns_is_serial_sgd(digits, k):
    # without momentum, workers stepping the shared weights in turns take
    # exactly the serial fit's steps in the serial order
    X, y = digits
    for shuffle in (False, True):
        serial = _sgd(None, shuffle=shuffle).fit(X, y)
        par = _sgd(Hogwild(n_workers=k, backend="sequential"), shuffle=shuffle)
        par.fit(X, y)
        np.testing.assert_array_equal(par._flat, serial._flat)
        assert par.loss_curve_ == pytest.approx(serial.loss_curve_, rel=1e-12)
        assert par.t_ == serial.t_
        assert par.n_iter_ == serial.n_iter_


def test_hogwild_momentum_is_per_worker(digits):
    # x~ += v_w,  v_w = mu v_w - lr g_w(x~): each worker keeps its own velocity
    X, y = digits
    mu, lr, k = 0.9, 0.05, 2
    est = _sgd(
        Hogwild(n_workers=k, backend="sequential"),
        momentum=mu,
        nesterovs_momentum=False,
        learning_rate_init=lr,
    )
    start = _fit_with_start(est, X, y)
    shares = _batches(est, X, y, k)
    center, v = start.copy(), [np.zeros_like(start) for _ in range(k)]
    for _ in range(est.max_iter):
        for j in range(max(len(s) for s in shares)):
            for w in range(k):
                if j < len(shares[w]):
                    v[w] = mu * v[w] - lr * _grad(est, center, *shares[w][j])
                    center = center + v[w]
    np.testing.assert_allclose(est._flat, center, rtol=1e-10, atol=1e-12)


def _downpour_paper(n_push, n_fetch):
    """Algorithm 7.1 of Dean et al. (2012), one worker's hooks for ``_simulate``.

    The worker accrues every step it takes (``acc``) whatever the fetches do,
    pushes ``acc`` every ``n_push`` steps and replaces its parameters by the
    server's every ``n_fetch`` steps.
    """

    def step(wk, center):
        wk.setdefault("acc", np.zeros_like(center))
        wk["acc"] += wk["local"] - wk["base"]  # this step's update
        if wk["steps"] % n_push == 0:
            center += wk["acc"]
            wk["acc"][:] = 0.0
        if wk["steps"] % n_fetch == 0:
            wk["local"] = center.copy()
        wk["base"] = wk["local"].copy()  # the next step's update starts here

    def end(wk, center):
        if wk["steps"] % n_push:
            center += wk["acc"]
            wk["acc"][:] = 0.0

    return step, end


@pytest.mark.parametrize(("n_push", "n_fetch"), [(1, 1), (2, 3), (3, 1), (4, 1)])
def test_downpour_matches_its_equations(digits, n_push, n_fetch):
    X, y = digits
    k = 2
    est = _sgd(
        Downpour(n_workers=k, n_push=n_push, n_fetch=n_fetch, backend="sequential")
    )
    start = _fit_with_start(est, X, y)
    expected = _simulate(est, X, y, start, k, *_downpour_paper(n_push, n_fetch))
    np.testing.assert_allclose(est._flat, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("n_push", "n_fetch"), [(4, 1), (3, 2), (1, 4), (5, 5)])
def test_downpour_fetch_keeps_unpushed_updates(n_push, n_fetch):
    # 12 steps of -1 by one worker: Dean et al. push every accrued step, so
    # the center moves by -12 whatever n_fetch and n_push are
    center = np.zeros(3)
    replica = Replica(center, np.empty(3), None)
    strategy = Downpour(n_workers=1, n_push=n_push, n_fetch=n_fetch)
    strategy.begin_fit(replica)
    for _ in range(12):
        replica.local -= 1.0
        strategy.after_step(replica)
    strategy.end_epoch(replica)
    np.testing.assert_array_equal(center, np.full(3, -12.0))


def test_one_downpour_worker_fetching_often_trains_as_well_as_serial(digits):
    # one worker pushing every 4 steps and fetching every step takes every
    # step's update to the center; it trains about as well as a serial fit
    X, y = digits
    serial = _sgd(None, max_iter=30).fit(X, y)
    par = _sgd(
        Downpour(n_workers=1, n_push=4, n_fetch=1, backend="sequential"), max_iter=30
    ).fit(X, y)
    assert par.loss_curve_[-1] < 1.5 * serial.loss_curve_[-1]


@pytest.mark.parametrize(("tau", "rate"), [(1, None), (3, 0.3)])
def test_easgd_matches_its_equations(digits, tau, rate):
    X, y = digits
    k = 3
    est = _sgd(EASGD(n_workers=k, tau=tau, moving_rate=rate, backend="sequential"))
    start = _fit_with_start(est, X, y)
    alpha = 0.9 / k if rate is None else rate

    def step(wk, center):
        if wk["steps"] % tau == 0:  # d = alpha (x_w - x~); x_w -= d; x~ += d
            d = alpha * (wk["local"] - center)
            wk["local"] = wk["local"] - d
            center += d

    expected = _simulate(est, X, y, start, k, step)
    np.testing.assert_allclose(est._flat, expected, rtol=1e-10, atol=1e-12)
    assert not np.allclose(est._flat, _sgd(None).fit(X, y)._flat)


@pytest.mark.parametrize("name", ["hogwild", "downpour", "easgd", "averaging"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_processes_train_as_well_as_serial(name, solver):
    # Hogwild and Downpour apply every worker's steps to the center: the same
    # epochs reach the serial score. EASGD's center averages replicas that
    # each take 1/k of the steps; it gets 2.4x the epochs (measured: at 25
    # epochs it trails the serial fit at 12).
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, ytr, Xte, yte = X[:1200], y[:1200], X[1200:], y[1200:]
    lr = {"sgd": 0.05, "adam": 0.001}[solver]
    kw = dict(
        hidden_layer_sizes=(32,),
        solver=solver,
        learning_rate_init=lr,
        max_iter=25,
        random_state=0,
    )
    epochs = 60 if name in ("easgd", "averaging") else 25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = MLPClassifier(**kw).fit(Xtr, ytr)
        strategy = build(name).set_params(n_workers=2)
        kw["max_iter"] = epochs
        par = MLPClassifier(parallel=strategy, **kw).fit(Xtr, ytr)
    assert par.n_iter_ == epochs
    assert len(par.loss_curve_) == epochs
    assert par.t_ == epochs * 1200
    assert par.loss_curve_[-1] < 0.5 * par.loss_curve_[0]
    assert par.score(Xte, yte) >= serial.score(Xte, yte) - 0.04
    assert np.isfinite(par._flat).all()
    assert par.coefs_[0].base is not None  # still views of the flat buffer
    # the estimator holds the very strategy it was given, unchanged by the fit
    assert par.parallel is strategy
    assert strategy.get_params() == build(name).set_params(n_workers=2).get_params()


def test_processes_keep_the_contract(digits):
    X, y = digits
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        max_iter=200,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
        parallel=Hogwild(n_workers=2),
    )
    est.fit(X, y.astype(float))
    assert est.n_iter_ < 200  # the stopping rule runs on the center
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.history_.shape[0] == est.n_iter_
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    est.partial_fit(X, y.astype(float))  # partial_fit runs in parallel too
    assert np.isfinite(est.predict(X)).all()


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_other_start_methods(digits, start_method):
    if start_method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"{start_method} is not available here")
    X, y = digits
    Xs = sp.csr_matrix(np.where(X > 0.5, X, 0.0))
    for data in (X, Xs):
        est = MLPClassifier(
            hidden_layer_sizes=(16,),
            learning_rate_init=0.01,
            max_iter=10,
            random_state=0,
            parallel=Downpour(n_workers=2, start_method=start_method),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(data, y)
        assert est.loss_curve_[-1] < est.loss_curve_[0]
        assert est.score(data, y) > 0.5


def test_dropout_noise_batch_norm_in_parallel(digits):
    X, y = digits
    est = MLPClassifier(
        hidden_layer_sizes=(24,),
        learning_rate_init=0.01,
        max_iter=15,
        random_state=0,
        dropout=0.1,
        gradient_noise=1e-3,
        batch_norm=True,
        parallel=Hogwild(n_workers=2),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert np.isfinite(est._flat).all()
    assert est.score(X, y) > 0.85
    # worker 0 is the fitting process: its running statistics were updated
    assert not np.allclose(est._network.running_mean[0], 0.0)


def test_workers_draw_their_own_noise():
    noise = GradientNoise(0.1, seed=5)
    seeds = {noise.for_worker(i).seed for i in range(1, 4)}
    assert len(seeds) == 3
    assert 5 not in seeds
    assert noise.for_worker(2).seed == noise.for_worker(2).seed  # reproducible


@pytest.mark.parametrize("solver", ["sgd", "momentum"])
def test_divergence_in_parallel_keeps_finite_weights(solver):
    X, y = load_diabetes(return_X_y=True)
    reg = MLPRegressor(
        solver=solver,
        learning_rate_init=1e3,
        max_iter=50,
        random_state=0,
        parallel=Hogwild(n_workers=2),
    )
    with pytest.warns(DivergenceWarning, match="learning_rate_init.*scale"):
        reg.fit(X * 1e3, y * 1e3)
    assert np.isfinite(reg._flat).all()
    assert np.isfinite(reg.predict(X)).all()
    assert np.isfinite(reg.loss_curve_).all()


def test_grid_search_tunes_the_strategy(digits):
    X, y = digits
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=3,
        random_state=0,
        parallel=EASGD(backend="sequential"),
    )
    assert est.get_params()["parallel__tau"] == 4
    grid = GridSearchCV(
        est, {"parallel__n_workers": [1, 2], "parallel__tau": [1, 2]}, cv=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert est.parallel.n_workers is None  # the template was cloned, not set
    assert clone(est).parallel is not est.parallel


def test_names_and_registration():
    assert available() == ["averaging", "downpour", "easgd", "hogwild"]
    assert isinstance(build("hogwild"), Hogwild)
    assert build(None) is None

    @PARALLEL.register("test_lockstep")
    class Lockstep(Hogwild):
        pass

    try:
        est = MLPClassifier(max_iter=2, parallel="test_lockstep")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(*load_digits(return_X_y=True))
        assert est.n_iter_ == 2
    finally:
        PARALLEL.unregister("test_lockstep")


@pytest.mark.parametrize(
    ("strategy", "match"),
    [
        (
            Hogwild(n_workers=0),
            r"'n_workers' parameter of Hogwild must be an int in the range "
            r"\[1, inf\) or None",
        ),
        (Hogwild(n_workers=1.5), "'n_workers' parameter of Hogwild"),
        (
            Hogwild(backend="threads"),
            "'backend' parameter of Hogwild must be a str among",
        ),
        (
            Hogwild(start_method="teleport"),
            "'start_method' parameter of Hogwild must be a str among",
        ),
        (
            Downpour(n_push=0),
            r"'n_push' parameter of Downpour must be an int in the range \[1, inf\)",
        ),
        (Downpour(n_fetch=True), "'n_fetch' parameter of Downpour"),
        (EASGD(tau=0), r"'tau' parameter of EASGD must be an int in the range \[1"),
        (
            EASGD(moving_rate=1.5),
            r"'moving_rate' parameter of EASGD must be a float in the range "
            r"\(0.0, 1.0\] or None",
        ),
        (
            ModelAveraging(tau=0),
            r"'tau' parameter of ModelAveraging must be an int in the range \[1",
        ),
    ],
)
def test_bad_strategy_parameters_are_named(digits, strategy, match):
    with pytest.raises(ValueError, match=match):
        MLPClassifier(max_iter=1, parallel=strategy).fit(*digits)


def test_bad_estimator_parameters_are_named(digits):
    with pytest.raises(ValueError, match="parallel"):
        MLPClassifier(parallel="threads").fit(*digits)
    with pytest.raises(ValueError, match="full-batch minimizer"):
        MLPClassifier(solver="lbfgs", parallel="hogwild").fit(*digits)


class _FailInChild(Hogwild):
    """Hogwild whose workers other than the fitting process fail or die."""

    def __init__(self, parent=None, how="raise", n_workers=2, backend="processes"):
        self.parent = parent
        self.how = how
        super().__init__(n_workers=n_workers, backend=backend)

    def begin_epoch(self, replica):
        if os.getpid() != self.parent:
            if self.how == "raise":
                raise ArithmeticError("boom in a worker")
            os._exit(3)


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("raise", "Parallel worker 1 failed:(.|\n)*ArithmeticError: boom"),
        ("exit", "Parallel worker 1 exited with code 3 without an answer"),
    ],
)
def test_a_failing_worker_raises_clearly(digits, how, match):
    if __import__("multiprocessing").get_start_method() != "fork":
        pytest.skip("the failing strategy lives in the test module (fork only)")
    est = MLPClassifier(max_iter=2, parallel=_FailInChild(os.getpid(), how))
    with pytest.raises(RuntimeError, match=match):
        est.fit(*digits)
    # the fit left no worker process behind
    children = __import__("multiprocessing").active_children()
    assert not [p for p in children if p.name.startswith("sklearn_adamlp-worker")]


def test_strategy_repr_and_base_hooks():
    assert repr(EASGD(tau=8)) == "EASGD(tau=8)"
    assert issubclass(Downpour, ParallelStrategy)
    assert EASGD(n_workers=3).alpha() == pytest.approx(0.3)


def test_inside_joblib_workers(digits):
    # GridSearchCV's loky workers install a default start method that cannot
    # share memory; the fit uses the platform's standard one instead
    X, y = digits
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, parallel=Hogwild(2))
    grid = GridSearchCV(est, {"alpha": [1e-4, 1e-2]}, cv=2, n_jobs=2)
    grid.fit(X, y)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def _fit_in_pool(data):
    X, y = data
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    est.set_params(parallel=Hogwild(n_workers=2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return est._flat, [str(w.message) for w in caught]


def test_inside_a_daemonic_process_the_workers_take_turns(digits):
    mp = __import__("multiprocessing")
    if mp.get_start_method() != "fork":
        pytest.skip("the pool task lives in the test module (fork only)")
    with mp.Pool(1) as pool:
        flat, messages = pool.apply(_fit_in_pool, (digits,))
    assert any("cannot start worker processes" in m for m in messages)
    expected = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=3,
        random_state=0,
        parallel=Hogwild(n_workers=2, backend="sequential"),
    ).fit(*digits)
    np.testing.assert_array_equal(flat, expected._flat)


def _averaging_paper(est, X, y, start, k, tau):
    """Local SGD averaged every ``tau`` steps (Zinkevich 2010, McMahan 2017).

    Each round every worker starts from the center and takes up to ``tau``
    plain SGD steps on its next batches; the center becomes the average of
    the replicas weighted by the steps each took.
    """
    lr = est.learning_rate_init
    shares = _batches(est, X, y, k)
    center = start.copy()
    for _epoch in range(est.max_iter):
        nxt = [0] * k
        while any(nxt[w] < len(shares[w]) for w in range(k)):
            replicas, steps = [], []
            for w in range(k):
                local = center.copy()
                taken = 0
                while taken < tau and nxt[w] < len(shares[w]):
                    local -= lr * _grad(est, local, *shares[w][nxt[w]])
                    nxt[w] += 1
                    taken += 1
                replicas.append(local)
                steps.append(taken)
            center = sum(s * r for r, s in zip(replicas, steps, strict=True)) / sum(
                steps
            )
    return center


@pytest.mark.parametrize(("k", "tau"), [(2, 1), (3, 2), (2, 5)])
def test_model_averaging_matches_its_equations(digits, k, tau):
    X, y = digits
    est = _sgd(ModelAveraging(n_workers=k, tau=tau, backend="sequential"))
    start = _fit_with_start(est, X, y)
    expected = _averaging_paper(est, X, y, start, k, tau)
    np.testing.assert_allclose(est._flat, expected, rtol=1e-10, atol=1e-12)
    # synchronous: the processes backend takes the very same steps
    par = _sgd(ModelAveraging(n_workers=k, tau=tau)).fit(X, y)
    np.testing.assert_allclose(par._flat, expected, rtol=1e-9, atol=1e-11)
