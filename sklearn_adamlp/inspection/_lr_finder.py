"""``find_lr``: the learning-rate range test (Smith 2017).

On a clone of the estimator, step ``k = 0, 1, ..., num - 1`` takes one
mini-batch (the estimator's ``batch_size``, in a shuffled order; passes over
the data repeat, reshuffled, when ``num`` exceeds one pass) at the rate::

    lr_k = start * (stop / start) ** (k / (num - 1))

and records ``l_k``, the training loss of that mini-batch before its step
(what the fit's ``loss_`` reports, penalties included). The losses are
smoothed by an exponential moving average with bias correction::

    avg_k = smooth * avg_{k-1} + (1 - smooth) * l_k,     avg_{-1} = 0
    s_k   = avg_k / (1 - smooth ** (k + 1))

and the sweep stops after the first step with ``s_k > diverge * min_{j<=k} s_j``
(or a non-finite loss). The suggested rate is one tenth of the rate at the
lowest smoothed loss, ``lr_min / 10``: the rule Smith (2018) gives in words
(a rate an order of magnitude below where the loss stops falling) and fast.ai's
``lr_find`` reports as ``minimum``; ``lr_steepest``, the rate where the
smoothed loss falls fastest per decade, is reported beside it.

References
----------
Smith, L. N. (2017). "Cyclical Learning Rates for Training Neural Networks".
WACV. (The range test.)

Smith, L. N. (2018). "A disciplined approach to neural network
hyper-parameters: Part 1 -- learning rate, batch size, momentum, and weight
decay". arXiv:1803.09820.

Howard, J. & Gugger, S. (2020). "Fastai: A Layered API for Deep Learning".
Information 11(2), 108. (The smoothed loss with bias correction.)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_array

from sklearn_adamlp._estimators._base import BaseMLP
from sklearn_adamlp.optimizers import OPTIMIZERS, available

SUGGESTION_RULE = "lr_min / 10: one tenth of the rate at the lowest smoothed loss"


@dataclass
class LRFinderResult:
    """What the learning-rate range test measured.

    Attributes
    ----------
    learning_rates : ndarray of shape (n_steps,)
        ``lr_k`` of each step taken (``n_steps <= num``).
    losses : ndarray of shape (n_steps,)
        The mini-batch training loss before each step.
    smoothed_losses : ndarray of shape (n_steps,)
        Their bias-corrected exponential moving average.
    suggestion : float
        ``lr_min / 10`` (see ``suggestion_rule``).
    suggestion_rule : str
        The rule that gave ``suggestion``.
    lr_min : float
        The rate at the lowest smoothed loss.
    lr_steepest : float
        The rate where the smoothed loss falls fastest against ``log10(lr)``
        (``numpy.gradient``), before its minimum.
    diverged : bool
        Whether the sweep stopped early on divergence.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggestion: float
    suggestion_rule: str
    lr_min: float
    lr_steepest: float
    diverged: bool


def _check_args(start, stop, num, smooth, diverge) -> None:
    def real(v) -> bool:
        return isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)

    if not (real(start) and real(stop) and 0 < start < stop):
        raise ValueError(
            f"start and stop must be finite with 0 < start < stop; got "
            f"start={start!r}, stop={stop!r}."
        )
    if not isinstance(num, Integral) or isinstance(num, bool) or num < 2:
        raise ValueError(f"num must be an integer >= 2, got {num!r}.")
    if not (real(smooth) and 0 <= smooth < 1):
        raise ValueError(f"smooth must be in [0, 1), got {smooth!r}.")
    if not (real(diverge) and diverge > 1):
        raise ValueError(f"diverge must be a number > 1, got {diverge!r}.")


def _sweep_model(estimator, X, y):
    """Return ``(model, X)``: an unfitted clone to sweep and its input."""
    if isinstance(estimator, Pipeline):
        pipe = clone(estimator)
        model = pipe.steps[-1][1]
        if len(pipe.steps) > 1:
            X = pipe[:-1].fit_transform(X, y)  # the earlier steps, fitted once
    else:
        model = clone(estimator)
    if not isinstance(model, BaseMLP):
        raise TypeError(
            "find_lr expects an MLPClassifier or MLPRegressor of sklearn_adamlp "
            f"(or a Pipeline ending in one), got {type(model).__name__}."
        )
    spec = OPTIMIZERS.get(model.solver)
    if hasattr(spec, "minimize"):
        steppers = [
            n for n in available() if not hasattr(OPTIMIZERS.get(n), "minimize")
        ]
        raise ValueError(
            f"find_lr sweeps the rate of a stepping solver; solver={model.solver!r} "
            f"is a full-batch minimizer without a learning rate to sweep. Use one "
            f"of {steppers}."
        )
    return model, X


def _batch_size(model: BaseMLP, n: int) -> int:
    size = model.batch_size
    size = min(200, n) if size == "auto" else n if size == "full" else int(size)
    return max(1, min(size, n))


