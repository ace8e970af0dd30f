"""The skl2onnx converter of ``MLPClassifier`` and ``MLPRegressor``.

The graph mirrors ``predict``: for each weight set ``k`` of the ensemble
(``_fitted.weight_sets``: the final weights, then the snapshots averaged with
them; batch norm folded in, dropout absent as in every inference pass)::

    a_0 = X,   a_{l+1} = phi_l(a_l @ W_l + b_l),   out_k = phi_out(a_{L-1} @ W + b)
    out = (out_1 + ... + out_m) / m

then the outputs of ``predict`` and ``predict_proba`` / ``decision_function``
(module ``_outputs``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp import activations
from sklearn_adamlp.export import _activations, _fitted, _outputs
from sklearn_adamlp.export._graph import Graph, onnx_type

_OUT_OPS = ("identity", "logistic", "exp", "softmax")


def model_dtype(est: Any) -> np.dtype:
    """Return the float type of the fitted network (float32 or float64)."""
    return np.dtype(est.coefs_[0].dtype)


def _check_output(est: Any) -> None:
    if est.out_activation_ not in _OUT_OPS:
        raise ValueError(
            f"out_activation_={est.out_activation_!r} has no ONNX form; "
            f"supported: {list(_OUT_OPS)}."
        )


def _network(g: Graph, x: str, ws: _fitted.WeightSet, acts: list, out_act: str) -> str:
    """Add one weight set's forward pass; return the output activations' name."""
    a = x
    last = len(ws.coefs) - 1
    for l, (W, b) in enumerate(zip(ws.coefs, ws.intercepts, strict=True)):
        z = g.op("MatMul", a, g.const(W, name="coef"))
        z = g.op("Add", z, g.const(b.reshape(1, -1), name="intercept"))
        a = _activations.emit(g, z, acts[l]) if l < last else z
    if out_act == "softmax":
        return g.op("Softmax", a, axis=1)
    if out_act == "exp":
        return g.op("Exp", a)
    return _activations.emit(g, a, activations.get(out_act))


def ensemble_output(g: Graph, x: str, est: Any) -> str:
    """Return the averaged output activations of ``est``'s ensemble for input ``x``."""
    _check_output(est)
    acts = _fitted.hidden_activations(est)
    outs = [
        _network(g, x, ws, acts, est.out_activation_) for ws in _fitted.weight_sets(est)
    ]
    out = outs[0]
    for other in outs[1:]:  # summed in predict's order, then divided
        out = g.op("Add", out, other)
    if len(outs) > 1:
        out = g.op("Div", out, g.const(float(len(outs))))
    return out


def _cast_input(g: Graph, operator: Any) -> str:
    x = operator.inputs[0]
    if onnx_type_of(x.type) == g.float_type:
        return x.full_name
    return g.op("Cast", x.full_name, to=g.float_type)


def onnx_type_of(var_type: Any) -> int | None:
    """ONNX element type of a skl2onnx variable type (None if unknown)."""
    from skl2onnx.common.data_types import guess_proto_type

    try:
        return guess_proto_type(var_type)
    except NotImplementedError:
        return None


def convert(scope: Any, operator: Any, container: Any) -> None:
    """skl2onnx converter: write the nodes of ``operator.raw_operator``."""
    est = operator.raw_operator
    g = Graph(scope, container, model_dtype(est))
    out = ensemble_output(g, _cast_input(g, operator), est)
    names = [v.full_name for v in operator.outputs]
    if not hasattr(est, "classes_"):
        g.op("Identity", out, output=names[0])
        return
    _outputs.classifier_outputs(g, est, out, names)


def calculate_shapes(operator: Any) -> None:
    """skl2onnx shape calculator: types and shapes of the outputs."""
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_types

    check_input_and_output_types(
        operator,
        good_input_types=[
            BooleanTensorType,
            DoubleTensorType,
            FloatTensorType,
            Int64TensorType,
        ],
    )
    est = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    float_type = DoubleTensorType if model_dtype(est) == np.float64 else FloatTensorType
    if not hasattr(est, "classes_"):
        operator.outputs[0].type = float_type([n, est.n_outputs_])
        return
    label, scores = _outputs.output_shapes(est, n)
    types = {
        onnx_type(np.int64): Int64TensorType,
        onnx_type(str): StringTensorType,
        onnx_type(np.float64): DoubleTensorType,
        onnx_type(np.bool_): BooleanTensorType,
    }
    operator.outputs[0].type = types[onnx_type(_outputs.label_dtype(est))](label)
    operator.outputs[1].type = float_type(scores)


def skl2onnx_classifier_parser() -> Any:
    """Return skl2onnx's own parser of a classifier's outputs (zipmap option).

    The one use of a private name of skl2onnx in the package: skl2onnx (up to
    1.20 at least) has no public form of its classifier parser, which its
    ``update_registered_converter`` registers for a converter declaring the
    ``zipmap`` option. If skl2onnx moves it, this is the line to change.
    """
    from skl2onnx._parse import _parse_sklearn_classifier  # private: no public one

    return _parse_sklearn_classifier


def parse_classifier(
    scope: Any, model: Any, inputs: list, custom_parsers: Any = None
) -> list:
    """skl2onnx parser: ``label`` and ``probabilities`` (or ``scores`` for hinge).

    A probabilistic classifier goes through skl2onnx's classifier parser (so
    the ``zipmap`` option applies, as for scikit-learn's MLPClassifier); one
    with raw scores declares ``label`` and ``scores`` without ZipMap.
    """
    from skl2onnx import get_model_alias
    from skl2onnx.common.data_types import Int64TensorType, guess_tensor_type

    if _outputs.probabilistic(model):
        parse = skl2onnx_classifier_parser()
        return parse(scope, model, inputs, custom_parsers)
    op = scope.declare_local_operator(get_model_alias(type(model)), model)
    op.inputs = inputs
    label = scope.declare_local_variable("label", Int64TensorType())
    scores = scope.declare_local_variable("scores", guess_tensor_type(inputs[0].type))
    op.outputs.extend([label, scores])
    return op.outputs


def register_converters() -> None:
    """Register the converters of ``MLPClassifier`` and ``MLPRegressor`` with skl2onnx.

    After this call ``skl2onnx.to_onnx`` converts pipelines that contain them
    (``sklearn_adamlp.export.to_onnx`` calls it itself). Calling it again is
    harmless.
    """
    from skl2onnx import update_registered_converter

    from sklearn_adamlp import MLPClassifier, MLPRegressor

    update_registered_converter(
        MLPClassifier,
        "SklearnAdamlpMLPClassifier",
        calculate_shapes,
        convert,
        parser=parse_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )
    update_registered_converter(
        MLPRegressor, "SklearnAdamlpMLPRegressor", calculate_shapes, convert
    )
