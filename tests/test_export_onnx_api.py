"""ONNX export: activation forms, pipelines, options and errors."""

import warnings

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

from _export_cases import (
    N_TRAIN,
    _check_outputs,
    _classification,
    _fit,
    _regression,
    _run,
)
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.export import to_onnx

# --- each activation's ONNX form against its formula, on a wide range ---------

_x = np.concatenate([np.linspace(-40, 40, 801), [-1, 1, -np.sqrt(2), np.sqrt(2),
                     -8 * np.sqrt(2), 8 * np.sqrt(2), 1e-3, -1e-3]])  # fmt: skip


def _formulas():
    from scipy.special import expit, ndtr

    from sklearn_adamlp.activations import ELU, LeakyReLU

    return [
        ("identity", lambda x: x),
        ("logistic", expit),
        ("tanh", np.tanh),
        ("relu", lambda x: np.maximum(x, 0)),
        ("leaky_relu", lambda x: np.where(x > 0, x, 0.01 * x)),
        (LeakyReLU(negative_slope=0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
        ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
        (ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
        ("gelu", lambda x: x * ndtr(x)),  # x * Phi(x), Phi the normal CDF
        ("silu", lambda x: x * expit(x)),
        ("softplus", lambda x: np.logaddexp(0, x)),
    ]


def _unit_network(act, dtype):
    """A 1-1-1 network computing ``phi(x)`` exactly (weights 1, biases 0)."""
    X = _x.reshape(-1, 1).astype(dtype)
    est = MLPRegressor(hidden_layer_sizes=(1,), activation=act, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, np.zeros(len(X), dtype=dtype))
    est.coefs_ = [np.ones((1, 1)), np.ones((1, 1))]
    est.intercepts_ = [np.zeros(1), np.zeros(1)]
    return est, X


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("act", "formula"),
    _formulas(),
    ids=[a if isinstance(a, str) else repr(a) for a, _ in _formulas()],
)
def test_activation_forms_match_their_formulas(act, formula, dtype):
    est, X = _unit_network(act, dtype)
    (out,) = _run(to_onnx(est), X)
    expected = formula(_x)
    rtol, atol = (1e-6, 1e-6) if dtype == np.float32 else (1e-13, 1e-300)
    np.testing.assert_allclose(out[:, 0], expected, rtol=rtol, atol=atol)


# --- a pipeline through skl2onnx itself ------------------------------------------


def test_pipeline_through_skl2onnx():
    from skl2onnx import to_onnx as skl2onnx_to_onnx
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_adamlp.export import register_converters

    X, y = _classification("multiclass_str", np.float32)
    X = X * 5 + 3  # the scaler has work to do
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(8,), activation="gelu", batch_norm=True,
                      max_iter=20, random_state=0),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X[:N_TRAIN], y[:N_TRAIN])
    register_converters()
    Xt = X[N_TRAIN:]
    onx = skl2onnx_to_onnx(pipe, Xt[:1], options={MLPClassifier: {"zipmap": False}})
    label, proba = _run(onx, Xt)
    np.testing.assert_array_equal(label, pipe.predict(Xt))
    np.testing.assert_allclose(proba, pipe.predict_proba(Xt), rtol=1e-5, atol=1e-5)
    # skl2onnx's default for classifiers: probabilities as one dict per row
    label, dicts = _run(skl2onnx_to_onnx(pipe, Xt[:1]), Xt)
    np.testing.assert_array_equal(label, pipe.predict(Xt))
    proba = np.array([[d[c] for c in pipe.classes_] for d in dicts])
    np.testing.assert_allclose(proba, pipe.predict_proba(Xt), rtol=1e-5, atol=1e-5)


def test_regressor_pipeline_float64():
    from skl2onnx import to_onnx as skl2onnx_to_onnx
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_adamlp.export import register_converters

    X, y = _regression("multioutput", np.float64)
    pipe = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(8,), activation="softplus", max_iter=20,
                     random_state=0),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X[:N_TRAIN], y[:N_TRAIN])
    register_converters()
    (pred,) = _run(skl2onnx_to_onnx(pipe, X[:1]), X[N_TRAIN:])
    assert pred.dtype == np.float64
    np.testing.assert_allclose(pred, pipe.predict(X[N_TRAIN:]), rtol=1e-10, atol=1e-10)