def _batches(n: int, size: int, rng):
    """Yield index arrays of shuffled mini-batches, pass after pass.

    An incomplete last batch of a pass is dropped (unless it is the only one).
    """
    while True:
        order = rng.permutation(n)
        stops = range(size, n + 1, size) if n >= size else [n]
        for stop in stops:
            yield order[stop - size : stop]


def _set_rate(model: BaseMLP, lr: float) -> None:
    if isinstance(model.solver, str | type):
        model.set_params(learning_rate_init=lr)
    else:  # an optimizer object keeps its own rate
        model.set_params(solver__learning_rate=lr)


def _suggest(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """Return ``(lr_min, lr_steepest)`` of the smoothed curve."""
    i_min = int(np.argmin(smoothed))
    lr_min = float(lrs[i_min])
    if i_min < 1:
        return lr_min, lr_min
    slope = np.gradient(smoothed[: i_min + 1], np.log10(lrs[: i_min + 1]))
    return lr_min, float(lrs[int(np.argmin(slope))])


def _sweep(model, X, y, rates, smooth, diverge, rng):
    """Run the steps; return ``(losses, smoothed, diverged)`` as lists."""
    classes = unique_labels(y) if is_classifier(model) else None
    batches = _batches(X.shape[0], _batch_size(model, X.shape[0]), rng)
    model.set_params(batch_size="full")  # each partial_fit call: one step
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best = 0.0, math.inf
    for k, lr in enumerate(rates):
        rows = next(batches)
        _set_rate(model, float(lr))
        extra = {"classes": classes} if k == 0 and classes is not None else {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model.partial_fit(X[rows], y[rows], **extra)
        curve = model.loss_curve_
        if len(curve) != k + 1 or not math.isfinite(curve[-1]):
            return losses, smoothed, True  # the step's loss was not finite
        losses.append(float(curve[-1]))
        avg = smooth * avg + (1 - smooth) * losses[-1]
        smoothed.append(avg / (1 - smooth ** (k + 1)))
        best = min(best, smoothed[-1])
        if k > 0 and smoothed[-1] > diverge * best:
            return losses, smoothed, True
    return losses, smoothed, False


def find_lr(
    estimator,
    X,
    y,
    *,
    start: float = 1e-7,
    stop: float = 10,
    num: int = 100,
    smooth: float = 0.98,
    diverge: float = 4.0,
    random_state=None,
) -> LRFinderResult:
    """Learning-rate range test: the loss over exponentially growing rates.

    Sweeps the learning rate of a clone of ``estimator`` over ``num`` steps,
    one mini-batch per step, from ``start`` to ``stop`` (geometrically), and
    stops when the smoothed loss exceeds ``diverge`` times its lowest value;
    see the module docstring for the equations and the suggestion rule.
    ``estimator`` itself is never changed (fitted or not).

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        With a stepping solver (any of ``sklearn_adamlp.optimizers.available()``
        without a ``minimize`` method). A Pipeline's earlier steps are cloned
        and fitted once on ``(X, y)``; its last step is swept. The clone's
        ``learning_rate`` schedule is replaced by the sweep, its callbacks,
        early stopping and parallel strategy are off; an optimizer object's
        own ``learning_rate`` is swept (``solver__learning_rate``).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    start, stop : float, default=1e-7, 10
        First and last rate, ``0 < start < stop``.
    num : int, default=100
        Number of steps (rates).
    smooth : float, default=0.98
        Weight of the past in the moving average, in [0, 1).
    diverge : float, default=4.0
        Stop when the smoothed loss exceeds ``diverge`` times its minimum.
    random_state : int, RandomState instance or None, default=None
        Seeds the order of the mini-batches and, when given, becomes the
        clone's ``random_state`` (its initialization, dropout); None keeps
        the estimator's.

    Returns
    -------
    LRFinderResult
    """
    _check_args(start, stop, num, smooth, diverge)
    model, X = _sweep_model(estimator, X, y)
    X = check_array(X, accept_sparse="csr", dtype=(np.float64, np.float32))
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} rows but X has {X.shape[0]}.")
    rng = check_random_state(random_state)
    model.set_params(
        warm_start=False,
        learning_rate="constant",
        callbacks=None,
        early_stopping=False,
        parallel=None,
        verbose=False,
    )
    if random_state is not None:
        model.set_params(random_state=random_state)
    rates = start * (stop / start) ** (np.arange(num) / (num - 1))
    losses, smoothed, diverged = _sweep(model, X, y, rates, smooth, diverge, rng)
    if not losses:
        raise ValueError(
            f"The loss was not finite at the first step (learning rate {start:g}); "
            "scale the input features (e.g. StandardScaler) or lower start."
        )
    lrs = rates[: len(losses)]
    smoothed_arr = np.asarray(smoothed)
    lr_min, lr_steep = _suggest(lrs, smoothed_arr)
    return LRFinderResult(
        learning_rates=lrs,
        losses=np.asarray(losses),
        smoothed_losses=smoothed_arr,
        suggestion=lr_min / 10,
        suggestion_rule=SUGGESTION_RULE,
        lr_min=lr_min,
        lr_steepest=lr_steep,
        diverged=diverged,
    )
