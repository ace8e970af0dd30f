"""A small ONNX graph builder over skl2onnx's scope and container."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: ONNX element types (``onnx.TensorProto``) of the numpy kinds an export writes
_ONNX_TYPES = {"float32": 1, "int64": 7, "string": 8, "bool": 9, "float64": 11}


def onnx_type(dtype: npt.DTypeLike) -> int:
    """``onnx.TensorProto`` element type of a numpy dtype (float, int64, str, bool)."""
    dt = np.dtype(dtype)
    key = "string" if dt.kind in "USO" else dt.name
    return _ONNX_TYPES[key]


class Graph:
    """Nodes and constants added to a skl2onnx container, with unique names.

    Parameters
    ----------
    scope, container
        skl2onnx's ``Scope`` and ``ModelComponentContainer`` of one conversion.
    dtype : numpy dtype
        float32 or float64: the type of every float tensor of the network.
    """

    def __init__(self, scope: Any, container: Any, dtype: npt.DTypeLike) -> None:
        self.scope = scope
        self.container = container
        self.dtype = np.dtype(dtype)
        self._scalars: dict[tuple, str] = {}

    @property
    def float_type(self) -> int:
        """The ONNX element type of the network's float tensors."""
        return onnx_type(self.dtype)

    def const(
        self, value: npt.ArrayLike, dtype: npt.DTypeLike | None = None, name: str = "c"
    ) -> str:
        """Add ``value`` (in ``dtype``, default the network's) as an initializer."""
        arr = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        key = (arr.dtype.str, arr.item()) if arr.ndim == 0 else None
        if key is not None and key in self._scalars:
            return self._scalars[key]  # one initializer per scalar value
        full = self.scope.get_unique_variable_name(name)
        if key is not None:
            self._scalars[key] = full
        if arr.dtype.kind in "USO":
            content = [str(s).encode("utf-8") for s in arr.ravel()]
            self.container.add_initializer(
                full, onnx_type(str), list(arr.shape), content
            )
        else:
            self.container.add_initializer(
                full, onnx_type(arr.dtype), list(arr.shape), arr.ravel()
            )
        return full

    def op(
        self,
        op_type: str,
        *inputs: str,
        output: str | None = None,
        domain: str = "",
        **attrs: Any,
    ) -> str:
        """Add one node; return the name of its (single) output."""
        out = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [out],
            op_domain=domain,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return out
