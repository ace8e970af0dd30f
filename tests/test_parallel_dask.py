"""backend='dask': one model trained across the workers of a LocalCluster.

The cluster (2 worker processes, 1 thread each) is started once for the
module and closed at its end. Faults are real: a worker process is killed
with SIGKILL in the middle of a fit.
"""

import os
import re
import signal
import time
import warnings

import numpy as np
import pytest
from _dask_cluster import local_client
from sklearn.datasets import load_digits

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild, ModelAveraging

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def client():
    with local_client() as client:
        yield client


@pytest.fixture
def own_client():
    """A cluster of its own, for a test that kills one of its workers.

    It is the current client while the test runs (the fit uses the current
    client); the module's stays the default for the other tests.
    """
    with local_client(default=False) as own:
        yield own


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _fit(strategy, X, y, validation_data=None, **kw):
    params = dict(hidden_layer_sizes=(32,), max_iter=15, random_state=0)
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(parallel=strategy, **params)
        return est.fit(X, y, validation_data=validation_data)


def _nothing_left(client):
    """No task, Actor or scattered block of ours stays on the cluster.

    Released keys are forgotten by the scheduler asynchronously: look for
    up to 20 s.
    """
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        tasks = client.run_on_scheduler(
            lambda dask_scheduler: len(dask_scheduler.tasks)
        )
        if tasks == 0:
            return True
        time.sleep(0.1)
    return False


def test_without_a_client_the_error_says_what_to_start(digits):
    if distributed.client._get_global_client() is not None:
        pytest.skip("a client of another test is current")
    with pytest.raises(ValueError, match=r"start a distributed.Client \(e.g. Client"):
        _fit(EASGD(backend="dask"), *digits, max_iter=1)


def test_hogwild_refuses_dask(digits):
    with pytest.raises(
        ValueError, match=r"'backend' parameter of Hogwild .*dask.*shared memory"
    ):
        _fit(Hogwild(backend="dask"), *digits, max_iter=1)


@pytest.mark.parametrize(
    "strategy",
    [EASGD(backend="dask"), Downpour(backend="dask"), ModelAveraging(backend="dask")],
    ids=["easgd", "downpour", "averaging"],
)
def test_one_model_trained_on_the_cluster(client, digits, strategy):
    X, y = digits
    est = _fit(
        strategy, X, y, max_iter=12, early_stopping=True, learning_rate_init=0.01
    )
    assert est.n_iter_ == len(est.loss_curve_) == est.history_.shape[0]
    assert len(est.validation_scores_) == est.n_iter_  # on the client
    assert est.loss_curve_[-1] < 0.6 * est.loss_curve_[0]
    assert est.score(X, y) > 0.7
    assert est.parallel is strategy  # unchanged by the fit
    assert strategy.n_workers is None
    assert _nothing_left(client)
    # partial_fit continues the same center
    est = _fit(strategy, X, y, max_iter=3, learning_rate_init=0.01)
    before = est.predict_proba(X)
    est.partial_fit(X, y)
    assert not np.allclose(est.predict_proba(X), before)
    assert est.n_iter_ == 1


def test_model_averaging_on_dask_follows_its_equations(client, digits):
    # tau=1, plain SGD and full blocks: each round averages one step of each
    # worker from the same center, which is one SGD step with the mean of
    # their gradients; with one batch per block the epoch is that single step
    X, y = digits
    X, y = X[:100], y[:100]
    kw = dict(
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
        alpha=0.0,
        batch_size=50,
        shuffle=False,
        max_iter=1,
        random_state=0,
    )
    est = _fit(ModelAveraging(backend="dask", tau=1), X, y, **kw)
    ref = MLPClassifier(hidden_layer_sizes=(32,), **{**kw, "batch_size": 100})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X, y)  # one step on the mean gradient of the 100 rows
    np.testing.assert_allclose(est._flat, ref._flat, rtol=1e-9, atol=1e-12)


def test_regressor_and_numpy_input_scattered_once(client, digits):
    X, y = digits
    reg = MLPRegressor(
        hidden_layer_sizes=(16,),
        max_iter=5,
        random_state=0,
        parallel=EASGD(backend="dask", n_workers=1),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y.astype(float))
    assert np.isfinite(reg.predict(X)).all()
    assert _nothing_left(client)


