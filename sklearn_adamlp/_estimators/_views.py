"""Fitted ``coefs_``/``intercepts_`` as views into the flat parameter buffer."""

from __future__ import annotations

import numpy as np


class FlatBufferMixin:
    """``coefs_`` and ``intercepts_`` that never detach from ``_flat``.

    They are properties over views of the flat buffer: assigning a list copies
    into the buffer. Saving drops the views and loading rebuilds them
    (``_persist``): a pickled view would come back as a detached copy.
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
