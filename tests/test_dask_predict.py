"""``predict`` and the other output methods on dask input return dask arrays.

Each output block is the method on one row chunk; nothing is computed before
``.compute()``. The threaded scheduler runs every test but one, which computes
on a LocalCluster of 2 worker processes.
"""

import itertools
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _dask_cluster import local_client
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_adamlp import MLPClassifier, MLPRegressor

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

N, D = 157, 6  # 157 rows: no chunking below divides them evenly


@pytest.fixture(autouse=True)
def threads():
    with dask.config.set(scheduler="threads"):
        yield


def _data(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D)).astype(dtype)


def _targets(kind, X):
    s = X[:, 0] + X[:, 1] ** 2 - 0.5
    if kind == "binary":
        return np.where(s > 0, "yes", "no")  # string labels: the dtype travels
    if kind == "multiclass":
        return np.digitize(s, [-0.5, 0.5, 1.5])
    if kind == "multilabel":
        return np.column_stack([s > 0, X[:, 2] > 0, X[:, 3] > 0.5]).astype(int)
    if kind == "single":
        return s
    return np.column_stack([s, X[:, 2] - X[:, 3]])  # multi-output


def _fitted(kind, dtype=np.float64, X=None, **params):
    X = _data(dtype) if X is None else X
    y = _targets(kind, np.asarray(X))
    cls = MLPRegressor if kind in ("single", "multi") else MLPClassifier
    est = cls(hidden_layer_sizes=(8,), max_iter=30, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


class CountTasks(dask.callbacks.Callback):
    """Counts the tasks the local schedulers run."""

    def __init__(self):
        super().__init__()
        self.n = 0
        self.keys = []

    def _pretask(self, key, dsk, state):
        self.n += 1
        self.keys.append(key)


def _same(lazy, est, method, X, compute=None):
    """``lazy`` is ``method`` on each row chunk of ``X``, as declared.

    Exactly the numpy outputs of the chunks; the whole array's to the last
    bits only for probabilities (the softmax shifts by the batch's largest
    value, so a row's rounding depends on the rows beside it) and exactly
    for labels.
    """
    expected = getattr(est, method)(X)
    assert isinstance(lazy, da.Array)
    assert lazy.shape == expected.shape
    assert lazy.dtype == expected.dtype
    got = lazy.compute() if compute is None else compute(lazy)
    assert type(got) is np.ndarray
    assert got.dtype == expected.dtype
    bounds = np.cumsum((0, *lazy.chunks[0]))
    rows = [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    by_chunk = [getattr(est, method)(X[r]) for r in rows]
    np.testing.assert_array_equal(got, np.concatenate(by_chunk))
    if method == "predict":
        np.testing.assert_array_equal(got, expected)
    else:
        eps = np.finfo(expected.dtype).eps
        np.testing.assert_allclose(got, expected, rtol=8 * eps, atol=8 * eps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_classifier_outputs_are_the_numpy_ones(kind, dtype):
    clf = _fitted(kind, dtype)
    X = _data(dtype, seed=1)
    Xd = da.from_array(X, chunks=40)
    n_classes = {"binary": 2, "multiclass": 4, "multilabel": 3}[kind]
    # the shapes and dtypes dask is told before anything is computed
    lazy = clf.predict(Xd)
    if kind == "multilabel":
        assert lazy.shape == (N, 3)
    else:
        assert (lazy.shape, lazy.dtype) == ((N,), clf.classes_.dtype)
    assert clf.predict_proba(Xd).shape == (N, n_classes)
    assert clf.predict_proba(Xd).dtype == dtype
    assert lazy.chunks[0] == (40, 40, 40, 37)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        _same(getattr(clf, method)(Xd), clf, method, X)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_decision_function_of_a_hinge_classifier(kind):
    clf = _fitted(kind, loss="hinge")
    X = _data(seed=1)
    lazy = clf.decision_function(da.from_array(X, chunks=50))
    assert lazy.shape == ((N,) if kind == "binary" else (N, 4))
    _same(lazy, clf, "decision_function", X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["single", "multi"])
def test_regressor_outputs_are_the_numpy_ones(kind, dtype):
    reg = _fitted(kind, dtype)
    X = _data(dtype, seed=1)
    lazy = reg.predict(da.from_array(X, chunks=60))
    assert lazy.shape == ((N,) if kind == "single" else (N, 2))
    assert lazy.dtype == dtype
    _same(lazy, reg, "predict", X)


def test_uneven_and_column_chunks():
    clf = _fitted("multiclass")
    X = _data(seed=1)
    uneven = da.from_array(X, chunks=((3, 0, 100, 54), (D,)))  # an empty chunk too
    lazy = clf.predict_proba(uneven)
    assert lazy.chunks == ((3, 0, 100, 54), (4,))
    _same(lazy, clf, "predict_proba", X)
    by_columns = da.from_array(X, chunks=(50, 2))  # 3 column chunks: rechunked
    lazy = clf.predict_proba(by_columns)
    assert lazy.chunks == ((50, 50, 50, 7), (4,))
    _same(lazy, clf, "predict_proba", X)
    _same(clf.predict(by_columns), clf, "predict", X)


def test_rows_of_unknown_count():
    reg = _fitted("single")
    X = _data(seed=1)
    Xd = da.from_array(X, chunks=50)
    kept = Xd[Xd[:, 0] > 0]  # row counts known only after computing
    lazy = reg.predict(kept)
    assert np.isnan(lazy.shape[0])
    np.testing.assert_array_equal(lazy.compute(), reg.predict(X[X[:, 0] > 0]))


def test_nothing_is_computed_before_compute():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    clf = _fitted("multiclass")
    Xd = da.from_array(_data(seed=1), chunks=40)
    ddf = dd.from_pandas(pd.DataFrame(_data(seed=1)), npartitions=3)
    with CountTasks() as counted:
        lazies = [
            clf.predict(Xd),
            clf.predict_proba(Xd),
            clf.predict_log_proba(Xd),
            _fitted("multi").predict(Xd),
            clf.predict(ddf),  # a DataFrame too: its lengths are not computed
        ]
        assert counted.n == 0
        dask.compute(*lazies)
        assert counted.n > 0


def test_the_estimator_enters_the_graph_once():
    clf = _fitted("multiclass")
    lazy = clf.predict_proba(da.from_array(_data(seed=1), chunks=10))  # 16 blocks
    graph = dict(lazy.__dask_graph__())
    holding = [k for k, v in graph.items() if getattr(v, "value", None) is clf]
    assert len(holding) == 1
    outputs = [graph[k] for k in dask.core.flatten(lazy.__dask_keys__())]
    # each block's task names the estimator's node instead of carrying it
    assert len(outputs) == 16
    assert all(holding[0] in task.dependencies for task in outputs)


def test_no_client_is_needed():
    distributed = pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="No global client"):
        distributed.get_client()  # no client in this process
    reg = _fitted("single")
    X = _data(seed=1)
    np.testing.assert_array_equal(
        reg.predict(da.from_array(X, chunks=40)).compute(), reg.predict(X)
    )


def test_shape_errors_are_raised_at_the_call():
    clf = _fitted("binary")
    X = _data(seed=1)
    with CountTasks() as counted:
        with pytest.raises(ValueError, match="X has 5 features, but MLPClassifier"):
            clf.predict(da.from_array(X[:, :5], chunks=40))
        with pytest.raises(ValueError, match="X has 5 features, but MLPClassifier"):
            clf.predict_proba(da.from_array(X[:, :5], chunks=(40, 2)))
        with pytest.raises(ValueError, match=r"Expected a 2D dask array .* got a 1D"):
            clf.predict(da.from_array(X[:, 0], chunks=40))
        with pytest.raises(ValueError, match="0 sample"):
            clf.predict(da.from_array(X[:0], chunks=40))
        with pytest.raises(NotFittedError):
            MLPRegressor().predict(da.from_array(X, chunks=40))
    assert counted.n == 0


def test_nan_in_a_chunk_raises_sklearns_error_on_compute():
    reg = _fitted("multi")
    X = _data(seed=1)
    X[120, 3] = np.nan  # in the fourth chunk
    lazy = reg.predict(da.from_array(X, chunks=40))  # no error yet
    with pytest.raises(ValueError, match="Input X contains NaN"):
        lazy.compute()
    with pytest.raises(ValueError, match="Input X contains NaN"):
        reg.predict(X)  # the same error as numpy input


@pytest.mark.parametrize("kind", ["binary", "single"])
def test_score_computes(kind):
    est = _fitted(kind)
    X = _data(seed=1)
    y = _targets(kind, X)
    Xd, yd = da.from_array(X, chunks=40), da.from_array(y, chunks=40)
    with CountTasks() as counted:
        assert est.score(Xd, yd) == est.score(X, y)
    # the predictions were computed once: one task per row chunk
    blocks = [k for k in counted.keys if str(k[0]).startswith("predict-")]
    assert len(blocks) == 4
    assert est.score(Xd, y) == est.score(X, y)
    w = np.linspace(0.1, 2.0, N)
    assert est.score(X, yd, da.from_array(w, chunks=50)) == est.score(X, y, w)


def test_dataframe_gives_a_dask_array_and_checks_names():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    names = [f"f{i}" for i in range(D)]
    clf = _fitted("multiclass", X=pd.DataFrame(_data(), columns=names))
    df = pd.DataFrame(_data(seed=1), columns=names)
    ddf = dd.from_pandas(df, npartitions=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warning per block
        for method in ("predict", "predict_proba"):
            lazy = getattr(clf, method)(ddf)
            assert isinstance(lazy, da.Array)
            assert len(lazy.chunks[0]) == 3
            assert np.isnan(lazy.shape[0])  # the lengths were not computed
            _same(lazy.compute_chunk_sizes(), clf, method, df)
    swapped = ddf[names[::-1]]
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(swapped)
    renamed = ddf.rename(columns={"f0": "g0"})
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        clf.predict_proba(renamed)
    with pytest.raises(ValueError, match="got a 1D Series"):
        clf.predict(ddf["f0"])


def test_numpy_input_never_imports_dask():
    code = (
        "import sys, numpy as np\n"
        "from sklearn_adamlp import MLPClassifier\n"
        "X = np.random.default_rng(0).standard_normal((40, 3)); y = X[:, 0] > 0\n"
        "clf = MLPClassifier((4,), max_iter=2).fit(X, y)\n"
        "clf.predict(X); clf.predict_proba(X); clf.score(X, y)\n"
        "clf.predict(X.tolist())\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'dask']\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_compute_on_a_local_cluster_of_processes(own_client):
    clf = _fitted("multiclass", np.float32)
    X = _data(np.float32, seed=1)
    on_cluster = lambda lazy: own_client.compute(lazy).result()
    for method, chunks in (("predict_proba", 40), ("predict", (30, 4))):
        lazy = getattr(clf, method)(da.from_array(X, chunks=chunks))
        _same(lazy, clf, method, X, compute=on_cluster)


@pytest.fixture
def own_client():
    """A LocalCluster of 2 processes, 1 thread each, as test_parallel_dask's.

    Started and closed by the test; current while it runs, not the default.
    """
    pytest.importorskip("distributed")
    with local_client(default=False) as own:
        yield own