class _KillWorker(Callback):
    """At the end of epoch ``at``, SIGKILL one Dask worker process."""

    def __init__(self, pid=None, at=2):
        self.pid, self.at = pid, at

    def on_epoch_end(self, ctx, record, **kwargs):
        if record["epoch"] == self.at:
            os.kill(self.pid, signal.SIGKILL)


@pytest.mark.parametrize("strategy", ["easgd", "averaging"])
def test_a_lost_worker_ends_the_fit_clearly(own_client, digits, strategy):
    client = own_client
    X, y = digits
    pids = client.run(os.getpid)
    address, pid = sorted(pids.items())[-1]
    parallel = {
        "easgd": EASGD(backend="dask", tau=1),
        "averaging": ModelAveraging(backend="dask", tau=2),
    }[strategy]
    est = MLPClassifier(
        hidden_layer_sizes=(32,),
        max_iter=200,
        random_state=0,
        callbacks=[_KillWorker(pid)],
        parallel=parallel,
    )
    with pytest.raises(
        RuntimeError, match=f"Dask worker {re.escape(address)} was lost"
    ):
        est.fit(X, y)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it
    assert _nothing_left(client)


class _RecordPid(Callback):
    """Append the pid of the process that fits to a file."""

    def __init__(self, path=None):
        self.path = path

    def on_fit_begin(self, ctx, **kwargs):
        with open(self.path, "a") as out:
            out.write(f"{os.getpid()}\n")


def _searches(log):
    from scipy.stats import loguniform

    from sklearn_adamlp.model_selection import (
        EvolutionarySearchCV,
        PopulationBasedTraining,
    )

    member = MLPClassifier(
        hidden_layer_sizes=(16,),
        max_iter=5,
        random_state=0,
        callbacks=[_RecordPid(str(log))],
    )
    space = {
        "alpha": loguniform(1e-5, 1e-1),
        "learning_rate_init": loguniform(1e-3, 3e-2),
    }
    evo = EvolutionarySearchCV(
        member, space, population_size=4, n_generations=2, cv=2, random_state=0
    )
    pbt = PopulationBasedTraining(
        member,
        space,
        population_size=3,
        n_rounds=2,
        epochs_per_round=2,
        random_state=0,
    )
    return evo, pbt


