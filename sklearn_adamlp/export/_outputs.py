"""A classifier's ONNX outputs: labels and probabilities or decision scores.

From the averaged output activations ``out`` (n, n_outputs), as ``predict``,
``predict_proba`` and ``decision_function`` compute them:

- multiclass: ``label = classes_[argmax(out, axis=1)]`` (first maximum on ties);
- binary (one output): ``label = classes_[out > threshold]``;
- multilabel: ``label = (out > threshold)`` as 0/1 integers, one column per label;
- probabilities (log loss): ``[1 - out, out]`` for binary, ``out`` otherwise;
- scores (losses without probabilities, e.g. hinge): ``out``, a column vector
  raveled for binary as ``decision_function`` returns it.

``threshold`` is the loss's (0 for the hinge's raw scores), 0.5 otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp import losses
from sklearn_adamlp.export import _fitted
from sklearn_adamlp.export._graph import Graph


def probabilistic(est: Any) -> bool:
    """Whether the classifier's outputs are probabilities (softmax or logistic)."""
    return est.out_activation_ in ("softmax", "logistic")


def threshold(est: Any) -> float:
    """Return the cut on ``out`` for binary and multilabel labels (as ``predict``)."""
    t = getattr(losses.get(est.loss), "threshold", None)
    return 0.5 if t is None else float(t)


def kind(est: Any) -> str:
    """'multiclass', 'binary' (one output, two classes) or 'multilabel'."""
    y_type = _fitted.target_type(est)
    if y_type == "multiclass":
        return "multiclass"
    if y_type == "binary" and len(est.classes_) == 2 and est.n_outputs_ == 1:
        return "binary"
    if y_type == "multilabel-indicator":
        return "multilabel"
    raise ValueError(
        f"a classifier fitted on a {y_type!r} target with classes "
        f"{est.classes_!r} has no ONNX export."
    )


def label_dtype(est: Any) -> np.dtype:
    """Return the label tensor's type: int64, string, float64 or bool."""
    if kind(est) == "multilabel":
        return np.dtype(np.int64)
    classes = np.asarray(est.classes_)
    if classes.dtype.kind in "iu":
        return np.dtype(np.int64)
    if classes.dtype.kind == "f":
        return np.dtype(np.float64)
    if classes.dtype.kind == "b":
        return np.dtype(np.bool_)
    if all(isinstance(c, str) for c in classes.tolist()):
        return np.dtype(str)
    raise ValueError(
        f"class labels must be all integers, floats, booleans or strings for an "
        f"ONNX export; got classes_ {est.classes_!r}."
    )


def output_shapes(est: Any, n: Any) -> tuple[list, list]:
    """Shapes of the label and probability (or score) outputs for ``n`` rows."""
    k = kind(est)
    label = [n, est.n_outputs_] if k == "multilabel" else [n]
    if k != "binary":
        return label, [n, est.n_outputs_]
    return label, [n, 2] if probabilistic(est) else [n]


def classifier_outputs(g: Graph, est: Any, out: str, names: list[str]) -> None:
    """Write the label (``names[0]``) and probabilities/scores (``names[1]``)."""
    k = kind(est)
    if k == "multiclass":
        idx = g.op("ArgMax", out, axis=1, keepdims=0)
    else:
        above = g.op("Greater", out, g.const(threshold(est)))
        idx = g.op("Cast", above, to=7)  # int64
    if k == "multilabel":
        g.op("Identity", idx, output=names[0])
    else:
        if k == "binary":
            idx = g.op("Reshape", idx, g.const([-1], dtype=np.int64))
        classes = np.asarray(est.classes_).astype(label_dtype(est))
        g.op("Gather", g.const(classes, dtype=classes.dtype), idx, output=names[0])
    if k == "binary" and probabilistic(est):
        g.op("Concat", g.op("Sub", g.const(1.0), out), out, axis=1, output=names[1])
    elif k == "binary":
        g.op("Reshape", out, g.const([-1], dtype=np.int64), output=names[1])
    else:
        g.op("Identity", out, output=names[1])
