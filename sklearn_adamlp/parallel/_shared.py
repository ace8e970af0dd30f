"""Arrays in memory shared between the fitting process and its worker processes.

A ``SharedArray`` wraps a ``multiprocessing`` ``RawArray`` (no lock: the
strategies lock what needs locking). Handed to a ``Process`` at its creation, it
reaches the child as the same memory under every start method ('fork' by
inheritance, 'spawn' and 'forkserver' by passing the mapping), so a child's
writes are seen by the parent and the other children.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class SharedArray:
    """An ndarray of ``shape`` and ``dtype`` in shared memory.

    Parameters
    ----------
    mp_context : multiprocessing context
        The context whose processes share the array.
    shape : tuple of int
    dtype : numpy dtype
    """

    def __init__(self, mp_context: Any, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        nbytes = max(1, math.prod(self.shape) * self.dtype.itemsize)
        self.raw = mp_context.RawArray("b", nbytes)
        self._array: np.ndarray | None = None

    @classmethod
    def copy_of(cls, mp_context: Any, array: np.ndarray) -> SharedArray:
        """Return a shared copy of ``array``."""
        shared = cls(mp_context, array.shape, array.dtype)
        np.copyto(shared.array(), array)
        return shared

    def array(self) -> np.ndarray:
        """Return the ndarray view of the shared memory (built once per process)."""
        if self._array is None:
            count = math.prod(self.shape)
            flat = np.frombuffer(self.raw, dtype=self.dtype, count=count)
            self._array = flat.reshape(self.shape)
        return self._array

    def __getstate__(self) -> dict:
        # the view is rebuilt in the child; ``raw`` travels as shared memory
        return {"shape": self.shape, "dtype": self.dtype, "raw": self.raw}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._array = None


class SharedRow:
    """Row ``index`` of a 2-D ``SharedArray`` (or ndarray), as a handle."""

    def __init__(self, array: Any, index: int) -> None:
        self.array, self.index = array, index


def unwrap(value: Any) -> Any:
    """Return the ndarray of a ``SharedArray`` or ``SharedRow``; else ``value``."""
    if isinstance(value, SharedRow):
        return unwrap(value.array)[value.index]
    return value.array() if isinstance(value, SharedArray) else value
