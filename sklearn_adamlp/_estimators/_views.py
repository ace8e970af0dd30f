"""Fitted ``coefs_``/``intercepts_`` as views into the flat parameter buffer."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp._estimators import _build
from sklearn_adamlp.layout import aligned_empty


class FlatBufferMixin:
    """``coefs_`` and ``intercepts_`` that never detach from ``_flat``.

    They are properties over views of the flat buffer: assigning a list copies
    into the buffer, and pickling drops the views and rebuilds them on load (a
    pickled view would come back as a detached copy). The pickle also carries the
    user registrations the estimator's parameters name (``_build``).
    """

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, views into the flat parameter buffer."""
        try:
            return self._coefs
        except AttributeError:
            raise AttributeError("coefs_ exists only after fit") from None

    @coefs_.setter
    def coefs_(self, values) -> None:
        self._assign(self.coefs_, values, "coefs_")

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, views into the flat parameter buffer."""
        try:
            return self._intercepts
        except AttributeError:
            raise AttributeError("intercepts_ exists only after fit") from None

    @intercepts_.setter
    def intercepts_(self, values) -> None:
        self._assign(self.intercepts_, values, "intercepts_")

    @staticmethod
    def _assign(views, values, name) -> None:
        """Copy ``values`` into the views, so they stay in the flat buffer."""
        if len(values) != len(views):
            raise ValueError(f"{name} needs {len(views)} arrays, got {len(values)}")
        for view, value in zip(views, values, strict=True):
            value = np.asarray(value)
            if value.shape != view.shape:
                raise ValueError(
                    f"{name}: shape {value.shape} does not match {view.shape}"
                )
            view[...] = value

    def _set_views(self) -> None:
        self._coefs, self._intercepts = self._network.layout.views(self._flat)

    def __getstate__(self) -> dict:
        # a copy: BaseEstimator.__getstate__ may hand back the live __dict__
        # (Python >= 3.11's object.__getstate__ for a non-sklearn module), and
        # the pops below must not strip the estimator being pickled
        state = dict(super().__getstate__())
        for key in ("_coefs", "_intercepts", "_grad"):
            state.pop(key, None)  # views would unpickle as detached copies
        state.pop("_history_frame", None)  # a cache of history_
        state["_user_registrations"] = _build.user_registrations(self)
        return state

    def __setstate__(self, state: dict) -> None:
        _build.restore_registrations(state.pop("_user_registrations", []))
        super().__setstate__(state)
        if "_flat" in state:
            flat = aligned_empty(self._flat.size, self._flat.dtype)
            flat[...] = self._flat  # an unpickled array starts anywhere
            self._flat = flat
            self._grad = aligned_empty(flat.size, flat.dtype)
            self._set_views()
