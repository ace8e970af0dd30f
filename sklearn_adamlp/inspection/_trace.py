"""``trace_layers``: every layer's activations and gradients of a fitted model."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sklearn_adamlp._estimators import fitted_parts
from sklearn_adamlp.inspection import _forward, _stats
from sklearn_adamlp.inspection._input import (
    check_weights,
    encode_target,
    final_step,
    probe_X,
)


@dataclass
class LayerTrace:
    """Per-layer arrays of one pass of a fitted network over ``X``.

    Layer ``l`` is weight layer ``l``: hidden layers ``0 .. L-2``, then the
    output layer. Every list has one entry per layer.

    Attributes
    ----------
    layer_names : list of str
        ``"hidden 1"``, ..., ``"hidden L-1"``, ``"output"``.
    activation_names : list of str
        Each layer's activation; the output layer's is the output activation
        (``'softmax'``, ``'logistic'``, ``'identity'``, ...).
    pre_activations : list of ndarray of shape (n_samples, units)
        The argument of each layer's activation: ``X_l @ W_l + b_l``, after
        batch normalization when the model has it.
    activations : list of ndarray of shape (n_samples, units)
        ``phi_l(pre_activations[l])``; for the output layer the outputs (e.g.
        softmax probabilities). With dropout and ``training=True``, before the
        mask: the next layer receives ``activations[l] * dropout_masks[l]``.
    dropout_masks : list of (ndarray or None)
        One per hidden layer: the inverted-dropout mask ``m`` (entries 0 or
        ``1 / (1 - p)``) of a training pass, None when no mask was drawn.
    grad_pre_activations : list of ndarray or None
        ``dL/d pre_activations[l]`` of the training objective ``L`` (below);
        None when no targets were given.
    grad_weights, grad_biases : list of ndarray or None
        ``dL/dW_l`` and ``dL/db_l``, shaped like ``weights`` and ``biases``.
    weights, biases : list of ndarray
        Copies of ``coefs_`` and ``intercepts_``.
    loss : float or None
        The objective ``L``: the sample mean of the per-sample losses plus
        the penalties (``0.5 * alpha * ||W||**2 / n`` and ``l1 * |W| / n``),
        the quantity a fit descends and reports as ``loss_``.
    """

    layer_names: list
    activation_names: list
    pre_activations: list
    activations: list
    dropout_masks: list
    grad_pre_activations: list | None
    grad_weights: list | None
    grad_biases: list | None
    weights: list
    biases: list
    loss: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return one row per layer (index ``layer``) of summary statistics.

        Columns ``mean``, ``std``, ``saturated``, ``dead``, ``zero_fraction``,
        ``grad_norm``, ``weight_norm``; their rules are in
        ``sklearn_adamlp.inspection._stats`` and docs/inspection.md
        (saturated: logistic ``a < 0.05 or a > 0.95``, tanh ``|a| > 0.9``,
        NaN for unbounded activations; dead: the fraction of units that are 0
        on every row).
        """
        return _stats.layer_frame(
            self.layer_names,
            self.activation_names,
            self.activations,
            self.weights,
            self.grad_weights,
        )


def trace_network(
    net, flat, X, Y=None, *, training=False, random_state=None, sample_weight=None
):
    """``LayerTrace`` of network ``net`` at parameters ``flat`` (checked inputs)."""
    p = _forward.forward(
        net,
        flat,
        X,
        training=training,
        random_state=random_state,
        sample_weight=sample_weight,
    )
    W, b = net.layout.views(flat)
    n_hidden = len(net.activations)
    loss = grad_pre = gW = gb = None
    if Y is not None:
        loss, grad_pre, gW, gb = _forward.backward(net, flat, p, Y)
    return LayerTrace(
        layer_names=[f"hidden {l + 1}" for l in range(n_hidden)] + ["output"],
        activation_names=[a.name for a in net.activations]
        + [net.loss.out_activation.name],
        pre_activations=p.pre,
        activations=p.act,
        dropout_masks=p.masks,
        grad_pre_activations=grad_pre,
        grad_weights=gW,
        grad_biases=gb,
        weights=[w.copy() for w in W],
        biases=[v.copy() for v in b],
        loss=loss,
    )


def trace_layers(
    estimator, X, y=None, *, training=False, random_state=None, sample_weight=None
):
    """Every layer's pre-activations, activations and gradients on ``X``.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline ending in one (``X`` goes
        through the earlier steps' ``transform`` first).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Targets; with them the gradients of the training objective are
        computed (back-propagation), without them only the forward pass.
    training : bool, default=False
        False: an inference pass as ``predict`` (batch norm with its running
        statistics, no dropout). True: a training pass (batch norm with the
        statistics of ``X``, dropout masks drawn); the estimator is not
        changed either way.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the dropout masks of a training pass.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows in the objective (and in the batch statistics of
        a training pass), as in ``fit``; for a model fitted with
        ``class_weight``, pass ``sklearn.utils.class_weight.
        compute_sample_weight(class_weight, y)`` to trace its objective.

    Returns
    -------
    LayerTrace
        With ``to_frame()`` for one row of statistics per layer.

    Notes
    -----
    The gradient is that of the objective a fit descends, over all of ``X``
    as one batch, with ``S = sum_i s_i`` (``s_i = 1`` without sample weights)::

        L = sum_i s_i * loss(y_i, out_i) / S + 0.5 * alpha * sum_l ||W_l||**2 / S
            + l1 * sum_l |W_l| / S

    so ``grad_weights`` include the penalties' gradients; step transforms
    (``clip_norm``, ``gradient_noise``, ``weight_decay``, ``max_norm``) act
    on a step, not on the objective, and are not included. A snapshot
    ensemble's other weights are not traced: only ``coefs_``/``intercepts_``.
    """
    model, X = final_step(estimator, X)
    X = probe_X(model, X)
    Y = None if y is None else encode_target(model, y, X.shape[0])
    if sample_weight is not None:
        sample_weight = check_weights(sample_weight, X)
    parts = fitted_parts(model)
    return trace_network(
        parts.network,
        parts.flat,
        X,
        Y,
        training=bool(training),
        random_state=random_state,
        sample_weight=sample_weight,
    )


__all__ = ["LayerTrace", "trace_layers", "trace_network"]
