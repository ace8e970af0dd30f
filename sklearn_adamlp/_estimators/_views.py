"""Fitted ``coefs_``/``intercepts_`` as views into the flat parameter buffer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.network import Network


class FlatBufferMixin:
    """``coefs_`` and ``intercepts_`` that never detach from ``_flat``.

    They are properties over views of the flat buffer: assigning a list copies
    into the buffer. Saving drops the views and loading rebuilds them
    (``_persist``): a pickled view would come back as a detached copy.
    """

    # set by the estimator's fit (``BaseMLP._initialize``) or on load
    _flat: FloatArray
    _network: Network
    _coefs: list[FloatArray]
    _intercepts: list[FloatArray]

    @property
    def coefs_(self) -> list[FloatArray]:
        """Weight matrices, views into the flat parameter buffer."""
        try:
            return self._coefs
        except AttributeError:
            raise AttributeError("coefs_ exists only after fit") from None

    @coefs_.setter
    def coefs_(self, values: Sequence[npt.ArrayLike]) -> None:
        self._assign(self.coefs_, values, "coefs_")

    @property
    def intercepts_(self) -> list[FloatArray]:
        """Bias vectors, views into the flat parameter buffer."""
        try:
            return self._intercepts
        except AttributeError:
            raise AttributeError("intercepts_ exists only after fit") from None

    @intercepts_.setter
    def intercepts_(self, values: Sequence[npt.ArrayLike]) -> None:
        self._assign(self.intercepts_, values, "intercepts_")

    @staticmethod
    def _assign(
        views: list[FloatArray], values: Sequence[npt.ArrayLike], name: str
    ) -> None:
        """Copy ``values`` into the views, so they stay in the flat buffer."""
        if len(values) != len(views):
            raise ValueError(f"{name} needs {len(views)} arrays, got {len(values)}")
        for view, value in zip(views, values, strict=True):
            array = np.asarray(value)
            if array.shape != view.shape:
                raise ValueError(
                    f"{name}: shape {array.shape} does not match {view.shape}"
                )
            view[...] = array

    def _set_views(self) -> None:
        self._coefs, self._intercepts = self._network.layout.views(self._flat)
