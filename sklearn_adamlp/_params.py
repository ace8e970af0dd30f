"""``get_params``/``set_params``/``repr`` for optimizers, schedules and friends.

scikit-learn's ``clone`` and ``GridSearchCV`` only need ``get_params(deep)`` and
``set_params(**params)``; deriving them from the ``__init__`` signature (as sklearn's
``Kernel`` does) makes any object with that mixin tunable as ``solver__beta_1``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar


class Parametrized:
    """Mixin giving sklearn's parameter protocol to non-estimator objects.

    Follows the estimator constructor rules: ``__init__`` stores its arguments
    verbatim under the same names; fitted state ends with ``_``, so ``clone``
    copies hyper-parameters and never state.
    """

    #: sorted ``__init__`` parameter names, set on each class at first use
    _param_names_cache: ClassVar[tuple[str, ...]]

    @classmethod
    def _get_param_names(cls) -> list[str]:
        # cached per class: inspect.signature costs ~30 us, paid on every fit
        # (and every partial_fit) when the optimizer is built
        cached = cls.__dict__.get("_param_names_cache")
        if cached is None:
            cached = cls._param_names_cache = tuple(cls._signature_names())
        return list(cached)

    @classmethod
    def _signature_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}.__init__ may not take *args or **kwargs: "
                    "parameters must be named to be cloned and tuned."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters (nested ones too when ``deep``)."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params().items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Parametrized:
        """Set constructor parameters (``name`` or ``name__sub``); return self."""
        valid = self._get_param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {valid}."
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        parts = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = sig.parameters[name].default
            if default is inspect.Parameter.empty or _differs(value, default):
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _differs(value: Any, default: Any) -> bool:
    try:
        return bool(value != default)
    except (ValueError, TypeError):  # arrays and odd objects: show them
        return True
