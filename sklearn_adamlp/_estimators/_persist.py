"""How a fitted estimator is saved and loaded (pickle, joblib, skops).

``__getstate__`` returns the estimator's ``__dict__`` with its working objects
(network, optimizer, history, training state, stopping rule, random
generators) replaced by plain data (``_persist_state``) under one key, plus the
sklearn-adamlp version; ``__setstate__`` warns when that version differs from
the running one and rebuilds the objects. Buffers and caches (the
``coefs_`` views, the ``history_`` frame, a fit's training data) are not saved.

The same mixin owns the random stream a fit draws from: a warm-started fit or
``partial_fit`` continues the generator (and the shuffled row order) the
previous fit left, and a saved estimator carries both, so a fit resumed from a
checkpoint shuffles as the uninterrupted fit would have.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn
from sklearn.utils import check_random_state

from sklearn_adamlp import _version, regularizers
from sklearn_adamlp._estimators import _build
from sklearn_adamlp._estimators import _persist_state as plain
from sklearn_adamlp._estimators._progress import LEGACY_ATTRIBUTES, Progress
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.exceptions import InconsistentVersionWarning
from sklearn_adamlp.layout import aligned_empty
from sklearn_adamlp.network import Network

#: key of the saved sklearn-adamlp version in the state
VERSION_KEY = "_sklearn_adamlp_version"
#: key of the working objects' plain form in the state
PLAIN_KEY = "_fitted_plain"
#: version of the layout of ``PLAIN_KEY``
FORMAT = 1

#: views and caches rebuilt on load; ``_grad`` and ``_callback_data``: attributes
#: of earlier releases (a work buffer and a fit's training data), dropped
_DROPPED = ("_coefs", "_intercepts", "_grad", "_history_frame", "_callback_data")

#: attribute -> (to plain, from plain) for the working objects
_CONVERTERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "_history": (plain.history_to_plain, plain.history_from_plain),
    "_state": (plain.train_state_to_plain, plain.train_state_from_plain),
    "_stopper": (plain.callback_to_plain, plain.callback_from_plain),
    "optimizer_": (plain.optimizer_to_plain, plain.optimizer_from_plain),
    "_rng": (plain.random_state_to_plain, plain.random_state_from_plain),
}


class PersistMixin:
    """Plain-data ``__getstate__``/``__setstate__`` and the fit's random stream."""

    # what the mixin reads of the estimator: constructor parameters, the working
    # objects a fit builds (``BaseMLP._initialize``) and ``FlatBufferMixin``
    alpha: float
    l1: float
    random_state: int | np.random.RandomState | None
    _flat: FloatArray
    _network: Network
    _progress: Progress
    _set_views: Callable[[], None]

    # --- saving and loading ------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        # a copy: BaseEstimator.__getstate__ may hand back the live __dict__
        base_state = super().__getstate__()
        assert isinstance(base_state, dict)  # BaseEstimator's: the instance dict
        state = dict(base_state)
        for key in _DROPPED:
            state.pop(key, None)
        progress = state.pop("_progress", None)
        if progress is not None:  # saved as the separate parts it groups
            for attr, name in LEGACY_ATTRIBUTES.items():
                state[attr] = getattr(progress, name)
        objects: dict[str, Any] = {"format": FORMAT, "sklearn": sklearn.__version__}
        for key, (to_plain, _) in _CONVERTERS.items():
            if key in state:
                objects[key] = to_plain(state.pop(key))
        if "_network" in state:
            objects["_network"] = plain.network_to_plain(state.pop("_network"))
        if "_schedule_callbacks" in state:
            objects["_schedule_callbacks"] = [
                plain.callback_to_plain(cb) for cb in state.pop("_schedule_callbacks")
            ]
        state[PLAIN_KEY] = objects
        state[VERSION_KEY] = _version.__version__
        state["_user_registrations"] = _build.user_registrations(self)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        self._warn_version(state.pop(VERSION_KEY, None))
        _build.restore_registrations(state.pop("_user_registrations", []))
        objects = state.pop(PLAIN_KEY, None)
        for name in [
            k for k in state if isinstance(getattr(type(self), k, None), property)
        ]:
            del state[name]  # stored by earlier releases, derived now (loss_curve_)
        super().__setstate__(state)  # type: ignore[misc]
        self._default_missing_params()
        if objects is not None:
            self._rebuild(objects)
        progress = Progress.from_attributes(self.__dict__)
        if progress is not None:
            self._progress = progress
        if "_flat" in state:
            flat = aligned_empty(self._flat.size, self._flat.dtype)
            flat[...] = self._flat  # an unpickled array starts anywhere
            self._flat = flat
            self._set_views()

    def _warn_version(self, saved: str | None) -> None:
        current = _version.__version__
        if saved != current:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=current,
                    original_version="unknown (before 0.2)" if saved is None else saved,
                ),
                stacklevel=3,
            )

    def _default_missing_params(self) -> None:
        """Give constructor parameters the saved model predates their default."""
        signature = inspect.signature(type(self).__init__)
        for name, param in signature.parameters.items():
            if name != "self" and name not in self.__dict__:
                setattr(self, name, param.default)

    def _rebuild(self, objects: dict[str, Any]) -> None:
        if objects.get("format", FORMAT) > FORMAT:
            raise ValueError(
                f"This {type(self).__name__} was saved by a newer sklearn-adamlp "
                f"(state format {objects['format']}, this version reads up to "
                f"{FORMAT}); upgrade sklearn-adamlp to load it."
            )
        for key, (_, from_plain) in _CONVERTERS.items():
            if key in objects:
                setattr(self, key, from_plain(objects[key]))
        if "_network" in objects:
            penalties = regularizers.penalties(self.alpha, self.l1)
            self._network = plain.network_from_plain(objects["_network"], penalties)
        if "_schedule_callbacks" in objects:
            self._schedule_callbacks = [
                plain.callback_from_plain(cb) for cb in objects["_schedule_callbacks"]
            ]
        # "history_lists", in states saved while loss_curve_ and
        # validation_scores_ were lists of their own, is ignored: both are
        # properties reading the history now

    # --- the random stream of fits -------------------------------------------------

    def _fit_rng(self, first_pass: bool) -> np.random.RandomState:
        """Return the generator a fit draws from (init, shuffling, dropout seed).

        A first fit starts it from ``random_state``; a warm-started fit or
        ``partial_fit`` continues the one the previous fit left (loaded with
        the estimator), so splitting a fit into several, or resuming one from
        a checkpoint, shuffles as one uninterrupted fit does.
        """
        progress = self.__dict__.get("_progress")
        if first_pass or progress is None:
            return check_random_state(self.random_state)
        return progress.rng

    def _split_rng(self, rng: np.random.RandomState) -> np.random.RandomState:
        """Return the generator of the early-stopping split: the first fit's.

        The first fit records the state its split started from; later
        warm-started fits split from that state again, so they hold out the
        same rows (validation rows never become training rows) and leave the
        fit's stream where an uninterrupted fit would have it.
        """
        progress = self._progress
        saved = progress.split_state
        if saved is None:
            progress.split_state = rng.get_state(legacy=False)
            return rng
        split = np.random.RandomState()
        split.set_state(saved)
        return split