# --- errors and options -----------------------------------------------------------

from sklearn_adamlp import activations  # noqa: E402
from sklearn_adamlp.activations import Activation  # noqa: E402


class _Cube(Activation):
    """``a = z**3``, a user's activation with no ONNX form of its own."""

    name = "test_export_cube"
    needs_z = True

    def forward(self, z, out=None):
        return np.power(z, 3, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= 3 * z * z


@pytest.fixture
def cube():
    activations.register(_Cube.name)(_Cube())
    yield _Cube.name
    activations.ACTIVATIONS.unregister(_Cube.name)


def test_user_activation_without_onnx_form_is_named(cube):
    X, y = _regression("single", np.float64)
    est = MLPRegressor(hidden_layer_sizes=(4,), activation=cube, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    with pytest.raises(ValueError, match=r"'test_export_cube'.*register_activation"):
        to_onnx(est)


def test_user_activation_with_registered_form(cube):
    from sklearn_adamlp.export import register_activation

    register_activation(_Cube)(lambda g, x, act: g.op("Mul", x, g.op("Mul", x, x)))
    est, X = _unit_network(cube, np.float64)
    (out,) = _run(to_onnx(est), X)
    np.testing.assert_allclose(out[:, 0], _x**3, rtol=1e-13)


def test_missing_extra_names_it(monkeypatch):
    est, _ = _unit_network("relu", np.float64)
    monkeypatch.setitem(__import__("sys").modules, "skl2onnx", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-adamlp\[onnx\]"'):
        to_onnx(est)


def test_unfitted_and_bad_arguments():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        to_onnx(MLPClassifier())
    est, _ = _unit_network("relu", np.float64)
    with pytest.raises(ValueError, match="target_opset must be at least 13"):
        to_onnx(est, target_opset=12)
    with pytest.raises(ValueError, match=r"X_sample has shape \(3, 2\)"):
        to_onnx(est, np.zeros((3, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_opset_13(dtype):
    config = ("clf", "binary", "log_loss", ["gelu", "elu"], True, 0.0, False, dtype)
    est, X = _fit(*config)
    onx = to_onnx(est, target_opset=13)
    assert max(o.version for o in onx.opset_import if o.domain == "") <= 13
    _check_outputs(est, X, config, _run(onx, X))


def test_float32_input_to_float64_network():
    config = ("clf", "multiclass", "log_loss", "tanh", False, 0.0, False, np.float64)
    est, X = _fit(*config)
    X32 = X.astype(np.float32)
    onx = to_onnx(est, X32)
    assert onx.graph.input[0].type.tensor_type.elem_type == 1  # float
    label, proba = _run(onx, X32)
    np.testing.assert_array_equal(label, est.predict(X32))
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, est.predict_proba(X32), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("labels", [np.array([1.0, 3.0]), np.array([False, True])])
def test_float_and_bool_class_labels(labels):
    X, y = _classification("binary", np.float64)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[:N_TRAIN], labels[y[:N_TRAIN]])
    label, _ = _run(to_onnx(est), X[N_TRAIN:])
    assert label.dtype == labels.dtype
    np.testing.assert_array_equal(label, est.predict(X[N_TRAIN:]))


def test_docs_snippets_run(tmp_path, monkeypatch):
    """The python blocks of docs/persistence.md's ONNX section, in order."""
    import pathlib
    import re

    doc = pathlib.Path(__file__).parents[1] / "docs" / "persistence.md"
    if not doc.exists():
        pytest.skip("docs/ not shipped")
    section = doc.read_text().split("## ONNX", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for block in blocks[:2]:  # the last one needs a user's activation class
            exec(compile(block, str(doc), "exec"), namespace)
    assert (tmp_path / "digits_mlp.onnx").exists()
    assert "onx" in namespace


def test_importing_export_loads_no_onnx_package():
    import subprocess
    import sys

    code = (
        "import sys, sklearn_adamlp.export; "
        "print(sorted(m for m in ('onnx', 'skl2onnx', 'onnxruntime') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