def test_searches_run_their_members_on_the_cluster(client, digits, tmp_path):
    import joblib

    X, y = digits
    X, y = X[:400], y[:400]
    log = tmp_path / "pids.txt"
    serial = [s.fit(X, y) for s in _searches(log)]
    log.write_text("")
    with joblib.parallel_config(backend="dask"):
        clustered = [s.fit(X, y) for s in _searches(log)]
    # the members were fitted in the cluster's worker processes
    workers = set(client.run(os.getpid).values())
    pids = {int(p) for p in log.read_text().split()}
    assert pids
    assert pids - {os.getpid()} <= workers
    assert pids & workers
    # and the searches are those of the sequential run with the same seed
    evo_s, pbt_s = serial
    evo_c, pbt_c = clustered
    assert evo_c.cv_results_["params"] == evo_s.cv_results_["params"]
    np.testing.assert_allclose(
        evo_c.cv_results_["mean_test_score"], evo_s.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(pbt_c.history_.to_numpy(), pbt_s.history_.to_numpy())
    np.testing.assert_array_equal(pbt_c.predict_proba(X), pbt_s.predict_proba(X))
    assert _nothing_left(client)


def test_dask_ml_incremental_trains_our_estimator(client, digits):
    dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
    import dask.array as da

    X, y = digits
    Xd, yd = da.from_array(X, chunks=300), da.from_array(y, chunks=300)
    inc = dask_ml_wrappers.Incremental(
        MLPClassifier(
            hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0
        ),
        scoring="accuracy",
    )
    inc.fit(Xd, yd, classes=np.unique(y))
    assert inc.estimator_.t_ == X.shape[0]  # one partial_fit per block
    assert inc.score(Xd, yd) > 0.5
    assert isinstance(inc.predict(Xd), da.Array)


def test_dask_ml_parallel_post_fit_predicts_dask_arrays(client, digits):
    dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
    import dask.array as da

    X, y = digits
    est = _fit(EASGD(backend="dask"), X, y, max_iter=3)
    post = dask_ml_wrappers.ParallelPostFit(est)
    post.fit(X, y)  # ParallelPostFit refits its estimator (here, on the cluster)
    Xd = da.from_array(X, chunks=500)
    got = post.predict(Xd)
    assert isinstance(got, da.Array)
    np.testing.assert_array_equal(got.compute(), post.estimator.predict(X))


def test_divergence_on_dask_keeps_finite_weights(client):
    from sklearn.datasets import load_diabetes

    from sklearn_adamlp.training import DivergenceWarning

    X, y = load_diabetes(return_X_y=True)
    reg = MLPRegressor(
        solver="sgd",
        learning_rate_init=1e3,
        max_iter=20,
        random_state=0,
        parallel=Downpour(backend="dask"),
    )
    with pytest.warns(DivergenceWarning):
        reg.fit(X * 1e3, y * 1e3)
    assert np.isfinite(reg._flat).all()
    assert np.isfinite(reg.predict(X)).all()
    assert _nothing_left(client)


@pytest.mark.parametrize("kind", ["array", "dataframe"])
def test_dask_input_trains_on_the_blocks_the_workers_hold(client, digits, kind):
    import dask.array as da

    X, y = digits
    Xd = da.from_array(X, chunks=(300, 64))
    yd = da.from_array(y, chunks=300)
    if kind == "dataframe":
        dd = pytest.importorskip("dask.dataframe")
        Xd = dd.from_dask_array(Xd)
    est = _fit(
        EASGD(backend="dask"),
        Xd,
        yd,
        max_iter=10,
        learning_rate_init=0.01,
        validation_data=(X[:300], y[:300]),
    )
    assert est.n_features_in_ == 64
    assert est.t_ == 10 * X.shape[0]  # every row, every epoch
    assert len(est.validation_scores_) == 10
    assert est.score(X, y) > 0.8
    assert _nothing_left(client)


def test_dask_input_errors_say_what_to_do(client, digits):
    import dask.array as da

    X, y = digits
    Xd = da.from_array(X, chunks=300)
    with pytest.raises(TypeError, match="parallel=EASGD\\(backend='dask'\\)"):
        _fit(None, Xd, y, max_iter=1)
    with pytest.raises(TypeError, match="compute X into memory first"):
        _fit(EASGD(), Xd, y, max_iter=1)
    with pytest.raises(ValueError, match="pass validation_data"):
        _fit(EASGD(backend="dask"), Xd, y, max_iter=1, early_stopping=True)
    with pytest.raises(ValueError, match="dropout with dask X"):
        _fit(EASGD(backend="dask"), Xd, y, max_iter=1, dropout=0.1)


def test_a_cluster_without_workers_raises_instead_of_waiting(digits):
    # every wait on the cluster is bounded: with no worker to compute the
    # targets, fit says so (it used to wait forever in dask's compute)
    import dask.array as da

    X, y = digits
    with (
        distributed.LocalCluster(
            n_workers=0, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as empty,
        empty.as_current(),
    ):
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="no worker left"):
            _fit(
                EASGD(backend="dask"),
                da.from_array(X[:200], chunks=100),
                da.from_array(y[:200], chunks=100),
            )
        assert time.monotonic() - start < 30


class _Holder:
    """An Actor whose method holds its worker's one actor thread, as a trainer's
    epoch does, until the center beside it reads 1 (or 30 s pass)."""

    def __init__(self, center):
        self.center = center

    def hold(self):
        import time

        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if self.center.get().result()[0] == 1.0:  # same worker: runs directly
                return True
            time.sleep(0.01)
        return False


def test_exchanges_with_the_center_run_while_its_workers_trainer_holds_the_actor_thread(
    client,
):
    """A Dask worker runs Actor methods in one thread, which the trainer beside
    the center holds for a whole epoch; the other trainers' exchanges must not
    queue behind it (they run in the worker's event loop), or the trainers
    take turns instead of training at once."""
    from sklearn_adamlp.parallel._dask_actors import IN_LOOP, Center

    address = sorted(client.scheduler_info()["workers"])[0]
    center = client.submit(
        Center, np.zeros(3), actor=True, workers=[address], pure=False
    ).result()
    holder = client.submit(
        _Holder, center, actor=True, workers=[address], pure=False
    ).result()
    held = holder.hold()  # occupies the worker's actor thread
    # from another worker's point of view (here: the client), while it is held
    center.set(np.ones(3), **IN_LOOP).result(timeout=20)
    assert held.result(timeout=40) is True