# --- callbacks that need the estimator (checkpoints) ------------------------------


def bind_callbacks(est: Any, callbacks: Any) -> list:
    """Return the callbacks, those with ``needs_estimator`` bound to ``est``."""
    return [
        EstimatorBound(cb, est) if getattr(cb, "needs_estimator", False) else cb
        for cb in callbacks or []
    ]


class EstimatorBound:
    """A callback that receives the estimator (``estimator=``) with each hook.

    Before ``on_epoch_end`` the estimator's fitted attributes are brought up to
    date with the epoch that just ended (``n_iter_`` counts this fit's epochs),
    so what the callback saves is a complete fitted estimator: loaded, it
    predicts with these weights and continues training from here.
    """

    def __init__(self, callback: Any, estimator: Any) -> None:
        self.callback = callback
        self.estimator = estimator
        self._first_epoch = 0

    def _call(self, hook: str, *args: Any) -> Any:
        method = getattr(self.callback, hook, None)
        if method is None:
            return None
        return method(*args, estimator=self.estimator)

    def on_fit_begin(self, ctx: Any) -> Any:
        self._first_epoch = ctx.state.epochs
        return self._call("on_fit_begin", ctx)

    def on_epoch_begin(self, ctx: Any) -> Any:
        return self._call("on_epoch_begin", ctx)

    def on_epoch_end(self, ctx: Any, record: dict) -> Any:
        est = self.estimator
        est.n_iter_ = ctx.state.epochs - self._first_epoch
        est.loss_ = record["loss"]
        est._set_fitted_attributes()
        est.snapshots_, est._snapshot_running = _build.snapshots(
            est._progress.schedule_callbacks
        )
        est.n_snapshots_ = len(est.snapshots_)
        est._ensemble, est.ensemble_size_ = [], 1  # chosen at the end of the fit
        return self._call("on_epoch_end", ctx, record)

    def on_fit_end(self, ctx: Any) -> Any:
        return self._call("on_fit_end", ctx)
