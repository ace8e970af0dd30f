"""Export fitted networks to ONNX (needs the ``onnx`` extra).

``to_onnx(estimator)`` returns an ``onnx.ModelProto`` whose outputs equal
``predict`` and ``predict_proba`` (or ``decision_function``), ready for
onnxruntime or any ONNX serving runtime. ``register_converters()`` registers the
converters with skl2onnx, so ``skl2onnx.to_onnx`` converts pipelines holding an
``MLPClassifier`` or ``MLPRegressor``. ``register_activation(cls)`` gives a
user-registered activation class its ONNX form. See docs/persistence.md.

onnx and skl2onnx are imported inside the functions only: importing this module
needs neither.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp.export._activations import register_activation

EXTRA_HINT = 'pip install "sklearn-adamlp[onnx]"'


def _require_skl2onnx() -> None:
    try:
        import onnx  # noqa: F401
        import skl2onnx  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"ONNX export needs the onnx and skl2onnx packages ({exc.name} is "
            f"missing): {EXTRA_HINT}"
        ) from exc


def register_converters() -> None:
    """Register ``MLPClassifier``/``MLPRegressor`` converters with skl2onnx.

    Call it once before ``skl2onnx.to_onnx`` converts a pipeline that holds
    one of them; ``to_onnx`` here calls it itself.

    Raises
    ------
    ImportError
        When skl2onnx or onnx is not installed (the ``onnx`` extra).
    """
    _require_skl2onnx()
    from sklearn_adamlp.export import _convert

    _convert.register_converters()


def to_onnx(
    estimator: Any, X_sample: Any = None, *, target_opset: int | None = None
) -> Any:
    """Convert a fitted ``MLPClassifier`` or ``MLPRegressor`` to ONNX.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Fitted. Every activation of ``sklearn_adamlp.activations`` (one or a
        list per hidden layer), batch norm (folded into the weights with the
        running statistics), dropout (absent at inference) and snapshot
        ensembles (the members ``predict`` averages) are supported.
    X_sample : array-like of shape (n_samples, n_features), default=None
        Its width is checked against ``n_features_in_`` and its dtype (float32
        or float64) is the input tensor's; default: the network's own dtype.
        The graph casts the input to the network's dtype, as ``predict`` does.
    target_opset : int, default=None
        ONNX opset (at least 13); default: the newest one skl2onnx supports.

    Returns
    -------
    onnx.ModelProto
        Input ``X`` of shape ``(None, n_features_in_)``. A classifier has the
        outputs ``label`` (``predict``) and ``probabilities``
        (``predict_proba``) or, for a loss without probabilities (hinge),
        ``scores`` (``decision_function``); a regressor ``variable`` of shape
        ``(None, n_outputs_)`` (``predict``). Float outputs have the network's
        dtype (float64 networks export with double tensors).

    Raises
    ------
    ImportError
        Without the ``onnx`` extra (``pip install "sklearn-adamlp[onnx]"``).
    ValueError
        For an unfitted estimator, an activation without an ONNX form (named
        in the message), a width mismatch of ``X_sample``, or an opset below 13.
    """
    from sklearn_adamlp._validation import check_is_fitted
    from sklearn_adamlp.export._convert import model_dtype

    check_is_fitted(estimator, "coefs_")
    if target_opset is not None and int(target_opset) < 13:
        raise ValueError(f"target_opset must be at least 13, got {target_opset}.")
    register_converters()
    from skl2onnx import to_onnx as _skl2onnx_to_onnx
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    dtype = model_dtype(estimator)
    if X_sample is not None:
        X_sample = np.asarray(X_sample)
        if X_sample.ndim != 2 or X_sample.shape[1] != estimator.n_features_in_:
            raise ValueError(
                f"X_sample has shape {X_sample.shape}; the estimator expects "
                f"(n_samples, {estimator.n_features_in_})."
            )
        if X_sample.dtype in (np.float32, np.float64):
            dtype = X_sample.dtype
    tensor = DoubleTensorType if dtype == np.float64 else FloatTensorType
    options = (
        {id(estimator): {"zipmap": False}} if hasattr(estimator, "classes_") else None
    )
    return _skl2onnx_to_onnx(
        estimator,
        initial_types=[("X", tensor([None, estimator.n_features_in_]))],
        target_opset=target_opset,
        options=options,
    )


__all__ = ["register_activation", "register_converters", "to_onnx"]
